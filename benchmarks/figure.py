"""One measured figure of the benchmark table: its values, unit, target and the command behind it."""

from __future__ import annotations

import statistics
from dataclasses import dataclass


@dataclass
class Figure:
    """A benchmark figure: the median of `values` is reported next to `target`; `met` says if it holds."""

    name: str
    values: list[float]
    unit: str
    target: str
    command: str
    met: bool | None = None

    @property
    def median(self) -> float:
        return statistics.median(self.values) if self.values else float("nan")
