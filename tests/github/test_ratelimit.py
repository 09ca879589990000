"""The rate-limit counters behind the `x-ratelimit-*` headers: per subject and resource, reset hourly."""

from __future__ import annotations

from testbed.github.ratelimit import WINDOW_SECONDS, RateLimits


class Clock:
    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


def test_window_counts_until_reset_then_starts_over() -> None:
    """Requests count within the hour; at `reset` the window starts again from zero."""
    clock = Clock()
    limits = RateLimits(clock)
    first = limits.consume("user:octocat", 5000)
    second = limits.consume("user:octocat", 5000)
    assert (first.used, second.used, second.remaining) == (1, 2, 4998)
    assert first.reset == second.reset == int(clock.now) + WINDOW_SECONDS
    clock.now = second.reset
    again = limits.consume("user:octocat", 5000)
    assert (again.used, again.reset) == (1, second.reset + WINDOW_SECONDS)


def test_subjects_and_resources_are_counted_apart() -> None:
    """One user's core requests do not use another's, nor the same user's graphql budget."""
    limits = RateLimits(Clock())
    limits.consume("user:octocat", 5000)
    assert limits.peek("user:release-bot", 5000).used == 0
    assert limits.peek("user:octocat", 5000, "graphql").used == 0
    assert limits.peek("user:octocat", 5000).headers()["x-ratelimit-used"] == "1"


def test_remaining_never_goes_below_zero() -> None:
    """Past the limit `remaining` stays 0 (what the API layer refuses on)."""
    limits = RateLimits(Clock())
    for _ in range(3):
        window = limits.consume("ip:127.0.0.1", 2)
    assert (window.used, window.remaining) == (3, 0)
