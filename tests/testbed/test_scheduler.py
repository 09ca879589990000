"""Concurrency groups as GitHub applies them: one run in progress, one pending, newer pending wins;
`cancel-in-progress: true` cancels the run in progress too."""

from __future__ import annotations

import threading

from testbed.actions.record import Run, RunRequest
from testbed.actions.scheduler import Scheduler


def _request(group: str | None, cancel_in_progress: bool = False) -> RunRequest:
    return RunRequest(repo="acme/app", workflow="w.yml", event_name="push", payload={}, sha="0" * 40, secrets={},
                      variables={}, env={}, concurrency_group=group, cancel_in_progress=cancel_in_progress)


class Blocking:
    """An engine whose runs last until released (or cancelled), recording the order they started in."""

    def __init__(self) -> None:
        self.started: list[int] = []
        self.first_started = threading.Event()
        self._lock = threading.Lock()
        self._released = False
        self._waiting: list[threading.Event] = []

    def release(self) -> None:
        with self._lock:
            self._released = True
            for event in self._waiting:
                event.set()

    def __call__(self, run: Run) -> None:
        self.started.append(run.id)
        stop = threading.Event()
        with self._lock:
            self._waiting.append(stop)
            if self._released:
                stop.set()
        run.on_cancel(stop.set)
        self.first_started.set()
        stop.wait(10)
        run.on_cancel(None)
        run.status, run.conclusion = "completed", "cancelled" if run.cancel_requested else "success"


def test_group_keeps_one_pending_run_and_the_newest_wins() -> None:
    """In a concurrency group a newer pending run cancels the older pending one; the running run finishes first."""
    engine = Blocking()
    scheduler = Scheduler(engine)
    first = scheduler.submit(_request("release"))
    engine.first_started.wait(5)
    second, third = scheduler.submit(_request("release")), scheduler.submit(_request("release"))
    assert second.conclusion == "cancelled" and third.status == "pending"
    engine.release()
    scheduler.wait_idle(timeout=10)
    assert engine.started == [first.id, third.id]
    assert [run.conclusion for run in (first, second, third)] == ["success", "cancelled", "success"]


def test_cancel_in_progress_cancels_the_running_run() -> None:
    """With cancel-in-progress a new run in the group cancels the running one, then runs and succeeds."""
    engine = Blocking()
    scheduler = Scheduler(engine)
    first = scheduler.submit(_request("release", cancel_in_progress=True))
    engine.first_started.wait(5)
    second = scheduler.submit(_request("release", cancel_in_progress=True))
    engine.release()
    scheduler.wait_idle(timeout=10)
    assert first.conclusion == "cancelled"
    assert second.conclusion == "success"
    assert engine.started == [first.id, second.id]


def test_without_cancel_in_progress_the_running_run_finishes() -> None:
    """Without cancel-in-progress the running run is not cancelled: both runs succeed, one after the other."""
    engine = Blocking()
    scheduler = Scheduler(engine)
    first = scheduler.submit(_request("release"))
    engine.first_started.wait(5)
    second = scheduler.submit(_request("release"))
    assert not first.cancel_requested
    engine.release()
    scheduler.wait_idle(timeout=10)
    assert [first.conclusion, second.conclusion] == ["success", "success"]


def test_every_concurrency_decision_is_recorded_with_the_run_that_caused_it() -> None:
    """Started, queued, cancelled pending and started from queue are recorded, each naming the other run."""
    from testbed.actions.decisions import ConcurrencyDecision, DecisionLog

    engine, log = Blocking(), DecisionLog()
    scheduler = Scheduler(engine, on_decision=log.record)
    first = scheduler.submit(_request("release"))
    engine.first_started.wait(5)
    second, third = scheduler.submit(_request("release")), scheduler.submit(_request("release"))
    engine.release()
    scheduler.wait_idle(timeout=10)
    seen = [(d.run, d.action, d.by_run) for d in log.items if isinstance(d, ConcurrencyDecision)]
    assert seen == [(first.id, "started", None), (second.id, "queued", first.id),
                    (second.id, "cancelled pending", third.id), (third.id, "queued", first.id),
                    (third.id, "started from queue", first.id)]
