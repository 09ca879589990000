"""The report's tests share the tiny fixture spec (tests/report/fixture_suite.py), run in a child
pytest once per set of options and per test session (each run takes a few seconds)."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.report.fixture_suite import CONFTEST, FEATURE, STEPS

ROOT = Path(__file__).resolve().parents[2]
RunSpec = Callable[..., Path]


@pytest.fixture(scope="session")
def run_spec(tmp_path_factory: pytest.TempPathFactory) -> RunSpec:
    """`run_spec(name, *options)`: the results folder of the fixture spec run with these options."""
    suite = tmp_path_factory.mktemp("fixture-spec")
    (suite / "conftest.py").write_text(CONFTEST)
    (suite / "report.feature").write_text(FEATURE)
    (suite / "test_report_fixture.py").write_text(STEPS)
    done: dict[tuple[str, ...], Path] = {}

    def run(name: str, *options: str) -> Path:
        key = (name, *options)
        if key not in done:
            out = suite / name
            command = [sys.executable, "-m", "pytest", f"--cucumberjson={out}/cucumber.json", f"--results-dir={out}",
                       f"--junitxml={out}/junit.xml", "-p", "no:cacheprovider", *options]
            # the child imports this tree's testbed
            subprocess.run(command, cwd=suite, env={**os.environ, "PYTHONPATH": str(ROOT)}, capture_output=True,
                           check=False, timeout=300)
            done[key] = out
        return done[key]

    return run
