"""Running git: the one place the testbed starts `git`, with the constants and the error every git user shares.

`testbed.gitrepo` (host-side history set-up, pushes over HTTP, checkouts for act) and
`testbed.github.gitdata` / `gitobjects` / `gitmerge` (the local GitHub reading and writing its bare
repositories) all run git through here.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Mapping
from pathlib import Path

from testbed.errors import TestbedError

GIT_ENV = {"GIT_CONFIG_NOSYSTEM": "1", "GIT_TERMINAL_PROMPT": "0"}  # no machine config, never prompt
ZERO = "0" * 40  # the SHA git and GitHub give a ref that does not exist (created / deleted)
EMPTY_TREE = "4b825dc642cb6eb9a060e54bf8d69288fbee4904"  # the tree with no entries


class GitError(TestbedError):
    """A git command failed: the message names the command and says what git said."""


def run(cwd: Path | None, *args: str, input_bytes: bytes | None = None,
        env: Mapping[str, str] | None = None) -> subprocess.CompletedProcess[bytes]:
    """`git ARGS` in `cwd` with the shared environment; the caller reads the exit code and the bytes out."""
    return subprocess.run(
        ["git", *args], cwd=cwd, input=input_bytes, capture_output=True, check=False,
        env={**os.environ, **GIT_ENV, **(env or {})},
    )


def git(cwd: Path | None, *args: str, input_text: str | None = None, env: Mapping[str, str] | None = None,
        check: bool = True) -> str:
    """The standard output of `git ARGS` in `cwd`; GitError when it fails and `check`."""
    result = run(cwd, *args, input_bytes=input_text.encode() if input_text is not None else None, env=env)
    if check and result.returncode != 0:
        raise failed(args, result)
    return result.stdout.decode(errors="replace")


def succeeds(cwd: Path | None, *args: str) -> bool:
    """Whether `git ARGS` in `cwd` exits 0 (for commands that answer by exit code)."""
    return run(cwd, *args).returncode == 0


def failed(args: tuple[str, ...] | list[str], result: subprocess.CompletedProcess[bytes]) -> GitError:
    """The error for a failed `git ARGS`, in git's own words."""
    said = (result.stderr or result.stdout).decode(errors="replace").strip()
    return GitError(f"git {' '.join(args[:3])} failed: {said or f'exit code {result.returncode}'}")


def show(cwd: Path, rev: str, path: str) -> bytes | None:
    """The bytes of `path` at `rev`, or None when there is no such file."""
    result = run(cwd, "show", f"{rev}:{path}")
    return result.stdout if result.returncode == 0 else None
