"""Reading act's `--json` output: each job's result and outputs, where each job's time went (from the
moment each line arrived: act stamps its lines only to the second), and the log as a person reads it."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class StepTime:
    """How long one part of a job took: `Set up job` (act creates and starts the job's container), a step
    (`Main <step>`, `Pre <step>`, `Post <step>`) or `Complete job` (act stops and removes the container)."""

    name: str
    kind: str  # setup | step | complete
    started: float  # epoch seconds its first log line arrived
    seconds: float  # a step: act's own executionTime; setup and complete: first line to last (or to the job's end)
    result: str = ""  # act's stepResult (success, failure, skipped), "" when it reported none


@dataclass(frozen=True)
class JobTiming:
    """A job's span (its first and last log line as they arrived) and its parts in the order they ran."""

    started: float
    finished: float
    parts: tuple[StepTime, ...]


@dataclass(frozen=True)
class JobResult:
    """One job of a run, as act reported it (`skipped` when act never started it)."""

    name: str
    result: str
    outputs: Mapping[str, str]  # the job's outputs (its `outputs:` map, see joboutputs), as `needs` sees them
    started: float = 0.0  # epoch seconds of the job's first log line (0: unknown)
    finished: float = 0.0  # epoch seconds of its last log line
    steps: Mapping[str, Mapping[str, str]] = field(default_factory=dict)  # step id -> the outputs it set
    timings: tuple[StepTime, ...] = ()  # set up, each step, complete (from job_timings)
    job_id: str = ""  # the job's id in its workflow (the key uses its `name:` when it has one)


def _record(line: str) -> dict[str, Any] | None:
    """One log line as act's JSON object; a line that is not JSON is its `msg`; None for other JSON."""
    try:
        record = json.loads(line)
    except json.JSONDecodeError:
        record = {"msg": line}
    return record if isinstance(record, dict) else None


def _lines(stdout: str) -> list[dict[str, Any]]:
    return [record for line in stdout.splitlines() if (record := _record(line)) is not None]


def parse_jobs(stdout: str) -> dict[str, JobResult]:
    """Per job: its result and the outputs its steps set (act's `--json` log lines).

    `outputs` here are all its steps' outputs together; the runner then replaces them with the job's
    own `outputs:` map evaluated over `steps`, as GitHub does (joboutputs).

    Jobs are keyed `greet` for a job of the workflow itself, `<called workflow name>/<job>` for a job
    of a reusable workflow it calls. Jobs act skipped do not appear.
    """
    results: dict[str, str] = {}
    outputs: dict[str, dict[str, str]] = {}
    steps: dict[str, dict[str, dict[str, str]]] = {}
    ids: dict[str, str] = {}
    times: dict[str, list[float]] = {}
    for record in _lines(stdout):
        path = str(record.get("job") or "")
        if not path:
            continue
        job = job_name(path)
        outputs.setdefault(job, {})
        if record.get("jobID"):
            ids.setdefault(job, str(record["jobID"]))
        stamp = _stamp(record)
        if stamp is not None:
            span = times.setdefault(job, [stamp, stamp])
            span[0], span[1] = min(span[0], stamp), max(span[1], stamp)
        if record.get("command") == "set-output" and record.get("name"):
            outputs[job][str(record["name"])] = str(record.get("arg", ""))
            step = record.get("stepID")
            if isinstance(step, list) and len(step) == 1:  # a step of the job, not one inside a composite action
                steps.setdefault(job, {}).setdefault(str(step[0]), {})[str(record["name"])] = str(record.get("arg", ""))
        if "jobResult" in record:
            results[job] = str(record["jobResult"])
    return {
        job: JobResult(name=job, result=results.get(job, "skipped"), outputs=outputs.get(job, {}),
                       started=times.get(job, [0.0, 0.0])[0], finished=times.get(job, [0.0, 0.0])[1],
                       steps=steps.get(job, {}), job_id=ids.get(job, ""))
        for job in outputs
    }


def job_name(path: str) -> str:
    """The job's key from act's `job` field: `<workflow name>/<job>` or `<caller job>/<called workflow name>/<job>`
    (act pads names) become `<job>` and `<called workflow name>/<job>`."""
    parts = [part.strip() for part in path.split("/")]
    return "/".join(parts[1:]) if len(parts) > 1 else parts[0]


def _part(record: dict[str, Any]) -> tuple[str, str] | None:
    """(kind, name) of the job part a log line belongs to; None for the job's own lines (its result)."""
    setup_or_complete = record.get("stepid")
    if setup_or_complete == ["--setup-job"]:
        return "setup", "Set up job"
    if setup_or_complete == ["--complete-job"]:
        return "complete", "Complete job"
    step = record.get("stepID")
    if isinstance(step, list) and step:  # a step of a composite action counts to the step that uses it
        return "step", f"{record.get('stage', 'Main')} {step[0]}"
    return None


def job_timings(lines: Iterable[tuple[float, str]]) -> dict[str, JobTiming]:
    """Per job, when its parts started and how long they took, from act's `--json` lines and the epoch
    seconds each arrived. A step is named `<stage> <step id>` (`Main build`, `Post 1`), then, from its
    own line, `<stage> <step name>`."""
    spans: dict[str, list[float]] = {}
    parts: dict[str, dict[str, dict[str, Any]]] = {}  # job -> part key -> name, kind, first, last, seconds, result
    for arrived, text in lines:
        record = _record(text.rstrip("\n")) or {}
        path = str(record.get("job") or "")
        if not path:
            continue
        job = job_name(path)
        span = spans.setdefault(job, [arrived, arrived])
        span[1] = arrived
        found = _part(record)
        if found is None:
            continue
        kind, key = found
        part = parts.setdefault(job, {}).setdefault(key, {"kind": kind, "name": key, "first": arrived, "seconds": None,
                                                           "result": ""})
        part["last"] = arrived
        top_level = kind != "step" or len(record.get("stepID", [])) == 1
        if kind == "step" and top_level and record.get("step"):
            part["name"] = f"{record.get('stage', 'Main')} {record['step']}"
        if top_level and "stepResult" in record:
            part["result"] = str(record["stepResult"])
            if "executionTime" in record:
                part["seconds"] = float(record["executionTime"]) / 1e9
    timings = {}
    for job, (started, finished) in spans.items():
        found_parts = []
        for part in parts.get(job, {}).values():
            end = finished if part["kind"] == "complete" else part["last"]
            seconds = part["seconds"] if part["seconds"] is not None else end - part["first"]
            found_parts.append(StepTime(part["name"], part["kind"], part["first"], seconds, part["result"]))
        timings[job] = JobTiming(started, finished, tuple(found_parts))
    return timings


def with_timing(job: JobResult, timing: JobTiming | None) -> JobResult:
    """`job` with its span and parts from `timing` (the arrival times, finer than act's own stamps)."""
    if timing is None:
        return job
    return replace(job, started=timing.started, finished=timing.finished, timings=timing.parts)


def _stamp(record: dict[str, Any]) -> float | None:
    """The epoch seconds of an act `--json` log line, None when it has no readable `time`."""
    try:
        return datetime.fromisoformat(str(record["time"])).timestamp()
    except (KeyError, ValueError):
        return None


def render_log(stdout: str) -> str:
    """The log as a person reads it: `+seconds [job] message` per line."""
    lines = []
    start: datetime | None = None
    for record in _lines(stdout):
        message = str(record.get("msg", "")).rstrip("\n")
        job = record.get("job")
        offset = ""
        try:
            stamp = datetime.fromisoformat(str(record["time"]))
            start = start or stamp
            offset = f"+{(stamp - start).total_seconds():5.1f}s "
        except (KeyError, ValueError):
            pass
        lines.append(f"{offset}[{str(job).strip()}] {message}" if job else f"{offset}{message}")
    return "\n".join(lines)
