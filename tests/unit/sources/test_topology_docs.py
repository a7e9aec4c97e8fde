"""docs/topology.md shows the example network file unchanged, and the file parses."""

from __future__ import annotations

from pathlib import Path

from sources.topology import parse_topology

DOCS = Path(__file__).resolve().parents[3] / "docs"


def test_the_page_shows_the_example_file_verbatim_and_it_parses() -> None:
    example = (DOCS / "network-v2.example.toml").read_text(encoding="utf-8")
    page = (DOCS / "topology.md").read_text(encoding="utf-8")
    assert f"```toml\n{example}```" in page
    topology = parse_topology(example)
    assert len(topology.payment_providers) == 2
    assert [e.id for e in topology.portals] == ["bund", "nrw", "kommunalportal-nrw"]
