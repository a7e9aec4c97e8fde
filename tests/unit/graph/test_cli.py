"""The command line's arguments: `dev` and `sandbox` run the whole NRW network by default."""

from __future__ import annotations

import pytest

from graph.cli import parser


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
