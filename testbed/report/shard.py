"""`--shard K/N`: run the K-th of N balanced shares of the selected tests.

Balanced by stored durations (benchmarks/spec-durations.json, written by `--store-durations`):
longest test first, each to the share with the least total so far; a test without a stored
duration counts as the median of the known ones. The split depends only on the node ids and
the stored durations, so every machine (and every xdist worker) computes the same shares.
"""

from __future__ import annotations

import json
import re
import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

DURATIONS = Path(__file__).resolve().parents[2] / "benchmarks" / "spec-durations.json"
SHARD = re.compile(r"^(\d+)/(\d+)$")


@dataclass(frozen=True)
class Shard:
    index: int  # 1-based
    total: int

    def __str__(self) -> str:
        return f"{self.index}/{self.total}"


def parse_shard(text: str) -> Shard:
    """`K/N` with 1 <= K <= N; anything else is a usage error that says so."""
    match = SHARD.match(text.strip())
    if not match or not 1 <= int(match.group(1)) <= int(match.group(2)):
        raise ValueError(f"--shard {text!r}: expected K/N with 1 <= K <= N, e.g. --shard 1/3")
    return Shard(int(match.group(1)), int(match.group(2)))


def load_durations(path: Path = DURATIONS) -> dict[str, float]:
    if not path.exists():
        return {}
    data = json.loads(path.read_text())
    return {str(key): float(value) for key, value in data.items()}


def store_durations(measured: Mapping[str, float], path: Path = DURATIONS) -> None:
    """Merge newly measured seconds per node id into the stored file (sorted, stable diffs)."""
    known = load_durations(path)
    known.update({key: round(value, 2) for key, value in measured.items()})
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(dict(sorted(known.items())), indent=1) + "\n")


def shares(nodeids: Sequence[str], total: int, durations: Mapping[str, float]) -> list[list[str]]:
    """The node ids split into `total` shares of about equal stored duration (each share in input order)."""
    known = [durations[n] for n in nodeids if n in durations]
    default = statistics.median(known) if known else 1.0
    weight = {n: durations.get(n, default) for n in nodeids}
    loads = [0.0] * total
    assigned: list[set[str]] = [set() for _ in range(total)]
    for nodeid in sorted(nodeids, key=lambda n: (-weight[n], n)):
        target = min(range(total), key=lambda i: (loads[i], i))
        loads[target] += weight[nodeid]
        assigned[target].add(nodeid)
    return [[n for n in nodeids if n in share] for share in assigned]


def select(nodeids: Sequence[str], shard: Shard, durations: Mapping[str, float]) -> list[str]:
    return shares(nodeids, shard.total, durations)[shard.index - 1]
