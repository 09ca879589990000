"""The report judges as a conformance suite does: passed, failed (the implementation), error (the
testbed), not run; it works under xdist and across shards, and its merge equals one run's report."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from testbed.report import cucumber
from testbed.report.markdown import JUDGED_HEADING
from testbed.report.merge import MergeError, merge_files
from testbed.report.shard import Shard, parse_shard, shares
from tests.report.conftest import RunSpec
from tests.report.fixture_suite import EXPECTED


def verdicts(folder: Path) -> dict[str, str]:
    return {s.name: s.verdict for s in cucumber.read(folder / "cucumber.json").scenarios}


def without_run_facts(markdown: str) -> str:
    """The Markdown report without its "What was judged" section (date, machine, duration)."""
    head, _, rest = markdown.partition(JUDGED_HEADING)
    return head + rest[rest.index("\n## "):]


def test_each_scenario_gets_passed_failed_error_or_not_run(run_spec: RunSpec) -> None:
    """An assertion is a failure, a TestbedError in a step or in setup an error, a skip not run."""
    out = run_spec("one")
    assert verdicts(out) == EXPECTED
    report = cucumber.read(out / "cucumber.json")
    by_name = {s.name: s for s in report.scenarios}
    failed = by_name["fails in a then"]
    assert failed.steps[failed.failing_step].name == "the tags are wrong" and "stg-1.3.0 missing" in failed.reason
    assert "the world could not be set up" in by_name["the world cannot start"].reason
    assert "act is not installed" in by_name["the testbed breaks in a step"].reason
    assert report.environment.suite_version and report.environment.python
    junit = (out / "junit.xml").read_text()
    assert 'errors="1"' in junit and 'failures="2"' in junit  # pytest's view: the setup error, two call failures
    assert junit.count('name="conformance.verdict" value="error"') == 2  # ours: one of those failures is an error
    assert junit.count('name="conformance.verdict" value="failed"') == 1


def test_markdown_says_which_problem_and_the_evidence_is_redacted(run_spec: RunSpec) -> None:
    """The verdict line names failures and errors; no secret reaches the report; decisions are shown."""
    out = run_spec("one")
    markdown = (out / "traceability.md").read_text()
    assert "FAILED and ERROR" in markdown.splitlines()[2]
    html = (out / "traceability.html").read_text()
    assert "s3cr3ts3cr3t" not in html + markdown + (out / "cucumber.json").read_text()
    assert "invalid YAML: while parsing a flow sequence" in html
    assert "<svg" in html and "http://" not in html.replace('xmlns="http://www.w3.org/2000/svg"', "")
    passed = next(s for s in cucumber.read(out / "cucumber.json").scenarios if s.verdict == "passed")
    assert [item.title for item in passed.evidence] == ["VERSION on stg", "payload"]
    assert {item.step for item in passed.evidence} == {1}


def test_cucumber_json_is_written_under_xdist(run_spec: RunSpec) -> None:
    """With two xdist workers the controller writes the cucumber JSON, with the same verdicts."""
    out = run_spec("xdist", "-n", "2")
    assert verdicts(out) == EXPECTED
    assert without_run_facts((out / "traceability.md").read_text()) == without_run_facts(
        (run_spec("one") / "traceability.md").read_text())


def test_two_shards_merge_into_the_report_of_one_run(tmp_path: Path, run_spec: RunSpec) -> None:
    """Two shards merged give one run's report, to the byte outside what was judged."""
    whole = run_spec("one")
    first, second = run_spec("shard1", "--shard", "1/2"), run_spec("shard2", "--shard", "2/2")
    ran = [{n for n, v in verdicts(part).items() if "another shard" not in
            next(s.reason for s in cucumber.read(part / "cucumber.json").scenarios if s.name == n)}
           for part in (first, second)]
    assert ran[0] and ran[1] and not ran[0] & ran[1] and ran[0] | ran[1] == set(EXPECTED)
    from testbed.report.__main__ import main

    assert main(["merge", str(first / "cucumber.json"), str(second / "cucumber.json"), "-o", str(tmp_path / "m")]) == 1
    assert main(["merge", str(whole / "cucumber.json"), "-o", str(tmp_path / "w")]) == 1
    merged = (tmp_path / "m" / "traceability.md").read_text()
    assert without_run_facts(merged) == without_run_facts((whole / "traceability.md").read_text())
    assert (tmp_path / "w" / "traceability.md").read_text() == (whole / "traceability.md").read_text()
    assert "merged from 2 files (1/2, 2/2)" in merged


def test_merge_refuses_overlapping_shards_and_other_workflows(tmp_path: Path, run_spec: RunSpec) -> None:
    """Two files that both ran a scenario, or judged different workflows, are refused with the reason."""
    out = run_spec("one")
    with pytest.raises(MergeError, match="ran in both"):
        merge_files([out / "cucumber.json", out / "cucumber.json"])
    other = json.loads((out / "cucumber.json").read_text())
    for feature in other:
        feature["conformance"]["environment"]["workflows_sha256"] = "0" * 64
        feature["elements"] = []
    (tmp_path / "other.json").write_text(json.dumps(other))
    with pytest.raises(MergeError, match="workflows_sha256"):
        merge_files([out / "cucumber.json", tmp_path / "other.json"])


def test_shards_are_balanced_by_stored_durations_and_cover_everything() -> None:
    """Every test lands in exactly one share; the long ones are spread out; K/N is checked."""
    nodeids = [f"t{i}" for i in range(7)]
    split = shares(nodeids, 3, {"t0": 30.0, "t1": 30.0, "t2": 30.0, "t3": 1.0})
    assert sorted(nodeid for part in split for nodeid in part) == nodeids
    assert all(sum(n in {"t0", "t1", "t2"} for n in share) == 1 for share in split)
    assert parse_shard("2/3") == Shard(2, 3)
    for bad in ("0/2", "3/2", "a/b"):
        with pytest.raises(ValueError, match="expected K/N"):
            parse_shard(bad)
