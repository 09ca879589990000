"""What a run of the spec judged: the workflow files (and a hash of them), runner mode, merge
method, suite version, the versions of act, the registry, Docker and Python, date and machine."""

from __future__ import annotations

import hashlib
import os
import platform
import shutil
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

from testbed.report.model import Environment

SUITE_ROOT = Path(__file__).resolve().parents[2]


def _first_line(command: list[str]) -> str:
    if shutil.which(command[0]) is None:
        return f"not found ({command[0]} not on PATH)"
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=20, check=False)
    except (OSError, subprocess.TimeoutExpired) as error:
        return f"unknown ({error})"
    lines = (done.stdout or done.stderr).strip().splitlines()
    return lines[0].strip() if done.returncode == 0 and lines else f"unknown (exit {done.returncode})"


def workflows_digest(folder: Path) -> tuple[str, list[str]]:
    """sha256 over the workflow files' names and bytes (sorted), and the names."""
    files = sorted(folder.glob("*.y*ml")) if folder.is_dir() else []
    digest = hashlib.sha256()
    for path in files:
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest(), [path.name for path in files]


def suite_version(root: Path = SUITE_ROOT) -> str:
    commit = _first_line(["git", "-C", str(root), "rev-parse", "HEAD"])
    dirty = subprocess.run(["git", "-C", str(root), "status", "--porcelain", "--untracked-files=no"],
                           capture_output=True, text=True, check=False).stdout.strip()
    return f"{commit}{' (with uncommitted changes)' if dirty else ''}"


def gather(*, workflows: Path, runner: str, merge_method: str, shard: str = "") -> Environment:
    digest, names = workflows_digest(workflows)
    return Environment(
        workflows=str(workflows),
        workflows_sha256=digest,
        workflow_files=", ".join(names),
        runner=runner,
        merge_method=merge_method,
        suite_version=suite_version(),
        act=_first_line(["act", "--version"]),
        registry=_first_line(["docker-registry", "--version"]),
        docker=_first_line(["docker", "version", "--format", "engine {{.Server.Version}}, client {{.Client.Version}}"]),
        python=f"{platform.python_implementation()} {sys.version.split()[0]}",
        date=datetime.now(UTC).replace(microsecond=0).isoformat(),
        machine=f"{platform.node()}: {platform.system()} {platform.machine()}, {os.cpu_count()} cores",
        shard=shard,
    )
