"""Where a job's time went, read from act's `--json` lines (recorded from act 0.2.89) and their arrival times."""

from __future__ import annotations

from pathlib import Path

import pytest

from testbed.actions.actlog import JobResult, job_timings, with_timing

# one container job as act 0.2.89 logged it (fields act adds to every line left out): checkout, then a
# composite action whose own step logs under the stepID ["1", "0"], its Post stage, and the job's set-up
# and completion; the last line is not JSON, as act's own messages can be
RECORDED = (Path(__file__).parent / "actlog" / "composite-job.jsonl").read_text().splitlines()

# when each line arrived (epoch seconds), finer than act's own stamps
ARRIVED = [100.0, 100.1, 100.9, 101.0, 101.2, 101.3, 101.35, 101.6, 102.2, 102.25, 102.3, 102.5, 102.6, 103.1, 103.15,
           103.2]


def test_a_job_is_split_into_set_up_its_steps_and_completion() -> None:
    """Set up and Complete job last from their first line to their end; steps last act's executionTime."""
    timing = job_timings(zip(ARRIVED, RECORDED, strict=True))["first"]
    assert (timing.started, timing.finished) == (100.0, 103.15)
    parts = [(part.kind, part.name, part.started, round(part.seconds, 6), part.result) for part in timing.parts]
    assert parts == [
        ("setup", "Set up job", 100.0, 0.9, "success"),
        ("step", "Main actions/checkout@v4", 101.0, 0.142224, "success"),
        ("step", "Main ./.github/actions/greet", 101.3, 0.825949, "success"),  # the composite's own step inside it
        ("step", "Post ./.github/actions/greet", 102.25, 0.000071, "success"),
        ("complete", "Complete job", 102.5, pytest.approx(0.65), "success"),
    ]


def test_jobs_of_a_called_workflow_are_keyed_as_their_results_are() -> None:
    """A called workflow's job is `<called workflow>/<job>`; its span and parts replace the second-resolution ones."""
    lines = [
        (5.0, '{"job":"build/build image/push","msg":"⭐ Run Main push","stage":"Main","step":"push",'
              '"stepID":["push"],"time":"2026-11-27T09:44:55Z"}'),
        (7.5, '{"executionTime":2400000000,"job":"build/build image/push","msg":"  ❌  Failure - Main push",'
              '"stage":"Main","step":"push","stepID":["push"],"stepResult":"failure","time":"2026-11-27T09:44:57Z"}'),
        (7.6, '{"job":"build/build image/push","jobResult":"failure","msg":"🏁  Job failed",'
              '"time":"2026-11-27T09:44:57Z"}'),
    ]
    timings = job_timings(lines)
    assert list(timings) == ["build image/push"]
    job = with_timing(JobResult("build image/push", "failure", {}, 1764236695.0, 1764236697.0),
                      timings["build image/push"])
    assert (job.started, job.finished) == (5.0, 7.6)
    assert [(part.name, part.seconds, part.result) for part in job.timings] == [("Main push", 2.4, "failure")]
