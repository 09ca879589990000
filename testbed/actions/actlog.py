"""Reading act's `--json` output: each job's result and outputs, and the log as a person reads it."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class JobResult:
    """One job of a run, as act reported it (`skipped` when act never started it)."""

    name: str
    result: str
    outputs: Mapping[str, str]  # the job's outputs (its `outputs:` map, see joboutputs), as `needs` sees them
    started: float = 0.0  # epoch seconds of the job's first log line (0: unknown)
    finished: float = 0.0  # epoch seconds of its last log line
    steps: Mapping[str, Mapping[str, str]] = field(default_factory=dict)  # step id -> the outputs it set


def _lines(stdout: str) -> list[dict[str, Any]]:
    records = []
    for line in stdout.splitlines():
        try:
            record = json.loads(line)
        except json.JSONDecodeError:
            record = {"msg": line}
        if isinstance(record, dict):
            records.append(record)
    return records


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
    times: dict[str, list[float]] = {}
    for record in _lines(stdout):
        path = str(record.get("job") or "")
        if not path:
            continue
        # `<workflow name>/<job>`, or `<caller job>/<called workflow name>/<job>`; act pads names
        parts = [part.strip() for part in path.split("/")]
        job = "/".join(parts[1:]) if len(parts) > 1 else parts[0]
        outputs.setdefault(job, {})
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
                       steps=steps.get(job, {}))
        for job in outputs
    }


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
