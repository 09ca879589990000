"""Unpacking an archive into a folder as the Docker engine unpacks `PUT /containers/{id}/archive`.

Only the plain case: regular files and folders with relative names, nothing in the way that the
engine would refuse (a folder over a file or a file over a folder, with act's
`noOverwriteDirNonDir`). `plan` says whether the archive is such a case (None when not: the engine
decides); `unpack` then writes it: missing parents made 0755, a file replaced (a new file, not the
old one rewritten), mode, owner and time from the archive, folders' times set last.
"""

from __future__ import annotations

import io
import os
import tarfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import PurePosixPath

PLAIN_FILE = (tarfile.REGTYPE, tarfile.AREGTYPE)


@dataclass(frozen=True)
class Placed:
    """One archive entry and where it lands on the host."""

    entry: tarfile.TarInfo
    target: str


def plan(body: bytes, root: str, inside: str, locate: Callable[[str], str | None]) -> list[Placed] | None:
    """Where each entry of the archive lands, or None when this is not the plain case. `locate` maps a
    path inside the container to the host (None when it is not in the same plain mount)."""
    try:
        with tarfile.open(fileobj=io.BytesIO(body), mode="r:") as tar:
            entries = tar.getmembers()
    except (tarfile.TarError, EOFError):
        return None
    placed = []
    for entry in entries:
        parts = tuple(p for p in PurePosixPath(entry.name).parts if p != ".")
        if not parts or entry.name.startswith("/") or ".." in parts:
            return None
        if not (entry.type in PLAIN_FILE or entry.isdir()):
            return None
        target = os.path.join(root, *parts)
        if locate(str(PurePosixPath(inside, *parts))) != target:
            return None  # a link on the way, or another mount: the engine decides
        if os.path.lexists(target) and os.path.isdir(target) != entry.isdir():
            return None  # a folder over a file or a file over a folder: the engine refuses or removes
        placed.append(Placed(entry, target))
    return placed


def unpack(body: bytes, root: str, placed: list[Placed]) -> None:
    """Write the planned entries (see the module's description)."""
    folders = []
    with tarfile.open(fileobj=io.BytesIO(body), mode="r:") as tar:
        for item in placed:
            _parents(root, os.path.dirname(item.target))
            if item.entry.isdir():
                if not os.path.isdir(item.target):
                    os.mkdir(item.target)
                folders.append(item)
            else:
                if os.path.lexists(item.target):
                    os.unlink(item.target)
                source = tar.extractfile(item.entry)
                with open(item.target, "wb") as out:
                    out.write(source.read() if source is not None else b"")
                _owner_mode_time(item)
    for item in folders:
        _owner_mode_time(item)


def _parents(root: str, folder: str) -> None:
    missing = []
    while folder != root and not os.path.isdir(folder):
        missing.append(folder)
        folder = os.path.dirname(folder)
    for path in reversed(missing):
        os.mkdir(path)
        os.chmod(path, 0o755)


def _owner_mode_time(item: Placed) -> None:
    os.lchown(item.target, item.entry.uid, item.entry.gid)
    os.chmod(item.target, item.entry.mode & 0o7777)
    os.utime(item.target, (item.entry.mtime, item.entry.mtime))
