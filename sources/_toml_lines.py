"""Where each table and key of a TOML document stands, so an error can name its line.

`tomllib` returns values without positions. This reads the text once more and records
the line of every table header (`[fitconnect.auth]`, the n-th `[[payment_providers]]`,
the m-th `[[payment_providers.tenants]]` inside it), every key, and the line where each
element of an array value starts. A path is a tuple of keys and array indices, e.g.
`("payment_providers", 1, "tenants", 0, "ars_prefix")`; a path that is not recorded (a
key inside an inline table) falls back to its nearest recorded parent.
"""

from __future__ import annotations

import re

Path = tuple[str | int, ...]

_KEY_PART = r'(?:[A-Za-z0-9_-]+|"[^"]*"|\'[^\']*\')'
_KEY = re.compile(rf"^\s*({_KEY_PART}(?:\s*\.\s*{_KEY_PART})*)\s*=\s*(.*)$")
_HEADER = re.compile(rf"^\s*(\[\[?)\s*({_KEY_PART}(?:\s*\.\s*{_KEY_PART})*)\s*\]\]?\s*(#.*)?$")
_SPLIT = re.compile(rf"{_KEY_PART}")


def _names(dotted: str) -> list[str]:
    return [part.strip("\"'") for part in _SPLIT.findall(dotted)]


class LineMap:
    def __init__(self, text: str) -> None:
        self._lines: dict[Path, int] = {}
        self._scan(text)

    def line_of(self, path: Path) -> int | None:
        for end in range(len(path), 0, -1):
            line = self._lines.get(path[:end])
            if line is not None:
                return line
        return None

    def _scan(self, text: str) -> None:
        last_index: dict[Path, int] = {}  # array-of-tables path -> its last index
        table: Path = ()
        array: _Array | None = None  # a multi-line array value being read
        in_string: str | None = None
        for number, raw in enumerate(text.splitlines(), start=1):
            line = raw.strip()
            if in_string is not None:  # inside a multi-line string: nothing to record
                if line.count(in_string) % 2 == 1:
                    in_string = None
                continue
            if array is not None:
                array = array.read(line, number, self._lines)
                continue
            header = _HEADER.match(raw)
            if header:
                names = _names(header.group(2))
                table = self._table_path(names, header.group(1) == "[[", last_index)
                self._lines.setdefault(table, number)
                continue
            key = _KEY.match(raw)
            if not key:
                continue
            path = (*table, *_names(key.group(1)))
            self._lines.setdefault(path, number)
            value = key.group(2).strip()
            for quote in ('"""', "'''"):
                if value.count(quote) % 2 == 1:
                    in_string = quote
            if value.startswith("["):
                array = _Array(path).read(value[1:], number, self._lines)

    @staticmethod
    def _table_path(names: list[str], is_array: bool, last_index: dict[Path, int]) -> Path:
        path: Path = ()
        for position, name in enumerate(names):
            path = (*path, name)
            if is_array and position == len(names) - 1:
                index = last_index.get(path, -1) + 1
                last_index[path] = index
                path = (*path, index)
            elif path in last_index:
                path = (*path, last_index[path])
        return path


class _Array:
    """Reads an array value line by line, recording the line where each element starts."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.index = 0
        self.level = 0  # nesting inside the array's own brackets
        self.expecting = True  # the next value starts a new element

    def read(self, text: str, number: int, lines: dict[Path, int]) -> _Array | None:
        quote = ""
        for char in text:
            if quote:
                quote = "" if char == quote else quote
                continue
            if char == "#":
                break
            if char.isspace():
                continue
            if self.level == 0 and char == ",":
                self.expecting = True
                continue
            if self.level == 0 and char == "]":
                return None  # the array ends here
            if self.level == 0 and self.expecting:
                lines.setdefault((*self.path, self.index), number)
                self.index += 1
                self.expecting = False
            if char in "\"'":
                quote = char
            elif char in "[{":
                self.level += 1
            elif char in "]}":
                self.level -= 1
        return self


def render(path: Path) -> str:
    """`payment_providers[1].tenants[0].ars_prefix`."""
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else part)
    return out
