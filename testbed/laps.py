"""Where a start-up's time goes: one stopwatch split into named laps (the world's start: job image,
registry, local GitHub, repositories), read by benchmarks/breakdown.py."""

from __future__ import annotations

import time
from dataclasses import dataclass, field


@dataclass
class Laps:
    """Seconds per named phase, in the order they ran; each `lap` ends the phase begun by the previous one."""

    seconds: dict[str, float] = field(default_factory=dict)
    _mark: float = field(default_factory=time.perf_counter, repr=False)

    def lap(self, name: str) -> None:
        """The time since the previous lap (or since the stopwatch was made) went to `name`."""
        now = time.perf_counter()
        self.seconds[name] = self.seconds.get(name, 0.0) + now - self._mark
        self._mark = now
