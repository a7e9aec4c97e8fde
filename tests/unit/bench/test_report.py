"""bench/RESULTS.md is written section by section: a late failure loses nothing measured."""

from __future__ import annotations

from pathlib import Path

from bench.report import HEADINGS, publish, sections_of


def test_each_section_is_written_when_measured_and_the_others_are_kept(tmp_path: Path) -> None:
    out = tmp_path / "RESULTS.md"
    publish(out, "peer", [HEADINGS["peer"], "", "peer figures of an earlier run", ""], ["bench"])
    publish(out, "http", [HEADINGS["http"], "", "http, first half", ""], ["bench"])
    text = out.read_text(encoding="utf-8")
    # In the report's order, whatever the order of measuring; the notes follow.
    assert text.index(HEADINGS["http"]) < text.index(HEADINGS["peer"])
    assert "## How it was measured" in text
    publish(out, "http", [HEADINGS["http"], "", "http, all of it", ""], ["bench", "--only", "http"])
    sections = sections_of(out.read_text(encoding="utf-8"))
    assert sections[HEADINGS["http"]] == [HEADINGS["http"], "", "http, all of it", ""]
    assert sections[HEADINGS["peer"]] == [
        HEADINGS["peer"],
        "",
        "peer figures of an earlier run",
        "",
    ]
    assert set(sections) == {HEADINGS["http"], HEADINGS["peer"]}  # the notes are not kept twice
    assert out.read_text(encoding="utf-8").count("## How it was measured") == 1
