"""Builds and image removals on the one Docker engine that every test and scenario on the machine shares.

On GitHub each job has an engine of its own. Here they share one, and engine 20.10's classic builder
reads its cache by listing the images that share the parent of the step (for `FROM scratch`: every
image without a parent, pulled ones included) and then opening each of them. An image removed between
the two fails the build with `unable to find image "sha256:..."`, a fault of the machine that the
report would have to call an error.

So a build holds a machine-wide lock shared and a removal holds it exclusive: builds run side by side,
a removal waits until none runs, and a build waits for a removal under way. The lock is a `flock` on a
file named after the engine's socket, so every process sees it (pytest's workers, the spec's own pytest
under a self-test, the job containers through the testbed's engine proxy) and the kernel drops it when
its holder dies. Job containers reach it through `testbed.engineproxy`, which takes it for the requests
`guarded` names; the testbed's own `docker build` and `docker rmi` calls take it with `engine_lock()`.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Literal

from testbed.errors import TestbedError

Mode = Literal["build", "remove"]

# requests whose work races (paths without the /v1.xx prefix and the query)
GUARDED: tuple[tuple[str, re.Pattern[str], Mode], ...] = (
    ("POST", re.compile(r"^/build$"), "build"),
    ("DELETE", re.compile(r"^/images/.+"), "remove"),
    ("POST", re.compile(r"^/images/prune$"), "remove"),
)
VERSION_PREFIX = re.compile(r"^/v\d+(\.\d+)?(?=/)")  # API paths may carry one


def upstream_socket() -> str:
    """The engine's unix socket, from DOCKER_HOST as the docker CLI reads it."""
    host = os.environ.get("DOCKER_HOST", "unix:///var/run/docker.sock")
    if not host.startswith("unix://"):
        raise TestbedError(f"DOCKER_HOST={host}: the testbed reaches the engine over a unix socket only")
    return host.removeprefix("unix://")


def api_path(target: str) -> tuple[str, str]:
    """A request target's path without the /v1.xx prefix, and its query."""
    path, _, query = target.partition("?")
    return VERSION_PREFIX.sub("", path), query


def guarded(method: str, target: str) -> Mode | None:
    """Whether a request to the engine builds an image, removes images, or neither."""
    path, _ = api_path(target)
    for wanted, pattern, mode in GUARDED:
        if method == wanted and pattern.match(path):
            return mode
    return None


LOCK_DIR = Path("/tmp")  # fixed, not $TMPDIR: every process on the machine must find the same file


def lock_path(upstream: str) -> Path:
    """The lock file of the engine behind this unix socket."""
    digest = hashlib.sha256(os.path.realpath(upstream).encode()).hexdigest()[:12]
    return LOCK_DIR / f"relsuite-engine-{digest}.lock"


def lock_files(upstream: str) -> tuple[Path, Path]:
    """The lock file and the turnstile of the engine behind this socket (for removing a test's own)."""
    path = lock_path(upstream)
    return path, path.with_suffix(".turn")


def _open(path: Path) -> int:
    """The lock file opened for reading (flock needs no more); made readable by every user if missing."""
    while True:
        try:
            return os.open(path, os.O_RDONLY)
        except FileNotFoundError:
            pass
        try:
            fd = os.open(path, os.O_RDONLY | os.O_CREAT | os.O_EXCL, 0o666)
        except FileExistsError:
            continue  # made meanwhile by another process: open that one
        os.fchmod(fd, 0o666)
        return fd


def _locked(path: Path, operation: int) -> int:
    """A descriptor of `path` holding the flock `operation`; the file it locks is still the one at `path`
    (a temporary-folder cleaner may have removed it meanwhile: then again on the new file)."""
    while True:
        fd = _open(path)
        try:
            fcntl.flock(fd, operation)
            held = os.fstat(fd)
            try:
                now = os.stat(path)
            except FileNotFoundError:
                now = None
            if now is not None and (now.st_dev, now.st_ino) == (held.st_dev, held.st_ino):
                with contextlib.suppress(OSError):
                    os.utime(fd)  # in use: a cleaner of old files in /tmp must not take it for stale
                return fd
        except BaseException:
            os.close(fd)
            raise
        os.close(fd)


class Held:
    """One hold of the lock, released once (from whichever thread sees the work end first).

    Removals go first: a removal holds a second file (the turnstile) exclusive while it waits, and a
    build passes through the turnstile before it takes its shared hold, so builds that keep
    overlapping cannot keep a removal waiting for ever (flock alone would let them)."""

    def __init__(self, upstream: str, mode: Mode) -> None:
        path, turnstile = lock_files(upstream)
        if mode == "build":
            os.close(_locked(turnstile, fcntl.LOCK_SH))  # waits while a removal waits
            self._fd: int | None = _locked(path, fcntl.LOCK_SH)
        else:
            turn = _locked(turnstile, fcntl.LOCK_EX)
            try:
                self._fd = _locked(path, fcntl.LOCK_EX)
            finally:
                os.close(turn)
        self._lock = threading.Lock()

    def release(self) -> None:
        with self._lock:
            if self._fd is not None:
                os.close(self._fd)  # closing the only descriptor of the open file drops the flock
                self._fd = None


@contextmanager
def engine_lock(mode: Mode, upstream: str | None = None) -> Iterator[None]:
    """Hold the engine's lock while the caller builds (shared) or removes images (exclusive) itself."""
    hold = Held(upstream or upstream_socket(), mode)
    try:
        yield
    finally:
        hold.release()
