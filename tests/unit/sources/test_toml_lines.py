from __future__ import annotations

from sources._toml_lines import LineMap, render

TEXT = '''version = 2
[fitconnect]
url = "x" # [not.a.header]

[fitconnect.auth]
type = "basic"
notes = """
[[payment_providers]]
"""

[[payment_providers]]
id = "a"
[[payment_providers.tenants]]
ars_prefix = "05"
[[payment_providers.tenants]]
ars_prefix = "06"
[payment_providers.auth]
type = "mtls"

[[payment_providers]]
id = "b"
[[payment_providers.tenants]]
ars_prefix = "07"
[[portals]]
serves = ["051620008008", "053150000000",
  { ars = "053620024024", name = "Hürth [Rhein-Erft]" },
  "055150000000",
]
headers.x-client = "y"
'''


def test_tables_keys_and_array_elements_have_their_lines() -> None:
    lines = LineMap(TEXT)
    assert lines.line_of(("fitconnect", "auth", "type")) == 6
    assert lines.line_of(("payment_providers", 0, "tenants", 1, "ars_prefix")) == 16
    assert lines.line_of(("payment_providers", 0, "auth", "type")) == 18
    # the second provider's first tenant, not the first provider's
    assert lines.line_of(("payment_providers", 1, "tenants", 0, "ars_prefix")) == 23
    assert lines.line_of(("portals", 0, "serves", 1)) == 25
    assert lines.line_of(("portals", 0, "serves", 2, "name")) == 26  # inline table: its line
    assert lines.line_of(("portals", 0, "serves", 3)) == 27
    assert lines.line_of(("portals", 0, "headers", "x-client")) == 29
    assert lines.line_of(("fitconnect", "auth", "notes")) == 7  # a multi-line string: its key
    assert lines.line_of(("nothing",)) is None


def test_a_header_inside_a_multi_line_string_is_not_a_table() -> None:
    lines = LineMap(TEXT)
    assert lines.line_of(("payment_providers", 0)) == 11


def test_paths_render_as_the_user_writes_them() -> None:
    assert render(("payment_providers", 1, "tenants", 0, "ars_prefix")) == (
        "payment_providers[1].tenants[0].ars_prefix"
    )
