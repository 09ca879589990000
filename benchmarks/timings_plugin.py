"""A pytest plugin that writes where each scenario's time went, for benchmarks/breakdown.py.

Loaded with `-p benchmarks.timings_plugin --breakdown-json PATH`; it only reads what the scenario's
world recorded (its start laps, each run's checkout time and each job's parts, see
testbed.actions.actlog), when pytest ran each phase and when each fixture was set up (pytest-bdd
asks for the `world` fixture inside the test call, from the first step that needs it). It changes
nothing in the run.
"""

from __future__ import annotations

import json
import time
from collections.abc import Generator
from dataclasses import asdict
from pathlib import Path
from typing import Any

import pytest

from testbed.report.collect import WORLD_KEY

OPTION = "--breakdown-json"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(OPTION, metavar="PATH", default=None,
                     help="write where each scenario's time went (world start, runs, jobs, steps) to PATH as JSON")


def _runs(world: Any) -> list[dict[str, Any]]:
    return [{
        "id": run.id, "workflow": run.workflow, "conclusion": str(run.conclusion), "created": run.created,
        "started": run.started, "finished": run.finished, "checkout_seconds": run.checkout_seconds,
        "jobs": [{"name": job.name, "result": job.result, "started": job.started, "finished": job.finished,
                  "parts": [asdict(part) for part in job.timings]} for job in run.jobs.values()],
    } for run in world.runs]


class Timings:
    """Collects, per scenario with a world, pytest's phases and what its world recorded."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.data: dict[str, Any] = {"session": {"started": time.time()}, "scenarios": {}, "fixtures": []}

    def pytest_collection_finish(self) -> None:
        self.data["session"]["collected"] = time.time()

    @pytest.hookimpl(wrapper=True)
    def pytest_fixture_setup(self, fixturedef: pytest.FixtureDef[Any]) -> Generator[None, object, object]:
        started = time.time()  # the fixtures it depends on are set up before this hook runs
        try:
            return (yield)
        finally:
            self.data["fixtures"].append([fixturedef.argname, started, time.time()])

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_makereport(self, item: pytest.Item, call: pytest.CallInfo[None]
                                  ) -> Generator[None, pytest.TestReport, pytest.TestReport]:
        report = yield
        scenario = self.data["scenarios"].setdefault(item.nodeid, {"phases": {}})
        scenario["phases"][call.when] = [call.start, call.stop]
        world = item.stash.get(WORLD_KEY, None)
        if call.when == "teardown" and world is not None:
            scenario["world_start"] = dict(world.start_laps.seconds)
            scenario["runs"] = _runs(world)
        return report

    def pytest_sessionfinish(self) -> None:
        self.data["session"]["finished"] = time.time()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.path.write_text(json.dumps(self.data, indent=1) + "\n")


def pytest_configure(config: pytest.Config) -> None:
    path = config.getoption(OPTION)
    if path:
        config.pluginmanager.register(Timings(Path(path)), "breakdown-timings")
