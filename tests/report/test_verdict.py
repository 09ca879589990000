"""Failed or error: what broke under the workflows that is the testbed's or the machine's doing."""

from __future__ import annotations

from types import SimpleNamespace

from testbed.report.collect import testbed_faults as faults_under
from testbed.report.verdict import classify, engine_races


def test_a_failed_scenario_with_testbed_failures_is_an_error() -> None:
    """A failing step in a scenario under which the local GitHub failed is an error that says so."""
    verdict = classify("call", "failed", AssertionError("no pull request"),
                       ["the local GitHub failed at POST /api/graphql: the schema is missing"])
    assert verdict.verdict == "error" and "the schema is missing" in verdict.reason


def test_an_image_lost_by_the_shared_engine_is_the_machines_fault() -> None:
    """A classic build's `unable to find image "sha256:..."` in a run's log becomes an error reason; others do not."""
    lost = '+ 3.0s [build] unable to find image "sha256:' + '5' * 64 + '"'
    assert len(engine_races(["+ 1.0s [build] Step 2/2 : COPY VERSION app.txt /app/\n" + lost])) == 1
    assert engine_races(["+ 1.0s [build] Error: No such image: acme/app:stg-1a2b3c4"]) == []


def test_testbed_faults_gathers_runs_the_local_github_and_the_engine() -> None:
    """A run the testbed could not drive, a 500 of the local GitHub's own and a lost image each give a reason."""
    lost = '+ 3.0s [build] unable to find image "sha256:' + '5' * 64 + '"'
    runs = [SimpleNamespace(conclusion="error", log="act died", summary=lambda: "run 1"),
            SimpleNamespace(conclusion="failure", log=lost, summary=lambda: "run 2")]
    world = SimpleNamespace(runs=runs, github=SimpleNamespace(internal_errors=["POST /api/graphql: boom"]))
    found = faults_under(world)  # type: ignore[arg-type]
    assert found[:2] == ["run 1: act died", "the local GitHub failed at POST /api/graphql: boom"]
    assert len(found) == 3 and "lost an image" in found[2]
    assert faults_under(None) == []
