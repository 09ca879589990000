"""The testbed's workflow runs as GitHub's Actions API lists them: what the local GitHub answers
for `GET /actions/runs`, reported by the World that makes the runs."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime

from testbed.github.records import WorkflowRun
from testbed.runner import Run

STATUSES = ("queued", "in_progress", "completed")


def workflow_runs(runs: Iterable[Run]) -> list[WorkflowRun]:
    """One `WorkflowRun` per run, numbered per workflow in the order they were queued."""
    found = []
    numbers: dict[str, int] = {}
    for run in sorted(runs, key=lambda r: r.id):
        request = run.request
        payload = request.payload
        pull = payload.get("pull_request") or {}
        ref = str(payload.get("ref") or "")
        branch = pull.get("head", {}).get("ref") if pull else (
            ref.removeprefix("refs/heads/") if ref.startswith("refs/heads/") else None)
        numbers[request.workflow] = numbers.get(request.workflow, 0) + 1
        started = _stamp(run.started or None)
        found.append(WorkflowRun(
            id=run.id, repo=request.repo, path=f".github/workflows/{request.workflow}", event=request.event_name,
            head_sha=request.sha, head_branch=branch, actor=str((payload.get("sender") or {}).get("login", "")),
            status=run.status if run.status in STATUSES else "queued", conclusion=run.conclusion,
            created_at=started, updated_at=_stamp(run.finished) if run.finished else started,
            run_number=numbers[request.workflow]))
    return found


def _stamp(seconds: float | None) -> str:
    moment = datetime.fromtimestamp(seconds, UTC) if seconds is not None else datetime.now(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")
