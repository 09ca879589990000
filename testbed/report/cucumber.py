"""Cucumber JSON out of the report, and the report back out of cucumber JSON (for merging).

The file is standard cucumber JSON (features, elements, steps with passed/failed/skipped, setup
and teardown problems as `before`/`after` hooks) that CI tools read as they are. Each element also
carries a `conformance` object (verdict, reason, evidence, runs, decisions) and each feature the
`conformance` environment, which CI tools ignore and the merge needs to rebuild the full report.
"""

from __future__ import annotations

import json
import math
from dataclasses import asdict
from itertools import groupby
from pathlib import Path
from typing import Any

from testbed.report.model import Environment, Report, ScenarioResult, environment_from_dict, scenario_from_dict


def _hook(status: str, message: str = "") -> dict[str, Any]:
    result: dict[str, Any] = {"status": status, "duration": 0}
    if message:
        result["error_message"] = message
    return {"match": {"location": "testbed"}, "result": result}


def element(scenario: ScenarioResult) -> dict[str, Any]:
    steps = []
    for index, step in enumerate(scenario.steps):
        result: dict[str, Any] = {"status": step.status, "duration": math.floor(step.seconds * 1e9)}
        if index == scenario.failing_step:
            result["error_message"] = scenario.reason
        steps.append({"keyword": step.keyword, "name": step.name, "line": step.line, "match": {"location": ""},
                      "result": result})
    outside_steps = scenario.verdict in ("failed", "error") and scenario.failing_step < 0
    data: dict[str, Any] = {
        "keyword": "Scenario", "id": scenario.nodeid, "name": scenario.name, "line": scenario.line,
        "description": "", "type": "scenario",
        "tags": [{"name": tag, "line": max(scenario.line - 1, 1)} for tag in scenario.tags],
        "before": [_hook("failed" if outside_steps and not any(s.status == "passed" for s in scenario.steps)
                         else "skipped" if scenario.verdict == "not run" else "passed",
                         scenario.reason if outside_steps else "")],
        "steps": steps,
    }
    if outside_steps and any(s.status == "passed" for s in scenario.steps):
        data["after"] = [_hook("failed", scenario.reason)]
    extra = asdict(scenario)
    data["conformance"] = {key: extra[key] for key in ("nodeid", "uri", "feature", "verdict", "reason", "failing_step",
                                                       "seconds", "evidence", "runs", "decisions")}
    return data


def to_cucumber(report: Report) -> list[dict[str, Any]]:
    features = []
    for uri, group in groupby(sorted(report.scenarios, key=lambda s: s.sort_key), key=lambda s: s.uri):
        scenarios = list(group)
        features.append({
            "keyword": "Feature", "uri": uri, "name": scenarios[0].feature, "id": uri.lower().replace(" ", "-"),
            "line": 1, "description": "", "language": "en", "tags": [],
            "elements": [element(s) for s in scenarios],
            "conformance": {"environment": asdict(report.environment)},
        })
    return features


def write(report: Report, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(to_cucumber(report), indent=1) + "\n")


def _scenario(feature: dict[str, Any], data: dict[str, Any]) -> ScenarioResult:
    extra = data.get("conformance")
    if extra is None:
        raise ValueError(f"scenario {data.get('name')!r} in {feature.get('uri')}: no `conformance` data; "
                         "this cucumber JSON was not written by the conformance suite (run it with --cucumberjson)")
    return scenario_from_dict({
        **extra, "name": data["name"], "line": data["line"], "tags": [tag["name"] for tag in data["tags"]],
        "steps": [{"keyword": s["keyword"], "name": s["name"], "line": s["line"], "status": s["result"]["status"],
                   "seconds": round(s["result"]["duration"] / 1e9, 3)} for s in data["steps"]],
    })


def read(path: Path) -> Report:
    """The report one cucumber JSON file holds (its environment from its first feature)."""
    try:
        features = json.loads(path.read_text())
    except (OSError, json.JSONDecodeError) as error:
        raise ValueError(f"{path}: not a readable cucumber JSON file ({error})") from error
    environment = Environment()
    scenarios = []
    for feature in features:
        if "conformance" in feature:
            environment = environment_from_dict(feature["conformance"]["environment"])
        scenarios += [_scenario(feature, data) for data in feature.get("elements", [])]
    return Report(environment, sorted(scenarios, key=lambda s: s.sort_key))
