"""Network file version 2: the example parses, every problem names file, line and key."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from sources._policy import UpstreamPolicy
from sources.base.topology import PaymentKind
from sources.base.upstream_auth import (
    BasicCredentials,
    ClientAuthMethod,
    MutualTls,
    OAuth2ClientCredentials,
    StaticHeaders,
    TokenExchange,
)
from sources.network import NetworkConfigError, is_version_1
from sources.topology import (
    TopologyConfigError,
    load_topology,
    parse_topology,
)

ROOT = Path(__file__).resolve().parents[3]
EXAMPLE = (ROOT / "docs" / "network-v2.example.toml").read_text(encoding="utf-8")

MINIMAL = """version = 2
[pvog]
url = "http://127.0.0.1:9001"

[fitconnect]
submission_url = "http://127.0.0.1:9002"
routing_url = "http://127.0.0.1:9003"
route_keys_url = "http://127.0.0.1:9004/.well-known/jwks.json"

[fitconnect.auth]
type = "oauth2_client_credentials"
token_url = "http://127.0.0.1:9004/token"
client_id = "sender"
client_secret_env = "FIT_SECRET"

[[payment_providers]]
id = "giro"
name = "GiroCheckout"
kind = "girocheckout"
url = "http://127.0.0.1:9005"

[[payment_providers.tenants]]
ars_prefix = "05"
originator_id = "nrw"
endpoint_id = "050000000000"

