"""From pytest's test reports to scenario results, under pytest-xdist too.

On the process that runs a test (a worker, or the only process), `phase_data` turns each phase's
report into a JSON-able dict stored on the report as the attribute `conformance`; pytest and xdist
carry report attributes from workers to the controller. There `Assembly` puts the phases of each
scenario together into a `ScenarioResult`.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import asdict
from typing import TYPE_CHECKING, Any

import pytest
from pytest_bdd.reporting import scenario_reports_registry
from pytest_bdd.scenario import scenario_wrapper_template_registry

from testbed.actions.decisions import ConcurrencyDecision, TriggerDecision
from testbed.report.evidence import Evidence, redact
from testbed.report.model import (
    DecisionRecord,
    JobRecord,
    RunRecord,
    ScenarioResult,
    StepResult,
    Verdict,
    scenario_from_dict,
)
from testbed.report.verdict import Classified, classify, combine, engine_races

if TYPE_CHECKING:
    from testbed.world import World

LOG_TAIL = 30000  # characters of each run's log the report keeps (its end, where failures are)
EVIDENCE_KEY = pytest.StashKey[Evidence]()
WORLD_KEY = pytest.StashKey["World"]()  # the `world` fixture puts the scenario's world here


def template_of(item: pytest.Item) -> Any:
    """The pytest-bdd scenario (template) a test item runs, or None for other tests."""
    function = getattr(item, "obj", None)
    if function is None:
        return None
    try:
        return scenario_wrapper_template_registry.get(function)
    except TypeError:  # not weak-referenceable: not a scenario
        return None


def static_data(item: pytest.Item, template: Any, known_tags: Collection[str]) -> dict[str, Any]:
    """What the feature file says about the item's scenario (its outline example filled in)."""
    callspec = getattr(item, "callspec", None)
    example = callspec.params.get("_pytest_bdd_example", {}) if callspec is not None else {}
    scenario = template.render(example)
    name = scenario.name
    if example and name == template.name:  # an outline whose title names no parameter: tell examples apart
        name = f"{name} ({', '.join(f'{key}: {value}' for key, value in example.items())})"
    markers = {marker.name for marker in item.iter_markers()}
    return {
        "nodeid": item.nodeid, "feature": scenario.feature.name or scenario.feature.rel_filename,
        "uri": scenario.feature.rel_filename, "name": name, "line": scenario.line_number,
        "tags": sorted(markers & set(known_tags)),
        "steps": [{"keyword": s.keyword, "name": s.name, "line": s.line_number} for s in scenario.steps],
    }


def _runs(world: Any, secrets: list[str]) -> list[dict[str, Any]]:
    records = []
    for run in world.runs:
        jobs = tuple(JobRecord(job.name, job.result, getattr(job, "started", 0.0), getattr(job, "finished", 0.0))
                     for job in run.jobs.values())
        records.append(asdict(RunRecord(
            id=run.id, workflow=run.workflow, event=run.event, sha=run.request.sha, conclusion=str(run.conclusion),
            created=getattr(run, "created", run.started), started=run.started, finished=run.finished, jobs=jobs,
            log=redact(run.log, secrets)[-LOG_TAIL:])))
    return records


def _decisions(world: Any) -> list[dict[str, Any]]:
    log = getattr(world, "decisions", None)
    records = []
    for item in log.items if log is not None else ():
        if isinstance(item, TriggerDecision):
            records.append(DecisionRecord("trigger", item.workflow, item.event, item.verdict, item.reason, at=item.at))
        elif isinstance(item, ConcurrencyDecision):
            records.append(DecisionRecord("concurrency", item.workflow, item.group, item.action, run=item.run,
                                          by_run=item.by_run, at=item.at))
    return [asdict(record) for record in records]


def _steps(item: pytest.Item) -> list[dict[str, Any]] | None:
    report = scenario_reports_registry.get(item)
    if report is None:
        return None
    return [{"failed": step["failed"], "seconds": step["duration"]} for step in report.serialize()["steps"]]


def testbed_faults(world: World | None) -> list[str]:
    """What broke under the workflows that is the testbed's or the machine's doing: runs the testbed could
    not drive, the local GitHub's own failures (a 500 it gave, not an injected fault), images the shared
    Docker engine lost during a build."""
    runs = world.runs if world is not None else []
    broken = [f"{run.summary()}: {run.log.strip().splitlines()[-1] if run.log.strip() else ''}"
              for run in runs if run.conclusion == "error"]
    github = getattr(world, "github", None)  # a world that has no local GitHub (the report's own tests) has none
    broken += [f"the local GitHub failed at {failure}" for failure in getattr(github, "internal_errors", [])]
    return broken + engine_races([run.log for run in runs])


