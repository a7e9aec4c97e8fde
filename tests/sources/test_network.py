from __future__ import annotations

from pathlib import Path

import pytest

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