[[payment_providers.tenants]]
ars_prefix = "05315"
originator_id = "koeln"
endpoint_id = "053150000000"
"""


def problems_of(text: str) -> list[tuple[int | None, str, str]]:
    with pytest.raises(TopologyConfigError) as caught:
        parse_topology(text, source="net.toml")
    return [(p.line, p.key, p.message) for p in caught.value.problems]


def test_the_documented_example_parses_into_the_real_topology() -> None:
    topology = parse_topology(EXAMPLE, source="example.toml")
    assert topology.pvog.url == "https://pvog.fitko.net/suchdienst/api"
    assert topology.pvog.versions["detail"] == "v6"
    assert topology.pvog.versions["locations"] == "v3"  # default where the file says nothing
    assert isinstance(topology.pvog.auth and topology.pvog.auth.scheme, StaticHeaders)
    fit = topology.fitconnect
    assert fit.api == "v2"
    assert fit.submission_base("TEST.fit-connect.fitko.dev").endswith("/submission-api")
    assert fit.submission_base("evil.example") == fit.submission_url  # unknown host: default
    assert fit.auth is not None
    assert isinstance(fit.auth.scheme, OAuth2ClientCredentials)
    assert fit.auth.scheme.method is ClientAuthMethod.CLIENT_SECRET_POST
    assert fit.auth.scheme.scope == "send:region:DE05"
    assert topology.identity is not None
    assert topology.identity.jwks_url is not None
    kinds = [(p.kind, type(p.auth.scheme if p.auth else None)) for p in topology.payment_providers]
    assert kinds == [(PaymentKind.EPAYBL, MutualTls), (PaymentKind.EPAY21, BasicCredentials)]
    platform = topology.portals[2]
    assert platform.is_platform
    assert [s.ars for s in platform.serves] == ["051620008008", "051620024024", "053620024024"]
    assert platform.accounts is not None
    assert platform.accounts.adapter == "kommunalportal-nrw"
    assert isinstance(platform.accounts.auth and platform.accounts.auth.scheme, TokenExchange)
    assert topology.policy("pvog", UpstreamPolicy()).timeout == 4.0  # own table wins
    assert topology.policy("fitconnect", UpstreamPolicy()).timeout == 5.0  # [defaults]


def test_tenants_are_chosen_by_the_most_specific_prefix() -> None:
    topology = parse_topology(MINIMAL)
    choice = topology.tenants.choose("053150000000")
    assert choice is not None
    assert choice[1].originator_id == "koeln"
    other = topology.tenants.choose("051620008008")
    assert other is not None
    assert other[1].originator_id == "nrw"
    assert topology.tenants.choose("091620000000") is None


@pytest.mark.parametrize(
    ("change", "line", "key", "message"),
    [
        (
            ('type = "oauth2_client_credentials"', 'type = "oauth"'),
            11,
            "fitconnect.auth.type",
            "type must be one of",
        ),
        (
            ('client_secret_env = "FIT_SECRET"', 'client_secret_env = "s3cr3t"'),
            14,
            "fitconnect.auth.client_secret_env",
            "secrets never go into the network file",
        ),
        (
            ('ars_prefix = "05315"', 'ars_prefix = "5"'),
            28,
            "payment_providers[0].tenants[1].ars_prefix",
            "2–12 digits",
        ),
        (
            ('originator_id = "koeln"', 'originator_id = "köln/x"'),
            29,
            "payment_providers[0].tenants[1].originator_id",
            "at most 36",
        ),
        (
            ('kind = "girocheckout"', 'kind = "paypal"'),
            19,
            "payment_providers[0].kind",
            "kind must be one of",
        ),
        (('url = "http://127.0.0.1:9001"', 'url = "ftp://x"'), 3, "pvog.url", "http(s) URL"),
        (
            ('routing_url = "http://127.0.0.1:9003"', 'routng_url = "x"'),
            7,
            "fitconnect.routng_url",
            "unknown key(s) routng_url",
        ),
        (
            ('ars_prefix = "05315"', 'ars_prefix = "05"'),
            28,
            "payment_providers[0].tenants[1].ars_prefix",
            "has two tenants",
        ),
    ],
)
def test_a_problem_names_line_and_key(
    change: tuple[str, str], line: int, key: str, message: str
) -> None:
    found = problems_of(MINIMAL.replace(*change))
    assert len(found) == 1, found
    assert found[0][:2] == (line, key)
    assert message in found[0][2]


def test_every_problem_is_reported_not_only_the_first() -> None:
    text = MINIMAL.replace('url = "http://127.0.0.1:9001"', 'url = "nope"').replace(
        'kind = "girocheckout"', 'kind = "cash"'
    )
    with pytest.raises(TopologyConfigError) as caught:
        parse_topology(text, source="net.toml")
    lines = str(caught.value).splitlines()
    assert lines[0].startswith("net.toml:3: pvog.url:")
    assert lines[1].startswith("net.toml:19: payment_providers[0].kind:")
    assert isinstance(caught.value, NetworkConfigError)  # the CLI's handler catches it


def test_fitconnect_v2_must_live_under_submission_api_and_needs_client_credentials() -> None:
    found = problems_of(MINIMAL.replace("[fitconnect]\n", '[fitconnect]\napi = "v2"\n'))
    assert found[0][1] == "fitconnect.submission_url"
    assert "/submission-api" in found[0][2]
    basic = MINIMAL.replace(
        'type = "oauth2_client_credentials"\ntoken_url = "http://127.0.0.1:9004/token"\n'
        'client_id = "sender"\nclient_secret_env = "FIT_SECRET"',
        'type = "basic"\nusername = "u"\npassword_env = "P"',
    )
    assert problems_of(basic)[0][1:] == ("fitconnect.auth", problems_of(basic)[0][2])
    assert "oauth2_client_credentials" in problems_of(basic)[0][2]


def test_submission_hosts_are_bare_host_names() -> None:
    text = MINIMAL.replace(
        "[fitconnect.auth]",
        '[fitconnect.submission_hosts]\n"https://x.example" = "http://127.0.0.1:1"\n\n[fitconnect.auth]',
    )
    found = problems_of(text)
    assert found[0][:2] == (11, "fitconnect.submission_hosts.https://x.example")
    assert "bare lower-case host name" in found[0][2]


def test_a_version_1_file_is_told_what_moved_where() -> None:
    v1 = '[[portals]]\nid = "bund"\nname = "Bund"\ntier = "FEDERAL"\nars = "000000000000"\n'
    found = problems_of(v1)
    assert [key for _, key, _ in found] == ["version"]
    for moved in ("[pvog]", "[fitconnect]", "[[payment_providers]]", "auth table", "version = 2"):
        assert moved in found[0][2]
    assert is_version_1(tomllib.loads(v1))
    assert not is_version_1(tomllib.loads(MINIMAL))
    assert is_version_1({"version": 1})  # said so outright
    assert not is_version_1({"version": 3, "portals": []})  # a version error, not v1's moves


def test_per_portal_capabilities_that_became_central_are_refused_with_their_new_place() -> None:
    text = MINIMAL + (
        '\n[[portals]]\nid = "koeln"\nname = "Köln"\ntier = "MUNICIPAL"\nars = "053150000000"\n'
        '\n[portals.services]\nurl = "http://127.0.0.1:1"\n'
    )
    found = problems_of(text)
    assert found[0][:2] == (38, "portals[0].services")
    assert "[pvog]" in found[0][2]


@pytest.mark.parametrize(
    ("portal", "key", "message"),
    [
        ('ars = "05315"', "portals[0].ars", "12-digit"),
        ('ars = "053150000000"\nserves = ["051620008008"]', "portals[0].serves", "exactly one of"),
        ('serves = ["05162000800"]', "portals[0].serves[0]", "12-digit"),
        (
            'serves = ["051620008008"]\nwebsite_template = "https://{town}.x"',
            "portals[0].website_template",
            "{slug}",
        ),
        ('ars_prefix = "5"', "portals[0].ars_prefix", "2–12 digits"),
        (
            'serves = [{ ars = "051620008008", id = "Dormagen" }]',
            "portals[0].serves[0].id",
            "lower-case",
        ),
    ],
)
def test_portal_entries_are_validated(portal: str, key: str, message: str) -> None:
    text = MINIMAL + f'\n[[portals]]\nid = "p"\nname = "P"\ntier = "MUNICIPAL"\n{portal}\n'
    found = problems_of(text)
    assert found[0][1] == key, found
    assert message in found[0][2]


def test_served_ids_and_ars_are_unique_across_entries() -> None:
    text = MINIMAL + (
        '\n[[portals]]\nid = "dormagen"\nname = "Dormagen"\ntier = "MUNICIPAL"\nars = "051620008008"\n'
        '\n[[portals]]\nid = "knrw"\nname = "K"\nserves = [\n  "051620024024",\n'
        '  { ars = "051620008008", id = "dormagen-2" },\n]\n'
    )
    found = problems_of(text)
    assert found[0][:2] == (43, "portals[1].serves[1]")
    assert "served by both dormagen and knrw" in found[0][2]


def test_auth_variants_are_checked_key_by_key() -> None:
    def with_auth(body: str) -> list[tuple[int | None, str, str]]:
        return problems_of(MINIMAL + f"\n[pvog.auth]\n{body}\n")

    jwt_with_secret = (
        'type = "oauth2_client_credentials"\ntoken_url = "https://t.example/token"\nclient_id = "c"\n'
        'method = "private_key_jwt"\nprivate_key_file_env = "KEY"\nclient_secret_env = "S"'
    )
    assert with_auth(jwt_with_secret)[0][1] == "pvog.auth.client_secret_env"
    assert with_auth('type = "mtls"\ncert_file_env = "CERT"')[0][1] == "pvog.auth.key_file_env"
    assert with_auth('type = "headers"')[0][1] == "pvog.auth.headers"
    found = with_auth('type = "headers"\n[pvog.auth.headers]\nAuthorization = "Bearer x"')
    assert found[0][1] == "pvog.auth.headers.Authorization"
    assert "cannot be a static header" in found[0][2]
    assert with_auth('type = "basic"\nusername = "u"\npassword_env = "P"\nmethod = "x"')[0][1] == (
        "pvog.auth.method"
    )


def test_policy_keys_are_validated_where_they_stand() -> None:
    found = problems_of(
        MINIMAL.replace(
            'url = "http://127.0.0.1:9001"', 'url = "http://127.0.0.1:9001"\nretries = -1'
        )
    )
    assert found[0][:2] == (4, "pvog.retries")


def test_required_central_tables_and_toml_errors() -> None:
    found = problems_of("version = 2\n")
    assert [key for _, key, _ in found] == ["pvog", "fitconnect"]
    with pytest.raises(TopologyConfigError, match="not valid TOML"):
        parse_topology("version = = 2")
    with pytest.raises(NetworkConfigError, match="cannot read"):
        load_topology("/nonexistent/network.toml")


def test_pvog_paths_use_the_configured_version_and_refuse_foreign_segments() -> None:
    pvog = parse_topology(EXAMPLE).pvog
    assert pvog.path("detail", id="L100002.LB.121370768") == (
        "/v6/servicedescriptions/L100002.LB.121370768/detail"
    )
    assert pvog.path("locations") == "/v3/locations"
    for bad in ("../admin", "a/b", "..", ""):
        with pytest.raises(ValueError, match="not a PVOG id"):
            pvog.path("detail", id=bad)


def test_each_upstream_table_overrides_the_defaults_for_itself_only() -> None:
    text = MINIMAL.replace('kind = "girocheckout"', 'kind = "girocheckout"\ntimeout = 9.0') + (
        '\n[[portals]]\nid = "k"\nname = "K"\nserves = ["051620008008"]\n'
        '[portals.accounts]\nurl = "http://127.0.0.1:1"\nmax_concurrency = 3\n'
        "\n[defaults]\ntimeout = 2.0\n"
    )
    topology = parse_topology(text)
    base = UpstreamPolicy()
    assert topology.policy("payment_providers.giro", base).timeout == 9.0
    assert topology.policy("portals.k.accounts", base).max_concurrency == 3
    assert topology.policy("portals.k.accounts", base).timeout == 2.0
    assert topology.policy("pvog", base).timeout == 2.0


def test_duplicate_providers_and_a_leftover_routing_table_are_named() -> None:
    twice = MINIMAL + MINIMAL[MINIMAL.index("[[payment_providers]]") :].replace(
        '"05"', '"06"'
    ).replace('"05315"', '"06315"')
    found = problems_of(twice)
    assert found[0][:2] == (32, "payment_providers[1].id")
    assert "defined twice" in found[0][2]
    leftover = problems_of(MINIMAL + '\n[routing]\nurl = "http://127.0.0.1:1"\n')
    assert leftover[0][:2] == (32, "routing")
    assert "[fitconnect] as routing_url" in leftover[0][2]


def test_an_inbox_every_viewer_has_is_marked_and_only_an_inbox_may_say_so() -> None:
    entry = '\n[[portals]]\nid = "bund"\nname = "Bund"\ntier = "FEDERAL"\nars = "000000000000"\n'
    postfach = '[portals.inbox]\nurl = "http://127.0.0.1:9006"\nevery_viewer = true\n'
    parsed = parse_topology(MINIMAL + entry + postfach, source="net.toml")
    inbox = parsed.portals[0].inbox
    assert inbox is not None
    assert inbox.every_viewer
    plain = parse_topology(MINIMAL + entry + postfach.replace("every_viewer = true\n", ""))
    assert plain.portals[0].inbox is not None
    assert not plain.portals[0].inbox.every_viewer
    found = problems_of(MINIMAL + entry + postfach.replace("true", '"yes"'))
    assert found[0][1:] == ("portals[0].inbox.every_viewer", "every_viewer must be true or false")
    accounts = postfach.replace("[portals.inbox]", "[portals.accounts]")
    assert problems_of(MINIMAL + entry + accounts)[0][1] == "portals[0].accounts.every_viewer"
