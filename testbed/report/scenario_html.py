"""One scenario of the HTML report: a collapsed `<details>` with its steps and their evidence,
and for a failure or error the failing step, why each workflow did or did not start, the
concurrency decisions, the runs' logs; the timeline of its runs for every scenario that had any."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from html import escape
from typing import Any

from testbed.report import timeline
from testbed.report.model import DecisionRecord, EvidenceItem, ScenarioResult

MARKS = {"passed": "&#10004;", "failed": "&#10008;", "skipped": "&#8211;"}


def anchor(scenario: ScenarioResult) -> str:
    return "s-" + "".join(ch if ch.isalnum() else "-" for ch in scenario.nodeid)


def _value(value: Any) -> str:
    """Text as it is; a mapping as a key/value table (multi-line texts such as a release body stay
    readable); anything else as indented JSON."""
    if isinstance(value, dict) and value:
        rows = "".join(f"<tr><th>{escape(str(key))}</th><td>{_value(item)}</td></tr>" for key, item in value.items())
        return f"<table class='kv'>{rows}</table>"
    text = value if isinstance(value, str) else json.dumps(value, indent=2, sort_keys=True)
    return f"<pre>{escape(text)}</pre>"


def _evidence(items: list[EvidenceItem]) -> str:
    return "".join(f"<div class='evidence'><b>{escape(item.title)}</b>{_value(item.value)}</div>" for item in items)


def _steps(scenario: ScenarioResult) -> str:
    rows = []
    for index, step in enumerate(scenario.steps):
        items = [item for item in scenario.evidence if item.step == index]
        error = (f"<div class='step-error'>{escape(scenario.reason)}</div>" if index == scenario.failing_step else "")
        rows.append(f"<tr class='step-{step.status}'><td class='mark'>{MARKS[step.status]}</td>"
                    f"<td><b>{escape(step.keyword)}</b> {escape(step.name)}{error}{_evidence(items)}</td>"
                    f"<td class='num'>{step.seconds:.2f} s</td></tr>")
    loose = [item for item in scenario.evidence if item.step < 0 or item.step >= len(scenario.steps)]
    table = "<table class='steps'>" + "".join(rows) + "</table>"
    return table + (_evidence(loose) if loose else "")


def _clock(at: float) -> str:
    return datetime.fromtimestamp(at, UTC).strftime("%H:%M:%S.%f")[:-3] if at else ""


def _decisions(decisions: tuple[DecisionRecord, ...]) -> str:
    triggers = [d for d in decisions if d.kind == "trigger"]
    groups = [d for d in decisions if d.kind == "concurrency"]
    out = ["<h4>Why each workflow did or did not start</h4>"]
    if not triggers:
        out.append("<p>No event reached the app repository's workflows.</p>")
    else:
        out.append("<table class='decisions'><tr><th>time</th><th>workflow file</th><th>event</th><th>verdict</th>"
                   "<th>reason</th></tr>")
        out += [f"<tr class='trigger-{escape(d.verdict.replace(' ', '-'))}'><td>{_clock(d.at)}</td>"
                f"<td>{escape(d.workflow)}</td><td>{escape(d.subject)}</td><td>{escape(d.verdict)}</td>"
                f"<td>{escape(d.reason)}</td></tr>" for d in triggers]
        out.append("</table>")
    if groups:
        out.append("<h4>Concurrency</h4><table class='decisions'><tr><th>time</th><th>run</th><th>workflow</th>"
                   "<th>group</th><th>decision</th><th>by run</th></tr>")
        out += [f"<tr><td>{_clock(d.at)}</td><td>{d.run}</td><td>{escape(d.workflow)}</td><td>{escape(d.subject)}</td>"
                f"<td>{escape(d.verdict)}</td><td>{d.by_run if d.by_run is not None else ''}</td></tr>" for d in groups]
        out.append("</table>")
    return "".join(out)


def _logs(scenario: ScenarioResult) -> str:
    if not scenario.runs:
        return "<h4>Workflow runs</h4><p>No workflow run started.</p>"
    out = ["<h4>Workflow runs and their logs</h4>"]
    for run in scenario.runs:
        jobs = ", ".join(f"{job.name}={job.result}" for job in run.jobs) or "no jobs"
        out.append(f"<details class='log'><summary>run {run.id} {escape(run.workflow)} on {escape(run.event)} "
                   f"({escape(run.sha[:7])}): <b>{escape(run.conclusion)}</b> [{escape(jobs)}]</summary>"
                   f"<pre>{escape(run.log) or '(empty log)'}</pre></details>")
    return "".join(out)


def render(scenario: ScenarioResult) -> str:
    problem = scenario.verdict in ("failed", "error")
    tags = " ".join(f"<span class='tag'>@{escape(tag)}</span>" for tag in scenario.tags)
    head = (f"<summary><span class='badge {escape(scenario.verdict.replace(' ', '-'))}'>{escape(scenario.verdict)}"
            f"</span> {escape(scenario.name)} <span class='muted'>{scenario.seconds:.1f} s</span></summary>")
    body = [f"<p class='muted'>{escape(scenario.uri)}:{scenario.line} &middot; {tags}</p>"]
    if problem:
        step = scenario.steps[scenario.failing_step] if 0 <= scenario.failing_step < len(scenario.steps) else None
        where = f"at step <b>{escape(step.keyword)} {escape(step.name)}</b>: " if step else "outside the steps: "
        kind = "the implementation does not conform" if scenario.verdict == "failed" else "the testbed broke"
        body.append(f"<div class='problem'><b>{escape(scenario.verdict)}</b> ({kind}) {where}"
                    f"<pre>{escape(scenario.reason)}</pre></div>")
    elif scenario.verdict == "not run":
        body.append(f"<p>Not run: {escape(scenario.reason)}</p>")
    body.append(_steps(scenario))
    svg = timeline.render(scenario.runs)
    if svg:
        body.append(f"<h4>Timeline of the runs and jobs</h4>{svg}")
    if problem:
        body += [_decisions(scenario.decisions), _logs(scenario)]
    return f"<details class='scenario' id='{anchor(scenario)}'>{head}{''.join(body)}</details>"
