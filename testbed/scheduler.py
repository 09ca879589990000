"""Workflow runs queued and started as GitHub does, `concurrency` groups included.

Runs start at once, each on its own thread, unless their workflow names a concurrency group
that already has a run in progress. Like GitHub, a group holds one run in progress and one
pending; a newer pending run cancels the older pending one, and with `cancel-in-progress: true`
the run in progress too (act is interrupted as Ctrl-C would; the run ends `cancelled`).
"""

from __future__ import annotations

import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field

from testbed.decisions import ConcurrencyAction, ConcurrencyDecision
from testbed.errors import TestbedError
from testbed.runner import Run, RunRequest

Execute = Callable[[Run], None]


@dataclass
class _Group:
    running: Run | None = None
    pending: Run | None = None


@dataclass
class Scheduler:
    """Owns every run of the world; `wait_idle()` returns when none is queued or running."""

    execute: Execute
    runs: list[Run] = field(default_factory=list)
    on_decision: Callable[[ConcurrencyDecision], None] | None = None  # hears what each group did
    _groups: dict[str, _Group] = field(default_factory=dict)
    _active: int = 0
    _cond: threading.Condition = field(default_factory=threading.Condition)
    _threads: list[threading.Thread] = field(default_factory=list)

    def submit(self, request: RunRequest) -> Run:
        with self._cond:
            run = Run(id=len(self.runs) + 1, request=request)
            self.runs.append(run)
            group_name = request.concurrency_group
            if group_name is None:
                self._start(run)
                return run
            group = self._groups.setdefault(group_name, _Group())
            if group.running is None:
                group.running = run
                self._decide(run, group_name, "started")
                self._start(run)
            else:
                if group.pending is not None:
                    group.pending.status, group.pending.conclusion = "completed", "cancelled"
                    group.pending.log = f"Canceling since a higher priority waiting request for {group_name!r} exists"
                    self._decide(group.pending, group_name, "cancelled pending", by=run)
                run.status = "pending"
                group.pending = run
                self._decide(run, group_name, "queued", by=group.running)
                if request.cancel_in_progress:
                    self._decide(group.running, group_name, "cancel in progress", by=run)
                    group.running.cancel()  # it ends soon; the pending run starts when it has
            self._cond.notify_all()
            return run

    def _decide(self, run: Run, group: str, action: ConcurrencyAction, by: Run | None = None) -> None:
        if self.on_decision is not None:
            self.on_decision(ConcurrencyDecision(run.id, run.workflow, group, action, by.id if by else None))

    def _start(self, run: Run) -> None:
        self._active += 1
        thread = threading.Thread(target=self._work, args=(run,), name=f"run-{run.id}", daemon=True)
        self._threads.append(thread)
        thread.start()

    def _work(self, run: Run) -> None:
        try:
            self.execute(run)
        except Exception:  # noqa: BLE001 - an engine error is recorded on the run, not lost in a thread
            run.status, run.conclusion = "completed", "error"
            run.log += "\ntestbed error:\n" + traceback.format_exc()
        finally:
            run.finished = run.finished or time.time()
            with self._cond:
                self._active -= 1
                group_name = run.request.concurrency_group
                group = self._groups.get(group_name) if group_name else None
                if group is not None and group.running is run:
                    group.running, next_run = group.pending, group.pending
                    group.pending = None
                    if next_run is not None:
                        self._decide(next_run, group_name or "", "started from queue", by=run)
                        self._start(next_run)
                self._cond.notify_all()

    @property
    def idle(self) -> bool:
        with self._cond:
            return self._active == 0 and not any(group.pending for group in self._groups.values())

    def wait_idle(self, timeout: float = 900.0) -> None:
        deadline = time.monotonic() + timeout
        with self._cond:
            while self._active or any(group.pending for group in self._groups.values()):
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    busy = [run.summary() for run in self.runs if run.status != "completed"]
                    raise TestbedError(f"workflow runs still busy after {timeout:.0f} s: {busy}")
                self._cond.wait(remaining)

    def join(self) -> None:
        for thread in list(self._threads):
            thread.join(timeout=5)
