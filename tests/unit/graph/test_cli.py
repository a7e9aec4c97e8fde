"""The command line: `dev` and `sandbox` run the whole NRW network by default; `dev`'s
demo links go into the journal as the gateway's own learned links would."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from graph.cli import parser
from graph.cli.dev import write_links
from graph.ops.journal import open_journal, subject_keys
from graph.settings import Settings


@pytest.mark.parametrize("command", ["dev", "sandbox"])
def test_the_full_network_is_the_default_and_a_count_shrinks_it(command: str) -> None:
    assert parser().parse_args([command]).municipalities is None  # None: all 396
    assert parser().parse_args([command, "--municipalities", "4"]).municipalities == 4
    assert parser().parse_args([command, "--municipalities", "all"]).municipalities is None


def test_the_v1_sandbox_options_are_gone() -> None:
    with pytest.raises(SystemExit):
        parser().parse_args(["sandbox", "--base-port", "9100"])


def test_sandbox_advance_takes_an_application() -> None:
    args = parser().parse_args(["sandbox", "advance", "APP-1"])
    assert (args.action, args.application) == ("advance", "APP-1")


async def test_dev_writes_each_link_once_with_the_configured_lifetime(tmp_path: Path) -> None:
    settings = Settings().override(data_dir=str(tmp_path), journal_account_link_days=10)
    links = [("subject-erika", "bund"), ("subject-erika", "kommunalportal-nrw")]
    assert await write_links(settings, links) == 2
    assert await write_links(settings, links) == 2  # a second start: the same two links
    async with open_journal(settings) as journal:
        found = await journal.accounts.valid(subject_keys(settings)("subject-erika"))
        assert await journal.accounts.valid(subject_keys(settings)("subject-max")) == []
    assert [link.upstream_id for link in found] == ["bund", "kommunalportal-nrw"]
    lifetime = found[0].expires_at - found[0].learned_at
    assert lifetime == timedelta(days=10)
