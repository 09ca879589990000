"""The HTML report opens in a real headless Chromium (Debian's) with no console error, no failed
load, and shows the same counts as the cucumber JSON; the check itself catches a broken page."""

from __future__ import annotations

from pathlib import Path

import pytest

from testbed.report.__main__ import COUNTS, main
from testbed.report.browser import Chromium
from tests.report.test_report import run


def test_the_report_opens_cleanly_and_its_counts_match_the_cucumber_json(suite: pytest.Pytester) -> None:
    """Chromium loads the page without errors; the counts table equals the cucumber JSON's verdicts."""
    out = run(suite, "one")
    assert main(["check", str(out / "traceability.html"), "--cucumber", str(out / "cucumber.json")]) == 0
    with Chromium() as browser:
        visit = browser.visit(out / "traceability.html", COUNTS)
    assert visit.errors == []
    assert visit.value == {"passed": 1, "failed": 1, "error": 2, "not run": 1, "total": 5}

pytest_plugins = ["pytester"]  # the fixture spec runs in a child pytest


def test_the_check_sees_console_errors_failed_loads_and_wrong_counts(tmp_path: Path, suite: pytest.Pytester) -> None:
    """A page that logs an error, throws, loads a missing file or shows other counts fails the check."""
    out = run(suite, "one")
    page = (out / "traceability.html").read_text()
    broken = tmp_path / "broken.html"
    broken.write_text(page.replace("</body>", "<script>console.error('boom'); missing();</script>"
                                              "<img src='nowhere.png'></body>"))
    with Chromium() as browser:
        errors = browser.visit(broken).errors
    assert any("boom" in e for e in errors) and any("exception" in e for e in errors)
    assert any("nowhere.png" in e for e in errors)
    miscounted = tmp_path / "miscounted.html"
    miscounted.write_text(page.replace("data-verdict='passed'>1<", "data-verdict='passed'>2<"))
    assert main(["check", str(miscounted), "--cucumber", str(out / "cucumber.json")]) == 1
