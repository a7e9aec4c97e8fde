"""The README is a doorway, docs/ holds the rest; links, paths and snippets stay true.

Snippets that need the running sandbox and gateway run in tests/e2e/test_docs_snippets.py;
this module checks what needs no server: sizes, links, paths, markers, GraphQL validation
against the committed schema, TOML blocks and the plug-in adapter skeleton.
"""

from __future__ import annotations

import asyncio
import re
import tomllib
from pathlib import Path

import httpx
import pytest
from graphql import GraphQLSchema, build_schema, parse, validate

from sources.base import Capability, EndpointRecord, PortalRecord
from sources.plugins import REQUIRED_METHODS, AdapterContext
from sources.topology import parse_topology
from tests.helpers.docs import (
    DOCS,
    KNOWN,
    README,
    ROOT,
    RUNNABLE,
    Block,
    all_blocks,
    anchors,
    links,
    pages,
    prose,
    runnable,
)

README_LIMIT = 8 * 1024
# Backticked repository paths in prose, e.g. `graph/http/view.py` or `deploy/k8s`.
TOP = ("graph", "sources", "sandbox", "tests", "bench", "deploy", "docs", "examples", "scripts")
PATH = re.compile(r"`((?:" + "|".join(TOP) + r")/[^`\s]*)`")
FILES = re.compile(r"`(Makefile|Dockerfile|schema\.graphql|pyproject\.toml|CHANGELOG\.md)`")
IGNORED = ("graph/static/vendor",)  # fetched by `make assets`, git-ignored
BARE_PYTHON = re.compile(r"(?<![\w/.])python3? -m ")


def schema() -> GraphQLSchema:
    # The federation SDL uses @link/@key without declaring them (the router knows them).
    return build_schema(
        (ROOT / "schema.graphql").read_text(encoding="utf-8"), assume_valid_sdl=True
    )


def test_the_readme_is_a_doorway() -> None:
    size = len(README.read_bytes())
    assert size <= README_LIMIT, f"README.md is {size} bytes; move detail into docs/"
    for heading in ("## Run it", "## Sign in with a demo token", "## A first query"):
        assert heading in README.read_text(encoding="utf-8")


def test_the_readme_links_every_docs_page() -> None:
    linked = {target.split("#")[0] for target in links(README)}
    missing = [p.name for p in sorted(DOCS.glob("*.md")) if f"docs/{p.name}" not in linked]
    assert not missing, f"add these pages to the README's table: {missing}"


@pytest.mark.parametrize("page", pages(), ids=lambda p: p.name)
def test_every_link_and_anchor_resolves(page: Path) -> None:
    broken = []
    for target in links(page):
        if re.match(r"^(https?|mailto):", target):
            continue
        path, _, anchor = target.partition("#")
        file = (page.parent / path).resolve() if path else page
        dangling = bool(anchor) and file.suffix == ".md" and anchor not in anchors(file)
        if not file.exists() or dangling:
            broken.append(target)
    assert not broken, broken


@pytest.mark.parametrize("page", pages(), ids=lambda p: p.name)
def test_every_repository_path_named_in_prose_exists(page: Path) -> None:
    text = prose(page)
    named = PATH.findall(text) + FILES.findall(text)
    checkable = [
        p.rstrip(".,:;)")
        for p in named
        if not re.search(r"[<>{}*…]", p) and not p.startswith(IGNORED)
    ]
    missing = [p for p in checkable if not (ROOT / p).exists()]
    assert not missing, missing


def test_every_block_is_run_or_says_why_not() -> None:
    blocks = all_blocks()
    assert len(blocks) > 20
    unknown = [b.name for b in blocks if b.lang not in KNOWN]
    assert not unknown, f"use one of {sorted(KNOWN)} (sh, not bash): {unknown}"
    pointless = [b.name for b in blocks if b.not_run is not None and b.lang not in RUNNABLE]
    assert not pointless, f"only runnable blocks need a not-run marker: {pointless}"
    assert all(len(b.not_run) > 8 for b in blocks if b.not_run is not None)


def test_python_modules_are_run_with_the_venvs_python() -> None:
    offenders = [
        f"{page.name}: {line.strip()}"
        for page in pages()
        for line in page.read_text(encoding="utf-8").splitlines()
        if BARE_PYTHON.search(line)
    ]
    assert not offenders, "write .venv/bin/python -m …: " + "; ".join(offenders)


@pytest.mark.parametrize("block", runnable("graphql"), ids=lambda b: b.name)
def test_graphql_blocks_validate_against_the_committed_schema(block: Block) -> None:
    document = parse(block.text)
    assert document.definitions
    assert validate(schema(), document) == []


def test_the_readmes_subscription_example_would_have_failed() -> None:
    # The check above is not vacuous: the README's old subscription did not validate.
    old = "subscription { applicationStatusChanged(applicationId: ID) { applicationId } }"
    assert validate(schema(), parse(old)) != []


# What a `[[portals]]` fragment of the docs needs around it to be a whole version 2 file.
V2_HEAD = """version = 2
[pvog]
url = "https://pvog.example"

[fitconnect]
submission_url = "https://submission.example"
routing_url = "https://routing.example"
route_keys_url = "https://ssp.example/.well-known/jwks.json"

[fitconnect.auth]
type = "oauth2_client_credentials"
token_url = "https://ssp.example/token"
client_id = "sender"
client_secret_env = "FIT_SECRET"

"""


@pytest.mark.parametrize("block", runnable("toml"), ids=lambda b: b.name)
def test_toml_blocks_parse_and_network_files_load(block: Block) -> None:
    document = tomllib.loads(block.text)
    # Version 2 only: a version 1 fragment fails to parse with the head (its tables moved).
    assert document.get("version") in (None, 2)
    if document.get("version") == 2:
        assert parse_topology(block.text, source=block.name).portals
    elif isinstance(document.get("portals"), list):  # a fragment: whole with the head
        assert parse_topology(V2_HEAD + block.text, source=block.name).portals


def adapter_block() -> Block:
    found = [b for b in runnable("python") if "def create(" in b.text]
    assert len(found) == 1, [b.name for b in found]
    return found[0]


def test_the_plug_in_skeleton_satisfies_the_protocol_as_the_gateway_checks_it() -> None:
    namespace: dict[str, object] = {}
    exec(compile(adapter_block().text, "adapter", "exec"), namespace)  # noqa: S102 - our own docs snippet
    fragment = next(b.text for b in runnable("toml") if 'adapter = "example-accounts"' in b.text)
    entry = parse_topology(V2_HEAD + fragment).portals[0]
    assert entry.accounts is not None
    portal = PortalRecord(entry.id, entry.name, entry.tier, str(entry.ars), None, {})
    endpoint = EndpointRecord(entry.accounts.url, adapter=entry.accounts.adapter)

    async def use() -> None:
        async with httpx.AsyncClient() as client:
            create = namespace["create"]
            assert callable(create)
            adapter = create(AdapterContext(portal, Capability.ACCOUNTS, endpoint, client))
            for method in REQUIRED_METHODS[Capability.ACCOUNTS]:
                assert callable(getattr(adapter, method, None)), method
            assert adapter.url == "https://konto.beispielstadt.example"
            assert await adapter.account("token") is None
            assert await adapter.applications("token") == []

    asyncio.run(use())
