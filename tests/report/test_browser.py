"""The HTML report opens in a real headless Chromium (Debian's) with no console error, no failed
load, and shows the same counts as the cucumber JSON; the check itself catches a broken page."""

from __future__ import annotations

from pathlib import Path

from testbed.report.__main__ import COUNTS, main
from testbed.report.browser import Chromium
from tests.report.conftest import RunSpec


def test_the_report_opens_cleanly_and_its_counts_match_the_cucumber_json(run_spec: RunSpec) -> None:
    """Chromium loads the page without errors; the counts table equals the cucumber JSON's verdicts."""
    out = run_spec("one")
    assert main(["check", str(out / "traceability.html"), "--cucumber", str(out / "cucumber.json")]) == 0
    with Chromium() as browser:
        visit = browser.visit(out / "traceability.html", COUNTS)
    assert visit.errors == []
    assert visit.value == {"passed": 1, "failed": 1, "error": 2, "not run": 1, "total": 5}

def test_the_check_sees_console_errors_failed_loads_and_wrong_counts(tmp_path: Path, run_spec: RunSpec) -> None:
    """A page that logs an error, throws, loads a missing file or shows other counts fails the check."""
    out = run_spec("one")
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
