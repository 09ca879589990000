"""One report out of the cucumber JSON files of N shards (or of N xdist-free runs of parts).

A scenario that ran in one file wins over its "not run" entry in the others (each shard lists the
scenarios it left to the other shards). Shards must have judged the same thing: the same workflow
files (hash), runner mode, merge method and suite version; otherwise the merge refuses and names
the difference. A scenario that ran in two files is refused too (two shards overlapped).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from testbed.report import cucumber
from testbed.report.model import Environment, Report, ScenarioResult


class MergeError(ValueError):
    """The files cannot be merged into one judgement; the message says which file and why."""


def _environment(parts: Sequence[tuple[Path, Report]]) -> Environment:
    judged = [(path, report.environment) for path, report in parts if report.environment.workflows_sha256]
    if not judged:
        return Environment()
    first_path, first = judged[0]
    for path, other in judged[1:]:
        for name in Environment.JUDGED:
            if getattr(other, name) != getattr(first, name):
                raise MergeError(f"{path} judged {name} = {getattr(other, name)!r}, but {first_path} judged "
                                 f"{getattr(first, name)!r}: merge only shards of one run of the spec")
    environments = [env for _, env in judged]
    if len(environments) == 1:
        return first
    machines = sorted({env.machine for env in environments})
    shards = sorted(env.shard for env in environments if env.shard)
    return replace(first, date=min(env.date for env in environments), machine="; ".join(machines),
                   duration_seconds=round(max(env.duration_seconds for env in environments), 2),
                   shard=f"merged from {len(environments)} files" + (f" ({', '.join(shards)})" if shards else ""))


def merge_reports(parts: Sequence[tuple[Path, Report]]) -> Report:
    chosen: dict[str, tuple[Path, ScenarioResult]] = {}
    for path, report in parts:
        for scenario in report.scenarios:
            seen = chosen.get(scenario.nodeid)
            if seen is None or seen[1].verdict == "not run":
                chosen[scenario.nodeid] = (path, scenario)
            elif scenario.verdict != "not run":
                raise MergeError(f"scenario {scenario.nodeid} ran in both {seen[0]} and {path}: the shards overlap")
    scenarios = sorted((scenario for _, scenario in chosen.values()), key=lambda s: s.sort_key)
    return Report(_environment(parts), scenarios)


def merge_files(paths: Sequence[Path]) -> Report:
    if not paths:
        raise MergeError("no cucumber JSON files given: pass the shards' files, e.g. results/shard-*.json")
    parts = []
    for path in paths:
        try:
            parts.append((path, cucumber.read(path)))
        except ValueError as error:
            raise MergeError(str(error)) from error
    return merge_reports(parts)
