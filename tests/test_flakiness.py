"""The repeat-the-spec script reads each run's verdicts from its cucumber JSON."""

from __future__ import annotations

import json
import time
from pathlib import Path

from benchmarks.flakiness import busy_seconds, main, verdicts


def test_verdicts_come_from_the_conformance_object(tmp_path: Path) -> None:
    """Each scenario's verdict is the report's (failed vs error), keyed by feature and scenario name."""
    cucumber = tmp_path / "cucumber.json"
    cucumber.write_text(json.dumps([{"name": "F", "elements": [
        {"name": "a", "conformance": {"verdict": "passed"}}, {"name": "b", "conformance": {"verdict": "error"}},
        {"name": "c"}]}]))
    assert verdicts(cucumber) == {"F: a": "passed", "F: b": "error", "F: c": "error"}


def test_times_below_one_is_refused() -> None:
    """--times 0 is an error naming the option, not a run that passes by doing nothing."""
    try:
        main(["--times", "0"])
    except SystemExit as exit_:
        assert exit_.code == 2
    else:
        raise AssertionError("--times 0 was accepted")


def test_busy_seconds_grow_while_a_core_works() -> None:
    """The machine's busy CPU seconds (from /proc/stat) grow by about the CPU time spent in between."""
    before = busy_seconds()
    end = time.process_time() + 0.3
    while time.process_time() < end:
        pass
    assert busy_seconds() - before >= 0.25
