"""Job outputs as GitHub computes them: the job's `outputs:` map over its steps' outputs."""

from __future__ import annotations

import textwrap
from pathlib import Path

from testbed.actions.actlog import JobResult
from testbed.actions.joboutputs import declared, evaluate, with_job_outputs


def test_references_in_dot_and_bracket_form() -> None:
    """Step and needs output references resolve in dot and bracket form, unset ones to ''; other expressions to None."""
    steps = {"build": {"tags": "a b"}, "meta": {"json": "{}"}}
    needs = {"bump": {"version": "1.3.0"}}
    assert evaluate("${{ steps.build.outputs.tags }}", steps, needs) == "a b"
    both = "v${{ needs['bump']['outputs']['version'] }}-${{steps.meta.outputs.json}}"
    assert evaluate(both, steps, needs) == "v1.3.0-{}"
    assert evaluate("${{ steps.build.outputs.tag }}", steps, needs) == ""  # never set: empty, as on GitHub
    assert evaluate("${{ join(steps.build.outputs.*, ' ') }}", steps, needs) is None


def test_a_step_output_the_map_does_not_name_is_not_a_job_output() -> None:
    """A job exposes only what its outputs map names (empty when unset); a job without a map exposes nothing."""
    job = JobResult("build", "success", {"tags": "a b", "extra": "x"}, steps={"build": {"tags": "a b", "extra": "x"}})
    jobs, notes = with_job_outputs({"build": job}, {"build": {"tags": "${{ steps.build.outputs.tag }}"}})
    assert dict(jobs["build"].outputs) == {"tags": ""} and not notes
    jobs, _ = with_job_outputs({"build": job}, {})
    assert dict(jobs["build"].outputs) == {}


def test_needs_of_the_same_workflow_and_unevaluated_maps() -> None:
    """A plain outputs map is evaluated; one with another expression keeps all step outputs and a note names the job."""
    first = JobResult("one", "success", {}, steps={"s": {"v": "1"}})
    second = JobResult("two", "success", {"w": "2"}, steps={"t": {"w": "2"}})
    jobs, notes = with_job_outputs({"one": first, "two": second}, {
        "one": {"v": "${{ steps.s.outputs.v }}"},
        "two": {"both": "${{ needs.one.outputs.v }}${{ steps.t.outputs.w }}", "odd": "${{ format('{0}', 1) }}"}})
    assert dict(jobs["one"].outputs) == {"v": "1"}
    assert dict(jobs["two"].outputs) == {"w": "2"}  # not guessed: all its steps' outputs, and a note says so
    assert notes and "two" in notes[0]


def test_maps_are_read_from_the_workflow_and_the_workflows_it_calls(tmp_path: Path) -> None:
    """Outputs maps are read from the workflow and the local workflows it calls, keyed as <called name>/<job>."""
    (tmp_path / "caller.yml").write_text(textwrap.dedent("""\
        name: "Caller [t1]"
        on: push
        jobs:
          call:
            uses: ./.github/workflows/called.yml
          own:
            runs-on: ubuntu-latest
            outputs: {x: "${{ steps.a.outputs.x }}"}
            steps: [{id: a, run: "true"}]
        """))
    (tmp_path / "called.yml").write_text(textwrap.dedent("""\
        name: "Called one [t1]"
        on: workflow_call
        jobs:
          inner:
            runs-on: ubuntu-latest
            outputs:
              tags: ${{ steps.build.outputs.tags }}
            steps: [{id: build, run: "true"}]
        """))
    assert declared(tmp_path, "caller.yml", "t1") == {
        "Called one/inner": {"tags": "${{ steps.build.outputs.tags }}"}, "own": {"x": "${{ steps.a.outputs.x }}"}}


def test_a_job_with_a_display_name_is_found_by_its_id() -> None:
    """act keys a job by its `name:`; its outputs map is still found by the job id in its workflow."""
    job = JobResult("Called one/Bump and build", "success", {}, steps={"meta": {"tags": "t1"}}, job_id="build")
    jobs, _ = with_job_outputs({"Called one/Bump and build": job},
                               {"Called one/build": {"tags": "${{ steps.meta.outputs.tags }}"}})
    assert dict(jobs["Called one/Bump and build"].outputs) == {"tags": "t1"}
