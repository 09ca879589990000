"""Where the machine's CPU goes while a command runs: the job containers' own work, the Docker
engine, act, the testbed's Python and git, the registry.

Samples every core with `perf record -a --all-cgroups` (49 Hz) while the command runs, groups the
samples by cgroup (a job container's processes are in `/docker/<id>`) and command name, and prints
a Markdown table: each group's share of the busy samples and its CPU seconds (the share of the busy
seconds /proc/stat counted over the run). The last lines give the floor that CPU work sets: busy
seconds / cores, the wall time the command cannot beat on this machine without less work.
From the repository root:

    python3 benchmarks/cpu.py                          # the main command: bash scripts/spec.sh
    python3 benchmarks/cpu.py -- python3 -m pytest features -m e2e
"""

from __future__ import annotations

import argparse
import collections
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.flakiness import busy_seconds  # noqa: E402  (ROOT on sys.path first: run as a script)

HERTZ = 49
DEFAULT = ["bash", "scripts/spec.sh"]


def group_of(cgroup: str, command: str) -> str:
    """The table row a sample of `command` in `cgroup` counts towards."""
    if cgroup.startswith("/docker/"):
        if command == "python3":
            return "job containers: Python (the steps' CLIs)"
        if command.startswith("runc"):
            return "job containers: runc init"
        if command == "docker":
            return "job containers: docker CLI (build, push, login)"
        if command.startswith("git"):
            return "job containers: git"
        return "job containers: other"
    if command in ("dockerd", "exe"):  # exe: dockerd's re-executed helpers (archive copies)
        return "Docker engine: dockerd and its helpers"
    if command.startswith(("runc", "containerd")):
        return "Docker engine: containerd, shims, runc"
    if command in ("python3", "python", "MainThread"):
        return "testbed: pytest, the local GitHub, token service, engine proxy (Python)"
    if command == "act":
        return "act"
    if command.startswith("git"):
        return "testbed: git (clones, pushes, the local GitHub's git)"
    if command in ("docker-registry", "registry"):
        return "registry"
    if command == "docker":
        return "docker CLI on the host"
    return "other (kernel threads, shells, tools)"


def groups(report: str) -> tuple[dict[str, float], float]:
    """Per group the percentage of all samples, and the idle percentage, from the lines of
    `perf report --sort cgroup,comm --stdio` ("  12.34%  /docker/abc  python3")."""
    found: dict[str, float] = collections.defaultdict(float)
    idle = 0.0
    for line in report.splitlines():
        parts = line.split(None, 2)
        if len(parts) < 3 or not parts[0].endswith("%") or line.lstrip().startswith("#"):
            continue
        share = float(parts[0].rstrip("%"))
        if parts[2].strip() == "swapper":
            idle += share
        else:
            found[group_of(parts[1], parts[2].strip())] += share
    return dict(found), idle


def table(found: dict[str, float], busy: float) -> list[str]:
    """Markdown rows: group, share of the busy samples, CPU seconds."""
    total = sum(found.values()) or 1.0
    rows = ["| where | share of busy CPU | CPU seconds |", "|---|---|---|"]
    for name, share in sorted(found.items(), key=lambda item: -item[1]):
        rows.append(f"| {name} | {share / total * 100:.1f} % | {share / total * busy:.0f} |")
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python3 benchmarks/cpu.py", description=__doc__.split("\n\n")[0])
    parser.add_argument("command", nargs="*", help=f"after --: the command (default: {' '.join(DEFAULT)})")
    args = parser.parse_args(argv)
    perf = shutil.which("perf")
    if perf is None:
        parser.error("perf is not installed (Debian: apt-get install -y linux-perf)")
    command = args.command or DEFAULT
    with tempfile.TemporaryDirectory() as folder:
        data = Path(folder) / "perf.data"
        started, busy = time.monotonic(), busy_seconds()
        done = subprocess.run([perf, "record", "-q", "-a", "--all-cgroups", "-F", str(HERTZ), "-o", str(data), "--",
                               *command], cwd=ROOT, check=False)
        seconds, busy = time.monotonic() - started, busy_seconds() - busy
        report = subprocess.run([perf, "report", "-i", str(data), "--sort", "cgroup,comm", "--stdio"],
                                capture_output=True, text=True, check=False)
    if report.returncode != 0 or not report.stdout.strip():
        print(f"perf report failed: {report.stderr.strip()}", file=sys.stderr)
        return 2
    found, idle = groups(report.stdout)
    cores = os.cpu_count() or 1
    print(f"`{' '.join(command)}`: exit {done.returncode}, {seconds:.1f} s wall, {busy:.0f} CPU seconds busy "
          f"({busy / seconds:.2f} of {cores} cores; perf saw {idle:.1f} % of its samples idle)\n")
    print("\n".join(table(found, busy)))
    print(f"\nfloor on this machine: {busy:.0f} CPU s / {cores} cores = {busy / cores:.0f} s wall at every core busy")
    return done.returncode


if __name__ == "__main__":
    sys.exit(main())
