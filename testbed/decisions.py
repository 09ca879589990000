"""Why a workflow did or did not start, and what its concurrency group did with it.

Every trigger decision (one per workflow file per event) and every concurrency decision (a run
started, queued, cancelled, and by which run) is a typed record the World keeps and logs with the
standard `logging` module, so a failing scenario's report, and `python -m testbed up`, can say why
the merge started no run. Invalid workflow files are recorded (and logged as warnings), never
skipped silently.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, field
from typing import Literal

TRIGGER_LOG = logging.getLogger("testbed.triggers")
CONCURRENCY_LOG = logging.getLogger("testbed.concurrency")

TriggerVerdict = Literal["started", "not triggered", "invalid"]
ConcurrencyAction = Literal["started", "queued", "cancelled pending", "cancel in progress", "started from queue"]


@dataclass(frozen=True)
class TriggerDecision:
    """One workflow file judged against one event: did GitHub start it, and why (not)."""

    workflow: str  # file name under .github/workflows
    event: str  # event name, with its activity type: `pull_request.closed`
    sha: str  # the commit whose workflow files were read
    verdict: TriggerVerdict
    reason: str
    at: float = field(default_factory=time.time)

    def line(self) -> str:
        return f"{self.workflow} on {self.event} ({self.sha[:7]}): {self.verdict}: {self.reason}"


@dataclass(frozen=True)
class ConcurrencyDecision:
    """What a workflow-level concurrency group did with a run."""

    run: int
    workflow: str
    group: str
    action: ConcurrencyAction
    by_run: int | None = None  # the run that caused it (the newer run, or the one that finished)
    at: float = field(default_factory=time.time)

    def line(self) -> str:
        by = f" by run {self.by_run}" if self.by_run is not None else ""
        return f"run {self.run} {self.workflow} in group {self.group!r}: {self.action}{by}"


Decision = TriggerDecision | ConcurrencyDecision


class DecisionLog:
    """The decisions of one world, in order; each one is logged as it is recorded."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._items: list[Decision] = []

    def record(self, decision: Decision) -> None:
        with self._lock:
            self._items.append(decision)
        if isinstance(decision, TriggerDecision):
            level = logging.WARNING if decision.verdict == "invalid" else logging.INFO
            TRIGGER_LOG.log(level, "%s", decision.line())
        else:
            CONCURRENCY_LOG.info("%s", decision.line())

    @property
    def items(self) -> list[Decision]:
        with self._lock:
            return list(self._items)

    @property
    def triggers(self) -> list[TriggerDecision]:
        return [item for item in self.items if isinstance(item, TriggerDecision)]

    @property
    def concurrency(self) -> list[ConcurrencyDecision]:
        return [item for item in self.items if isinstance(item, ConcurrencyDecision)]
