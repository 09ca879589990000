"""Reading and writing the hosted bare repositories with git itself."""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass
from datetime import UTC
from pathlib import Path

GIT_ENV = {"GIT_CONFIG_NOSYSTEM": "1", "GIT_TERMINAL_PROMPT": "0"}
ZERO = "0" * 40
EMPTY_TREE = "4b825dc642cb6eb9a060e54bf8d69288fbee4904"  # the tree with no entries


class GitError(Exception):
    pass


def git(bare: Path, *args: str, input_text: str | None = None, env: dict[str, str] | None = None,
        check: bool = True) -> str:
    result = subprocess.run(
        ["git", *args], cwd=bare, input=input_text, capture_output=True, text=True, check=False,
        env={**os.environ, **GIT_ENV, **(env or {})},
    )
    if check and result.returncode != 0:
        raise GitError(result.stderr.strip() or result.stdout.strip() or f"git {args[0]} failed")
    return result.stdout


@dataclass(frozen=True)
class Commit:
    sha: str
    tree: str
    parents: tuple[str, ...]
    author_name: str
    author_email: str
    author_date: str
    committer_name: str
    committer_email: str
    committer_date: str
    message: str


FORMAT = "%H%x00%T%x00%P%x00%an%x00%ae%x00%aI%x00%cn%x00%ce%x00%cI%x00%B%x1e"


def _parse(out: str) -> list[Commit]:
    commits = []
    for record in out.split("\x1e"):
        record = record.lstrip("\n")
        if not record:
            continue
        fields = record.split("\x00")
        if len(fields) < 10:
            continue
        commits.append(Commit(
            sha=fields[0], tree=fields[1], parents=tuple(fields[2].split()),
            author_name=fields[3], author_email=fields[4], author_date=_utc(fields[5]),
            committer_name=fields[6], committer_email=fields[7], committer_date=_utc(fields[8]),
            message=fields[9].rstrip("\n"),
        ))
    return commits


def _utc(iso: str) -> str:
    from datetime import datetime

    return datetime.fromisoformat(iso).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def resolve(bare: Path, rev: str) -> str | None:
    """The commit SHA `rev` names (branch, tag, full or abbreviated SHA), or None."""
    if not rev or rev.startswith("-"):
        return None
    for candidate in (f"refs/heads/{rev}", f"refs/tags/{rev}", rev):
        out = git(bare, "rev-parse", "--verify", "--quiet", f"{candidate}^{{commit}}", check=False).strip()
        if out:
            return out
    return None


def commit(bare: Path, sha: str) -> Commit | None:
    out = git(bare, "log", "-1", f"--format={FORMAT}", sha, "--", check=False)
    parsed = _parse(out)
    return parsed[0] if parsed else None


def log(bare: Path, rev: str, *, exclude: str | None = None, path: str | None = None, limit: int = 1000) -> list[Commit]:
    args = ["log", f"--format={FORMAT}", f"-n{limit}", rev]
    if exclude:
        args.append(f"^{exclude}")
    args.append("--")
    if path:
        args.append(path)
    return _parse(git(bare, *args, check=False))


def refs(bare: Path, prefix: str = "refs/") -> dict[str, str]:
    out = git(bare, "for-each-ref", "--format=%(refname) %(objectname)", prefix, check=False)
    pairs = (line.split(" ", 1) for line in out.splitlines() if " " in line)
    return {name: sha for name, sha in pairs}


def is_ancestor(bare: Path, old: str, new: str) -> bool:
    return subprocess.run(
        ["git", "merge-base", "--is-ancestor", old, new], cwd=bare, capture_output=True, check=False
    ).returncode == 0


def update_ref(bare: Path, ref: str, new: str, old: str | None = None) -> bool:
    args = ["update-ref", ref, new] + ([old] if old is not None else [])
    return subprocess.run(["git", *args], cwd=bare, capture_output=True, check=False).returncode == 0


def delete_ref(bare: Path, ref: str) -> None:
    git(bare, "update-ref", "-d", ref)


def show(bare: Path, sha: str, path: str) -> bytes | None:
    result = subprocess.run(["git", "show", f"{sha}:{path}"], cwd=bare, capture_output=True, check=False)
    return result.stdout if result.returncode == 0 else None


def object_type(bare: Path, spec: str) -> str | None:
    out = git(bare, "cat-file", "-t", spec, check=False).strip()
    return out or None


def blob_sha(bare: Path, sha: str, path: str) -> str | None:
    out = git(bare, "rev-parse", "--verify", "--quiet", f"{sha}:{path}", check=False).strip()
    return out or None


def changed_files(bare: Path, base: str, head: str) -> list[tuple[str, str]]:
    """(status letter, path) for each file changed from base to head."""
    out = git(bare, "diff", "--name-status", "--no-renames", base, head, check=False)
    changes = []
    for line in out.splitlines():
        status, _, path = line.partition("\t")
        if path:
            changes.append((status[:1], path))
    return changes


def merge_base(bare: Path, a: str, b: str) -> str | None:
    out = git(bare, "merge-base", a, b, check=False).strip()
    return out or None
