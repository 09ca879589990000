"""The repeat-the-spec script reads each run's verdicts from its cucumber JSON."""

from __future__ import annotations

import json
import time
from pathlib import Path

from benchmarks.flakiness import busy_seconds, main, median_seconds, verdicts
from testbed.report.cucumber import write as write_cucumber
from testbed.report.model import Environment, Report, ScenarioResult


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


def test_median_seconds_per_scenario_skip_scenarios_not_run(tmp_path: Path) -> None:
    """What --store-durations keeps: per node id the median over the runs that ran it."""
    def run(name: str, seconds: dict[str, float | None]) -> Path:
        scenarios = [ScenarioResult(nodeid=n, feature="F", uri="f.feature", name=n, line=1, tags=(),
                                    verdict="not run" if s is None else "passed", seconds=s or 0.0)
                     for n, s in seconds.items()]
        path = tmp_path / name
        write_cucumber(Report(Environment(), scenarios), path)
        return path
    found = median_seconds([run("1", {"a": 10.0, "b": 1.0}), run("2", {"a": 40.0, "b": None}),
                            run("3", {"a": 20.0, "b": 3.0})])
    assert found == {"a": 20.0, "b": 2.0}
