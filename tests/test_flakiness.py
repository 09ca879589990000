"""The repeat-the-spec script reads each run's verdicts from its cucumber JSON."""

from __future__ import annotations

import json
from pathlib import Path

from benchmarks.flakiness import main, verdicts


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
