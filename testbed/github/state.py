"""What the local GitHub knows: repositories (their records are in `records`), tokens,
recorded events and dispatches, injected faults.

A typed model with a public interface; the HTTP layer and the route modules read and change it
only through the names defined here. Git objects and refs stay in the bare repositories
(`gitdata` reads them); this holds what GitHub keeps next to git.
"""

from __future__ import annotations

import itertools
import re
import secrets
import threading
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from testbed.github.permissions import Permissions
from testbed.github.ratelimit import RateLimits
from testbed.github.records import Repo, WorkflowRun


@dataclass(frozen=True)
class Event:
    """An event GitHub would deliver to workflows (`suppressed`: caused by a workflow's token)."""

    name: str
    repo: str
    payload: Mapping[str, Any]
    ref: str
    sha: str
    actor: str
    suppressed: bool
    seq: int


@dataclass(frozen=True)
class Dispatch:
    """A repository_dispatch or workflow_dispatch that GitHub accepted."""

    repo: str
    kind: str  # repository_dispatch | workflow_dispatch
    event_type: str
    client_payload: Mapping[str, Any]
    sender: str
    seq: int


@dataclass(frozen=True)
class Token:
    """An access token: whose it is, which repositories it reaches (None: all), whether it is a
    workflow run's GITHUB_TOKEN (an installation token: its events start no runs), and what it may
    do there (`permissions`; None: everything its user may, as a personal token)."""

    value: str
    login: str
    repos: frozenset[str] | None
    actions: bool
    permissions: Permissions | None = None

    def reaches(self, full_name: str) -> bool:
        return self.repos is None or full_name in self.repos

    @property
    def anonymous(self) -> bool:
        return not self.value


# what a request without credentials runs as, on the few operations GitHub serves to anyone
ANONYMOUS = Token(value="", login="", repos=frozenset(), actions=False)


@dataclass
class Fault:
    """An injected failure: the next `remaining` requests matching method and pattern get `status`."""

    method: str
    pattern: re.Pattern[str]
    status: int
    remaining: int
    rate_limit: bool
    hits: int = 0


class State:
    """Everything the local GitHub holds, safe to use from several request threads."""

    def __init__(self, on_event: Callable[[Event], None] | None = None) -> None:
        self.on_event = on_event
        self.events: list[Event] = []
        self.dispatches: list[Dispatch] = []
        self.faults: list[Fault] = []
        self.push_delay = 0.0  # seconds a git push waits before it is applied (github.com under load)
        self.internal_errors: list[str] = []  # the local GitHub's own failures (answered 500): testbed bugs
        self.rate_limits = RateLimits()
        self.lock = threading.RLock()
        self._repos: dict[str, Repo] = {}
        self._tokens: dict[str, Token] = {}
        self._ids: Iterator[int] = itertools.count(1000)
        # who runs the workflows tells what runs exist (the testbed's scheduler); none: no runs
        self.run_source: Callable[[], list[WorkflowRun]] | None = None

    def next_id(self) -> int:
        with self.lock:
            return next(self._ids)

    # repositories
    def add_repo(self, full_name: str, bare: Path, *, default_branch: str, created: str) -> Repo:
        with self.lock:
            repo = Repo(full_name, next(self._ids), bare, default_branch, created, created)
            self._repos[full_name] = repo
            return repo

    def repo(self, full_name: str) -> Repo | None:
        with self.lock:
            return self._repos.get(full_name)

    def repos(self) -> list[Repo]:
        with self.lock:
            return list(self._repos.values())

    def workflow_runs(self, full_name: str) -> list[WorkflowRun]:
        """The runs of a repository's workflows, newest first, as their runner reports them."""
        found = self.run_source() if self.run_source is not None else []
        return sorted((run for run in found if run.repo == full_name), key=lambda run: run.id, reverse=True)

    # tokens
    def issue_token(self, login: str, *, repos: set[str] | None = None, actions: bool = False,
                    permissions: Permissions | None = None) -> Token:
        value = f"{'ghs' if actions else 'ghp'}_{secrets.token_hex(18)}"
        token = Token(value, login, frozenset(repos) if repos is not None else None, actions, permissions)
        with self.lock:
            self._tokens[value] = token
        return token

    def revoke_token(self, value: str) -> None:
        with self.lock:
            self._tokens.pop(value, None)

    def token(self, value: str) -> Token | None:
        with self.lock:
            return self._tokens.get(value) if value else None

    # faults
    def add_fault(self, fault: Fault) -> None:
        with self.lock:
            self.faults.append(fault)

    def take_fault(self, method: str, path: str) -> Fault | None:
        """The first armed fault matching this request, used up by one."""
        with self.lock:
            for fault in self.faults:
                if fault.remaining > 0 and fault.method in (method, "*") and fault.pattern.search(path):
                    fault.remaining -= 1
                    fault.hits += 1
                    return fault
        return None

    # events and dispatches
    def record_event(self, name: str, repo: Repo, payload: Mapping[str, Any], *, ref: str, sha: str,
                     token: Token | None) -> Event:
        """Record an event; one caused by a workflow token is suppressed (dispatches never are)."""
        suppressed = bool(token and token.actions and name not in ("repository_dispatch", "workflow_dispatch"))
        with self.lock:
            event = Event(name, repo.full_name, payload, ref, sha, token.login if token else "", suppressed,
                          len(self.events) + 1)
            self.events.append(event)
        return event

    def record_dispatch(self, event: Event, *, kind: str, event_type: str,
                        client_payload: Mapping[str, Any]) -> Dispatch:
        dispatch = Dispatch(event.repo, kind, event_type, client_payload, event.actor, event.seq)
        with self.lock:
            self.dispatches.append(dispatch)
        return dispatch

    def deliver(self, events: list[Event]) -> None:
        """Hand events to the listener once the state change is complete (call outside any lock)."""
        for event in events:
            if not event.suppressed and self.on_event is not None:
                self.on_event(event)
