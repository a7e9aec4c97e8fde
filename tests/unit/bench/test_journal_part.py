"""bench/journal_part.py runs each measuring module as a process: a failure shows its stderr."""

from __future__ import annotations

import sys

import pytest

from bench.journal_part import STDERR_LINES, run_measuring

FAILING = "import sys; print('noise\\n' * 500, file=sys.stderr); sys.exit('the cause')"


def test_a_failing_child_raises_with_the_end_of_its_stderr() -> None:
    with pytest.raises(RuntimeError) as raised:
        run_measuring([sys.executable, "-c", FAILING])
    message = str(raised.value)
    assert "exited with 1" in message
    assert message.endswith("the cause")
    assert message.count("noise") <= STDERR_LINES


def test_a_child_that_succeeds_raises_nothing() -> None:
    run_measuring([sys.executable, "-c", "import sys; print('fine', file=sys.stderr)"])
