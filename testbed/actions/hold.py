"""Runs that wait for a runner: the events of a pull request into (or a push to) a held branch are
sent as GitHub sends them, but their runs start only when the scenario frees a runner."""

from __future__ import annotations

from testbed.actions.record import RunRequest
from testbed.github import Event


class RunHold:
    """The branches whose runs wait, and the runs waiting."""

    def __init__(self) -> None:
        self.branches: set[str] = set()
        self._held: list[RunRequest] = []

    def keep(self, event: Event, request: RunRequest) -> bool:
        """Keep `request` waiting when `event` targets a held branch; False: start it now."""
        pull = event.payload.get("pull_request") or {}
        ref = str(pull.get("base", {}).get("ref", "")) if pull else str(event.payload.get("ref", ""))
        if ref.removeprefix("refs/heads/") not in self.branches:
            return False
        self._held.append(request)
        return True

    def release(self) -> list[RunRequest]:
        """Stop holding; the runs that waited, in the order their events came."""
        self.branches.clear()
        held, self._held = self._held, []
        return held
