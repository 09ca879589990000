"""Keeping concurrent act runs apart on one machine.

Each run works in its own copy of the workflows, whose top-level `name:` gets a tag unique to the
run (act names job containers and volumes after it); runs of a workflow that cannot be renamed take
a machine-wide lock; every container a run starts carries the `RUN_LABEL` label, by which its
leftovers are removed when it ends.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import yaml

RUN_LABEL = "io.relsuite.run"
LOCKS = Path(tempfile.gettempdir()) / "relsuite-act-locks"


def workflow_files(workflows: Path, file_name: str) -> list[str]:
    """The workflow file and every local reusable workflow it calls, transitively."""
    found: list[str] = []
    pending = [file_name]
    while pending:
        name = pending.pop()
        if name in found:
            continue
        found.append(name)
        try:
            document = yaml.safe_load((workflows / name).read_text()) or {}
        except (OSError, yaml.YAMLError):
            continue
        jobs = document.get("jobs") if isinstance(document, dict) else None
        for job in (jobs or {}).values() if isinstance(jobs, dict) else ():
            uses = str(job.get("uses", "")) if isinstance(job, dict) else ""
            if uses.startswith("./.github/workflows/"):
                pending.append(uses.removeprefix("./.github/workflows/"))
    return found


def distinct_names(workflows: Path, file_name: str, tag: str) -> list[str]:
    """Give this run's workflows names no other act process uses; return the names left shared.

    act names a job container, and its volumes, after the workflow's `name:` and the job id,
    nothing else, so two act processes running the same workflow at once (two scenarios on two
    pytest-xdist workers) would share, and remove, each other's containers. In the run's own
    checkout the top-level `name:` of each file gets `tag` appended; only the display name (and
    `github.workflow`) changes. A file whose name cannot be rewritten safely keeps it, and the
    caller serialises runs of that name machine-wide instead.
    """
    shared = []
    for name in workflow_files(workflows, file_name):
        path = workflows / name
        try:
            text = path.read_text()
            document = yaml.safe_load(text)
        except (OSError, yaml.YAMLError):
            continue
        if not isinstance(document, dict):
            continue
        current = str(document.get("name") or name)
        wanted = f"{current} [{tag}]"
        lines = text.splitlines(keepends=True)
        tops = [i for i, line in enumerate(lines) if line.startswith("name:")]
        if len(tops) == 1:
            lines[tops[0]] = f"name: {json.dumps(wanted)}\n"
        elif not tops and "name" not in document:
            lines.insert(0, f"name: {json.dumps(wanted)}\n")
        renamed = "".join(lines)
        try:
            ok = (yaml.safe_load(renamed) or {}).get("name") == wanted
        except yaml.YAMLError:
            ok = False
        if ok:
            path.write_text(renamed)
        else:
            shared.append(current)
    return sorted(set(shared))


@contextlib.contextmanager
def machine_lock(key: str) -> Iterator[None]:
    """Hold a lock named `key` across every process on this machine."""
    LOCKS.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256(key.encode()).hexdigest()[:16]
    with open(LOCKS / digest, "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def remove_leftovers(label: str) -> None:
    """act leaves the container and volumes of a failed job behind; a finished run leaves nothing."""
    listed = subprocess.run(
        ["docker", "ps", "-aq", "--filter", f"label={RUN_LABEL}={label}"], capture_output=True, text=True, check=False
    )
    containers = listed.stdout.split()
    if not containers:
        return
    names = subprocess.run(
        ["docker", "inspect", "--format", "{{.Name}}", *containers], capture_output=True, text=True, check=False
    ).stdout.split()
    subprocess.run(["docker", "rm", "-f", "-v", *containers], capture_output=True, check=False)
    volumes = [name.lstrip("/") + suffix for name in names for suffix in ("", "-env")]
    subprocess.run(["docker", "volume", "rm", "-f", *volumes], capture_output=True, check=False)
