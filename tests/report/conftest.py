"""The report's tests share the tiny fixture spec (tests/report/fixture_suite.py) run in a child pytest."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.report.fixture_suite import CONFTEST, FEATURE, STEPS

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def suite(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> pytest.Pytester:
    """A folder holding the fixture spec, with this tree's `testbed` importable by the child pytest."""
    monkeypatch.setenv("PYTHONPATH", str(ROOT))
    pytester.makeconftest(CONFTEST)
    pytester.makefile(".feature", report=FEATURE)
    pytester.makepyfile(test_report_fixture=STEPS)
    return pytester
