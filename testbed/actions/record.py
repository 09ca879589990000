"""The record of one workflow run: what was asked (`RunRequest`), how it went and ended (`Run`)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from testbed.actions.actlog import JobResult
from testbed.actions.jobtokens import JobToken


@dataclass(frozen=True)
class RunRequest:
    """Everything act needs to run one workflow for one event."""

    repo: str
    workflow: str  # file name under .github/workflows
    event_name: str
    payload: Mapping[str, Any]
    sha: str
    secrets: Mapping[str, str]
    variables: Mapping[str, str]
    env: Mapping[str, str]
    concurrency_group: str | None = None
    cancel_in_progress: bool = False


@dataclass
class Run:
    """A workflow run: what was asked, how it ended, and its log."""

    id: int
    request: RunRequest
    status: str = "queued"  # queued | pending | in_progress | completed
    conclusion: str | None = None  # success | failure | cancelled
    jobs: dict[str, JobResult] = field(default_factory=dict)
    log: str = ""
    created: float = field(default_factory=time.time)  # when the event queued it
    started: float = 0.0
    finished: float = 0.0
    checkout_seconds: float = 0.0  # cloning the event's commit for act, before it starts
    cancel_requested: bool = False
    job_tokens: list[JobToken] = field(default_factory=list)  # the GITHUB_TOKEN each job got
    _on_cancel: Callable[[], None] | None = field(default=None, repr=False, compare=False)
    _cancel_lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    def cancel(self) -> None:
        """Cancel the run while it is in progress (a newer run of a `cancel-in-progress` group)."""
        with self._cancel_lock:
            self.cancel_requested = True
            interrupt = self._on_cancel
        if interrupt is not None:
            interrupt()

    def on_cancel(self, interrupt: Callable[[], None] | None) -> None:
        """What `cancel()` does while the run is in progress; called at once if already cancelled."""
        with self._cancel_lock:
            self._on_cancel = interrupt
            already = self.cancel_requested
        if already and interrupt is not None:
            interrupt()

    @property
    def workflow(self) -> str:
        return self.request.workflow

    @property
    def event(self) -> str:
        return self.request.event_name

    @property
    def seconds(self) -> float:
        return self.finished - self.started

    def outputs(self, job: str) -> Mapping[str, str]:
        return self.jobs[job].outputs if job in self.jobs else {}

    def summary(self) -> str:
        jobs = ", ".join(f"{name}={job.result}" for name, job in self.jobs.items()) or "no jobs"
        return f"run {self.id} {self.workflow} on {self.event} ({self.request.sha[:7]}): {self.conclusion} [{jobs}]"