def phase_data(item: pytest.Item, call: pytest.CallInfo[None], report: pytest.TestReport,
               known_tags: Collection[str]) -> dict[str, Any] | None:
    """The `conformance` attribute of one phase's report of a scenario (None for other tests)."""
    template = template_of(item)
    if template is None:
        return None
    world = item.stash.get(WORLD_KEY, None)
    error = call.excinfo.value if call.excinfo is not None else None
    verdict = classify(call.when, report.outcome, error, testbed_faults(world) if report.failed else [])
    data: dict[str, Any] = {"when": call.when, "verdict": verdict.verdict, "reason": verdict.reason,
                            "seconds": report.duration}
    if call.when == "setup":
        data["static"] = static_data(item, template, known_tags)
    if call.when == "teardown":
        secrets = list(getattr(world, "secret_values", []) or [])
        evidence = item.stash.get(EVIDENCE_KEY, None)
        data["steps"] = _steps(item)
        data["evidence"] = [asdict(e) for e in evidence.redacted(secrets)] if evidence else []
        data["runs"] = _runs(world, secrets) if world is not None else []
        data["decisions"] = _decisions(world) if world is not None else []
    return data


def build_steps(static: list[dict[str, Any]], ran: list[dict[str, Any]] | None) -> tuple[list[StepResult], int]:
    """Step results, and the index of the failing step (-1): after the first failure, steps are skipped."""
    results, failing = [], -1
    for index, step in enumerate(static):
        done = ran[index] if ran is not None and index < len(ran) else None
        if done is None or failing >= 0:
            status = "skipped"
        elif done["failed"]:
            status, failing = "failed", index
        else:
            status = "passed"
        results.append(StepResult(step["keyword"], step["name"], step["line"], status,  # type: ignore[arg-type]
                                  round(done["seconds"], 3) if done else 0.0))
    return results, failing


def scenario_result(static: dict[str, Any], phases: list[dict[str, Any]], *, verdict: Verdict | None = None,
                    reason: str = "") -> ScenarioResult:
    """One scenario's result from its static facts and the `conformance` data of its phases."""
    final = next((phase for phase in phases if phase["when"] == "teardown"), {})
    steps, failing = build_steps(static["steps"], final.get("steps"))
    judged = combine([Classified(phase["verdict"], phase["reason"]) for phase in phases])
    return scenario_from_dict({
        **{key: static[key] for key in ("nodeid", "feature", "uri", "name", "line", "tags")},
        "verdict": verdict or judged.verdict, "reason": reason or judged.reason, "failing_step": failing,
        "seconds": round(sum(phase["seconds"] for phase in phases), 3),
        "steps": [asdict(step) for step in steps], "evidence": final.get("evidence", []),
        "runs": final.get("runs", []), "decisions": final.get("decisions", []),
    })


class Assembly:
    """The controller's side: phases in, scenario results out; scenarios never run are kept apart."""

    def __init__(self) -> None:
        self.static: dict[str, dict[str, Any]] = {}  # every scenario collected anywhere, by node id
        self.phases: dict[str, list[dict[str, Any]]] = {}
        self.not_run: dict[str, str] = {}  # node id -> why (deselected, another shard)
        self.results: dict[str, ScenarioResult] = {}

    def add_collected(self, static: dict[str, Any], why_not_run: str = "") -> None:
        self.static.setdefault(static["nodeid"], static)
        if why_not_run:
            self.not_run.setdefault(static["nodeid"], why_not_run)

    def add_phase(self, nodeid: str, data: dict[str, Any]) -> None:
        if "static" in data:
            self.add_collected(data["static"])
        self.phases.setdefault(nodeid, []).append(data)
        if data["when"] == "teardown" and nodeid in self.static:
            self.results[nodeid] = scenario_result(self.static[nodeid], self.phases.pop(nodeid))

    def scenarios(self) -> list[ScenarioResult]:
        found = dict(self.results)
        for nodeid, static in self.static.items():
            if nodeid not in found:
                why = self.not_run.get(nodeid, "not selected")
                found[nodeid] = scenario_result(static, [], verdict="not run", reason=why)
        return sorted(found.values(), key=lambda s: s.sort_key)
