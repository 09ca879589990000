"""GitHub's primary rate limit, counted: requests per hour per user (or per workflow token's
repositories, or per client address when anonymous), for each resource (`core`, `graphql`, ...).

Limits are GitHub's published ones: 5,000 an hour for a user, 1,000 for a workflow run's
GITHUB_TOKEN, 60 when not authenticated. A request past the limit is refused as GitHub refuses it.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

WINDOW_SECONDS = 3600
USER_LIMIT = 5000
ACTIONS_LIMIT = 1000
ANONYMOUS_LIMIT = 60


@dataclass(frozen=True)
class Window:
    """One rate-limit window as the `x-ratelimit-*` headers and `GET /rate_limit` show it."""

    resource: str
    limit: int
    used: int
    reset: int  # epoch seconds

    @property
    def remaining(self) -> int:
        return max(self.limit - self.used, 0)

    def headers(self) -> dict[str, str]:
        return {
            "x-ratelimit-limit": str(self.limit),
            "x-ratelimit-remaining": str(self.remaining),
            "x-ratelimit-reset": str(self.reset),
            "x-ratelimit-used": str(self.used),
            "x-ratelimit-resource": self.resource,
        }

    def json(self) -> dict[str, int]:
        return {"limit": self.limit, "used": self.used, "remaining": self.remaining, "reset": self.reset}


class RateLimits:
    """Counters per (subject, resource); a window starts with its first request and lasts an hour."""

    def __init__(self, clock: Callable[[], float] = time.time) -> None:
        self._now = clock
        self._lock = threading.Lock()
        self._windows: dict[tuple[str, str], Window] = {}

    def peek(self, key: str, limit: int, resource: str = "core") -> Window:
        with self._lock:
            return self._current(key, limit, resource)

    def consume(self, key: str, limit: int, resource: str = "core") -> Window:
        """Count one request against `key` (whose hourly limit is `limit`); the window after it."""
        with self._lock:
            window = self._current(key, limit, resource)
            window = Window(resource, limit, window.used + 1, window.reset)
            self._windows[(key, resource)] = window
            return window

    def _current(self, key: str, limit: int, resource: str) -> Window:
        now = int(self._now())
        window = self._windows.get((key, resource))
        if window is None or window.reset <= now:
            window = Window(resource, limit, 0, now + WINDOW_SECONDS)
            self._windows[(key, resource)] = window
        return window
