"""Make a hosted repository big in objects, cheaply: one commit of many tiny files written by
`git fast-import` straight into the bare repository, on a ref of its own (history, no events).

Git abbreviates object names to more than 7 hex digits once a repository holds more than
2^14 objects (`core.abbrev` auto: half the bits of the object count, rounded up), which is what
this is for.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from testbed.errors import TestbedError
from testbed.gitrepo import IDENTITY, git


def fast_import_files(bare: Path, ref: str, count: int) -> str:
    """Commit `count` distinct tiny files (100 per folder) on `ref` (on top of it, if it exists); return the commit."""
    lines = [f"commit {ref}", "committer Dev Eloper <dev@acme.test> 1700000000 +0000", "data 13",
             "Bulk history"]
    parent = subprocess.run(["git", "rev-parse", "--verify", "--quiet", ref], cwd=bare, capture_output=True, text=True,
                            check=False).stdout.strip()
    if parent:
        lines.append(f"from {parent}")  # grow the ref again: keep what it held reachable
    for number in range(count):
        content = f"asset {number}\n"
        lines.append(f"M 644 inline assets/{number // 100:04d}/{number % 100:02d}.txt")
        lines.append(f"data {len(content.encode())}")
        lines.append(content.rstrip("\n"))
    stream = ("\n".join(lines) + "\n").encode()
    result = subprocess.run(["git", "fast-import", "--quiet"], cwd=bare, input=stream, capture_output=True,
                            check=False, env={**os.environ, **IDENTITY})
    if result.returncode != 0:
        raise TestbedError(f"git fast-import into {bare} failed: {result.stderr.decode(errors='replace')[-400:]}")
    return git("rev-parse", ref, cwd=bare)


def abbreviation_length(repository: Path, rev: str = "HEAD") -> int:
    """How many hex digits `git rev-parse --short` gives for `rev` in this repository."""
    return len(git("rev-parse", "--short", rev, cwd=repository))
