"""Git database objects written and read one at a time (blobs, trees, commits, annotated tags),
as GitHub's git database API does it. Pure git on a bare repository: no records, no events."""

from __future__ import annotations

import os
import subprocess
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from testbed.github.gitdata import GIT_ENV, GitError, git

TREE_MODE = "040000"


@dataclass(frozen=True)
class TreeEntry:
    path: str
    mode: str
    type: str  # blob | tree | commit
    sha: str
    size: int | None


@dataclass(frozen=True)
class Change:
    """One entry of a tree to create: `sha` None with no `content` deletes the path."""

    path: str
    mode: str
    type: str
    sha: str | None = None
    content: bytes | None = None


@dataclass(frozen=True)
class Signature:
    name: str
    email: str
    date: str | None = None  # ISO 8601; None: now


@dataclass(frozen=True)
class Tag:
    sha: str
    name: str
    object_sha: str
    object_type: str
    tagger: Signature
    message: str


def write_blob(bare: Path, data: bytes) -> str:
    result = subprocess.run(["git", "hash-object", "-w", "--stdin"], cwd=bare, input=data, capture_output=True,
                            check=False, env={**os.environ, **GIT_ENV})
    if result.returncode != 0:
        raise GitError(result.stderr.decode(errors="replace").strip())
    return result.stdout.decode().strip()


def read_blob(bare: Path, sha: str) -> bytes | None:
    if object_kind(bare, sha) != "blob":
        return None
    return subprocess.run(["git", "cat-file", "blob", sha], cwd=bare, capture_output=True, check=True).stdout


def object_kind(bare: Path, sha: str) -> str | None:
    out = git(bare, "cat-file", "-t", sha, check=False).strip()
    return out or None


def write_tree(bare: Path, changes: list[Change], *, base_tree: str | None = None) -> str:
    """A tree: `base_tree` (or empty) with `changes` applied; nested paths create their trees."""
    with tempfile.TemporaryDirectory(prefix="index-") as scratch:
        env = {"GIT_INDEX_FILE": str(Path(scratch) / "index")}
        if base_tree:
            git(bare, "read-tree", base_tree, env=env)
        for change in changes:
            if change.content is None and change.sha is None:
                git(bare, "update-index", "--force-remove", "--", change.path, env=env)
            elif change.mode == TREE_MODE or change.type == "tree":
                git(bare, "update-index", "--force-remove", "--", change.path, env=env)
                git(bare, "read-tree", f"--prefix={change.path.strip('/')}/", str(change.sha), env=env)
            else:
                sha = write_blob(bare, change.content) if change.content is not None else str(change.sha)
                git(bare, "update-index", "--add", "--cacheinfo", f"{change.mode},{sha},{change.path}", env=env)
        return git(bare, "write-tree", env=env).strip()


def read_tree(bare: Path, sha: str, *, recursive: bool = False) -> list[TreeEntry]:
    args = ["ls-tree", "-l", *(["-r", "-t"] if recursive else []), sha]
    entries = []
    for line in git(bare, *args).splitlines():
        meta, _, path = line.partition("\t")
        mode, kind, object_sha, size = meta.split()
        entries.append(TreeEntry(path, mode, kind, object_sha, None if size == "-" else int(size)))
    return entries


def _date_env(prefix: str, who: Signature) -> dict[str, str]:
    env = {f"GIT_{prefix}_NAME": who.name, f"GIT_{prefix}_EMAIL": who.email}
    if who.date:
        env[f"GIT_{prefix}_DATE"] = who.date
    return env


def write_commit(bare: Path, *, tree: str, parents: list[str], message: str, author: Signature,
                 committer: Signature) -> str:
    args = ["commit-tree", tree]
    for parent in parents:
        args += ["-p", parent]
    return git(bare, *args, input_text=message, env={**_date_env("AUTHOR", author),
                                                     **_date_env("COMMITTER", committer)}).strip()


def write_tag(bare: Path, *, name: str, object_sha: str, object_type: str, tagger: Signature, message: str) -> str:
    """An annotated tag object (no ref: GitHub makes the ref in a second call)."""
    moment = datetime.fromisoformat(tagger.date) if tagger.date else datetime.now(UTC)
    text = (f"object {object_sha}\ntype {object_type}\ntag {name}\n"
            f"tagger {tagger.name} <{tagger.email}> {int(moment.timestamp())} +0000\n\n{message}")
    return git(bare, "mktag", input_text=text if text.endswith("\n") else text + "\n").strip()


def read_tag(bare: Path, sha: str) -> Tag | None:
    if object_kind(bare, sha) != "tag":
        return None
    header, _, message = git(bare, "cat-file", "tag", sha).partition("\n\n")
    fields = dict(line.split(" ", 1) for line in header.splitlines() if " " in line)
    who, _, stamp = fields["tagger"].rpartition(">")
    name, _, email = who.partition(" <")
    seconds = int(stamp.split()[0])
    date = datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return Tag(sha, fields["tag"], fields["object"], fields["type"], Signature(name.strip(), email, date),
               message)
