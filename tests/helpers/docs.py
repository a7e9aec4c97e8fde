"""The README and docs/ as data: pages, their fenced blocks, links and headings."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
README = ROOT / "README.md"
DOCS = ROOT / "docs"
# Languages the snippet tests run; every other fence is prose and needs no runner.
RUNNABLE = frozenset({"graphql", "sh", "console", "python", "toml"})
# js: browser-client snippets (docs/frontend.md); tests/node/ runs the same calls.
KNOWN = RUNNABLE | {"json", "js", "text", ""}
FENCE = re.compile(r"^```(\w*)\s*$")
# `<!-- snippet: not run — why -->` on the line above a block exempts it, with a reason.
NOT_RUN = re.compile(r"^<!-- snippet: not run\s*[—:-]\s*(?P<reason>\S.*?)\s*-->$")
LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")
AUTOLINK = re.compile(r"<(https?://[^>]+)>")


def pages() -> list[Path]:
    return [README, *sorted(DOCS.glob("*.md"))]


@dataclass(frozen=True, slots=True)
class Block:
    path: Path
    line: int  # 1-based line of the opening fence
    lang: str
    text: str
    not_run: str | None  # the reason given above the block, if any

    @property
    def name(self) -> str:
        return f"{self.path.relative_to(ROOT)}:{self.line}"


def blocks(path: Path) -> list[Block]:
    found: list[Block] = []
    lines = path.read_text(encoding="utf-8").splitlines()
    index = 0
    while index < len(lines):
        opening = FENCE.match(lines[index])
        if opening is None:
            index += 1
            continue
        end = next(i for i in range(index + 1, len(lines)) if lines[i].startswith("```"))
        above = next((lines[i] for i in range(index - 1, -1, -1) if lines[i].strip()), "")
        marker = NOT_RUN.match(above.strip())
        found.append(
            Block(
                path=path,
                line=index + 1,
                lang=opening[1],
                text="\n".join(lines[index + 1 : end]) + "\n",
                not_run=marker["reason"] if marker else None,
            )
        )
        index = end + 1
    return found


def all_blocks(*langs: str) -> list[Block]:
    return [b for p in pages() for b in blocks(p) if not langs or b.lang in langs]


def runnable(*langs: str) -> list[Block]:
    return [b for b in all_blocks(*langs) if b.not_run is None]


def prose(path: Path) -> str:
    """The page without its fenced blocks."""
    kept: list[str] = []
    inside = False
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("```"):
            inside = not inside
        elif not inside:
            kept.append(line)
    return "\n".join(kept)


def links(path: Path) -> list[str]:
    text = prose(path)
    return LINK.findall(text) + AUTOLINK.findall(text)


def slug(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens."""
    text = re.sub(r"[`*]", "", heading.strip().lower())
    text = re.sub(r"[^\w\- ]", "", text)
    return text.replace(" ", "-")


def anchors(path: Path) -> set[str]:
    return {
        slug(line.lstrip("#")) for line in prose(path).splitlines() if re.match(r"^#{1,6} ", line)
    }
