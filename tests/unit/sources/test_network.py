"""What is left of network file version 1: recognising one, and the error with file and line."""

from __future__ import annotations

import tomllib

import pytest

from sources.network import V1_MOVES, NetworkConfigError, is_version_1
from sources.topology import TopologyConfigError, parse_topology

V1 = """
[[portals]]
id = "bund"
name = "Verwaltungsportal des Bundes"
tier = "FEDERAL"
ars = "000000000000"

[portals.services]
url = "http://127.0.0.1:9001"
"""


@pytest.mark.parametrize(
    "text",
    [V1, '[routing]\nurl = "http://127.0.0.1:1"\n', "version = 1\n" + V1],
    ids=["portals", "routing", "said-so"],
)
def test_a_version_1_file_is_recognised_and_refused_with_what_moved(text: str) -> None:
    assert is_version_1(tomllib.loads(text))
    with pytest.raises(TopologyConfigError) as caught:
        parse_topology(text, source="old.toml")
    assert caught.value.problems[0].message == V1_MOVES
    assert len(caught.value.problems) == 1  # nothing else: the whole file changes shape
    assert str(caught.value).startswith("old.toml:")


def test_an_empty_file_is_not_taken_for_version_1() -> None:
    assert not is_version_1({})
    with pytest.raises(TopologyConfigError) as caught:
        parse_topology("", source="empty.toml")
    assert V1_MOVES not in str(caught.value)
    assert "[pvog] is required" in str(caught.value)


def test_the_error_names_file_and_line() -> None:
    assert str(NetworkConfigError("net.toml", "bad", line=7)) == "net.toml:7: bad"
    assert str(NetworkConfigError("net.toml", "cannot read the file")).startswith("net.toml: ")
