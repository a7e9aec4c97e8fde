from __future__ import annotations

from pathlib import Path

import pytest

from sources._policy import UpstreamPolicy
from sources.base import Capability, Tier
from sources.network import NetworkConfigError, load_network, parse_network

GOOD = """
[[portals]]
id = "bund"
name = "Verwaltungsportal des Bundes"
tier = "FEDERAL"
ars = "000000000000"

[portals.services]
url = "http://127.0.0.1:9001"

[[portals]]
id = "koeln"
name = "Stadt Köln"
tier = "MUNICIPAL"
ars = "053150000000"
"""


def test_a_valid_network_is_parsed_into_portal_records() -> None:
    network = parse_network(GOOD)
    assert [p.id for p in network.portals] == ["bund", "koeln"]
    assert network.portals[0].tier is Tier.FEDERAL
    assert network.portals[0].endpoints[Capability.SERVICES].url == "http://127.0.0.1:9001"
    assert network.portals[1].capabilities == ()
    assert [p.id for p in network.with_capability(Capability.SERVICES)] == ["bund"]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (('tier = "MUNICIPAL"', 'tier = "CITY"'), "portals[1] (koeln): tier must be one of"),
        (('ars = "053150000000"', 'ars = "05315"'), "ars must be a 12-digit"),
        (
            ('url = "http://127.0.0.1:9001"', 'url = "ftp://x"'),
            "services.url must be an http(s) URL",
        ),
        (('id = "koeln"', 'id = "bund"'), "portal id 'bund' is defined twice"),
        (('id = "koeln"', 'id = "Köln!"'), "id 'Köln!' must be lowercase"),
        (('name = "Stadt Köln"', 'nam = "Stadt Köln"'), "unknown key(s) nam"),
        (("[portals.services]", "[portals.servics]"), "unknown key(s) servics"),
    ],
)
def test_each_mistake_names_the_file_line_and_key(change: tuple[str, str], message: str) -> None:
    with pytest.raises(NetworkConfigError) as caught:
        parse_network(GOOD.replace(*change), source="net.toml")
    assert message in str(caught.value)
    assert str(caught.value).startswith("net.toml:")


def test_the_line_of_the_failing_portal_table_is_given() -> None:
    with pytest.raises(NetworkConfigError) as caught:
        parse_network(GOOD.replace('tier = "MUNICIPAL"', 'tier = "X"'), source="net.toml")
    assert caught.value.line == 11  # the `[[portals]]` header of koeln


def test_broken_toml_and_missing_files_are_reported() -> None:
    with pytest.raises(NetworkConfigError, match="not valid TOML"):
        parse_network("[[portals]\nid=", source="net.toml")
    with pytest.raises(NetworkConfigError, match="no \\[\\[portals\\]\\] defined"):
        parse_network("", source="net.toml")
    with pytest.raises(NetworkConfigError, match="cannot read the file"):
        load_network(Path("/nonexistent/network.toml"))


def test_upstream_policies_layer_settings_defaults_and_capability_keys() -> None:
    text = GOOD.replace(
        'url = "http://127.0.0.1:9001"', 'url = "http://127.0.0.1:9001"\ntimeout = 1.5\nretries = 0'
    )
    network = parse_network(text + "\n[defaults]\nretries = 1\nbreaker_reset = 2\n")
    base = UpstreamPolicy(retries=3, max_concurrency=7)
    bund = network.policy("bund", "services", base)
    assert (bund.timeout, bund.retries, bund.breaker_reset, bund.max_concurrency) == (
        1.5,
        0,
        2.0,
        7,
    )
    koeln = network.policy("koeln", "accounts", base)
    assert (koeln.timeout, koeln.retries, koeln.breaker_reset) == (None, 1, 2.0)
    assert parse_network(GOOD).policy("bund", "services", base) == base


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ("[defaults]\nretries = -1\n", "defaults.retries must be at least 0"),
        ("[defaults]\nmax_concurrency = 1.5\n", "defaults.max_concurrency must be a whole number"),
        ('[defaults]\ntimeout = "2s"\n', "defaults.timeout must be a number"),
        ("[defaults]\nretry = 2\n", "defaults: unknown key(s) retry"),
    ],
)
def test_bad_policies_are_reported_with_the_key(extra: str, message: str) -> None:
    with pytest.raises(NetworkConfigError) as caught:
        parse_network(GOOD + "\n" + extra, source="net.toml")
    assert message in str(caught.value)


def test_a_bad_capability_policy_names_the_portal_line() -> None:
    text = GOOD.replace('url = "http://127.0.0.1:9001"', 'url = "http://x.test"\ntimeout = 0')
    with pytest.raises(NetworkConfigError) as caught:
        parse_network(text, source="net.toml")
    assert "portals[0] (bund): services.timeout must be at least" in str(caught.value)
    assert caught.value.line == 2
