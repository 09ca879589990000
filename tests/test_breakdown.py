"""The e2e breakdown's accounting: each level of its table adds up to the row above, side-by-side jobs counted once."""

from __future__ import annotations

from typing import Any

import pytest

from benchmarks.breakdown import rows, union


def _job(name: str, start: float, end: float, steps: list[tuple[float, float]]) -> dict[str, Any]:
    parts = [{"name": "Set up job", "kind": "setup", "started": start, "seconds": 0.5, "result": "success"}]
    parts += [{"name": f"Main {index}", "kind": "step", "started": at, "seconds": seconds, "result": "success"}
              for index, (at, seconds) in enumerate(steps)]
    parts.append({"name": "Complete job", "kind": "complete", "started": end - 0.2, "seconds": 0.2,
                  "result": "success"})
    return {"name": name, "result": "success", "started": start, "finished": end, "parts": parts}


RECORD: dict[str, Any] = {
    "process": {"started": 0.0, "finished": 100.0},
    "session": {"started": 1.5, "collected": 2.0, "finished": 99.0},
    "fixtures": [["docker_watch", 2.02, 2.5], ["world", 2.5, 3.5], ["evidence", 40.0, 40.01]],
    "scenarios": {"e2e": {
        "phases": {"setup": [2.0, 2.01], "call": [2.01, 95.0], "teardown": [95.0, 96.0]},
        "world_start": {"job image": 0.2, "registry": 0.3},
        "runs": [
            {"id": 1, "workflow": "stg.yml", "conclusion": "success", "created": 10.0, "started": 11.0,
             "finished": 30.0, "checkout_seconds": 0.5,
             "jobs": [_job("build", 11.5, 20.0, [(12.2, 5.0)]),
                      _job("notify", 20.1, 25.0, [(20.8, 3.0)]),  # side by side with release
                      _job("release", 20.1, 29.9, [(20.7, 4.0), (25.5, 3.5)]),
                      {"name": "skipped", "result": "skipped", "started": 0.0, "finished": 0.0, "parts": []}]},
            {"id": 2, "workflow": "prod.yml", "conclusion": "success", "created": 40.0, "started": 40.2,
             "finished": 50.0, "checkout_seconds": 0.1, "jobs": [_job("promote", 40.5, 49.8, [(41.1, 6.0)])]},
        ],
    }},
}


def _children(table: list[tuple[int, str, float]], parent: str) -> tuple[float, float]:
    """(the parent's seconds, the sum of the rows one level below it, up to the next row of its level)."""
    index = next(i for i, (_, name, _) in enumerate(table) if name.startswith(parent))
    level, _, seconds = table[index]
    below = 0.0
    for child_level, _, child_seconds in table[index + 1:]:
        if child_level <= level:
            break
        if child_level == level + 1:
            below += child_seconds
    return seconds, below


def test_union_counts_overlapping_spans_once() -> None:
    """Two overlapping spans and a separate one cover their union, not their sum."""
    assert union([(0.0, 2.0), (1.0, 3.0), (5.0, 6.0)]) == pytest.approx(4.0)


@pytest.mark.parametrize("parent", ["total", "world start", "the scenario's steps", "workflow runs"])
def test_each_level_adds_up_to_the_row_above(parent: str) -> None:
    """The rows one level below `parent` sum to its seconds (the README's table reads that way)."""
    seconds, below = _children(rows(RECORD), parent)
    assert below == pytest.approx(seconds)


def test_the_runs_are_split_into_acts_phases() -> None:
    """Queue, clone, act start, set-up, steps and completion come from the runs' own records."""
    found = {name.split(" (")[0]: seconds for _, name, seconds in rows(RECORD)}
    assert found["workflow runs"] == pytest.approx(30.0)  # 10..30 and 40..50
    assert found["clone of the event's commit for act"] == pytest.approx(0.6)
    assert found["queued until act starts"] == pytest.approx(0.5 + 0.1)  # created->started less the clone
    assert found["act start: process start to the first job's first line"] == pytest.approx(0.5 + 0.3)
    assert found["jobs: steps"] == pytest.approx(5.0 + 3.0 + 4.0 + 3.5 + 6.0)
    assert found["jobs side by side"] == pytest.approx(-4.9)  # notify ran 20.1..25.0 beside release
    assert found["world start"] == pytest.approx(1.0)
