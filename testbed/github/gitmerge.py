"""The git side of GitHub's three merge methods, done by git itself on a bare repository.

- merge: one commit whose parents are the base and the head (`git merge --no-ff`).
- squash: one commit on the base with the merged tree and the base as its only parent.
- rebase: the head's commits replayed one by one onto the base (`git rebase --force-rebase`:
  always new commits, as GitHub makes them; authors kept, the committer the one given; merge
  commits left out and commits whose change is already on the base dropped, as git rebase does).

Pure git: no records, no events. A conflict is `None`, never an exception.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from testbed.github.gitdata import GIT_ENV, git

Person = tuple[str, str]  # (name, email)


@dataclass(frozen=True)
class Merged:
    """What a merge put on the base: the commits in order (the last is the base's new head)."""

    commits: tuple[str, ...]

    @property
    def head(self) -> str:
        return self.commits[-1]


def _identity(author: Person, committer: Person) -> dict[str, str]:
    return {"GIT_AUTHOR_NAME": author[0], "GIT_AUTHOR_EMAIL": author[1],
            "GIT_COMMITTER_NAME": committer[0], "GIT_COMMITTER_EMAIL": committer[1]}


def merged_tree(bare: Path, base_sha: str, head_sha: str) -> str | None:
    """The tree a merge of head into base gives, or None when they conflict."""
    result = subprocess.run(["git", "merge-tree", "--write-tree", base_sha, head_sha], cwd=bare, capture_output=True,
                            text=True, check=False, env={**os.environ, **GIT_ENV})
    if result.returncode != 0:
        return None
    return result.stdout.split()[0]


def merge_commit(bare: Path, base_sha: str, head_sha: str, message: str, *, author: Person,
                 committer: Person) -> Merged | None:
    """A merge commit of head into base (parents: base, head); None on conflict."""
    tree = merged_tree(bare, base_sha, head_sha)
    if tree is None:
        return None
    sha = git(bare, "commit-tree", tree, "-p", base_sha, "-p", head_sha, "-m", message,
              env=_identity(author, committer)).strip()
    return Merged((sha,))


def squash_commit(bare: Path, base_sha: str, head_sha: str, message: str, *, author: Person,
                  committer: Person) -> Merged | None:
    """One commit on base holding the merged tree (parent: base only); None on conflict."""
    tree = merged_tree(bare, base_sha, head_sha)
    if tree is None:
        return None
    sha = git(bare, "commit-tree", tree, "-p", base_sha, "-m", message, env=_identity(author, committer)).strip()
    return Merged((sha,))


def rebase_commits(bare: Path, base_sha: str, head_sha: str, *, committer: Person) -> Merged | None:
    """The head's commits replayed onto base with new SHAs (authors and their dates kept); None on conflict.

    Runs `git rebase` in a throw-away worktree of the bare repository, so the new objects are
    written straight into it; no ref of the repository moves."""
    scratch = Path(tempfile.mkdtemp(prefix="rebase-"))
    work = scratch / "tree"
    env = {**os.environ, **GIT_ENV, "GIT_COMMITTER_NAME": committer[0], "GIT_COMMITTER_EMAIL": committer[1],
           "GIT_EDITOR": "true"}
    try:
        git(bare, "worktree", "add", "--quiet", "--detach", str(work), head_sha)
        result = subprocess.run(["git", "-c", "core.hooksPath=/dev/null", "rebase", "--quiet", "--force-rebase",
                                 base_sha], cwd=work, capture_output=True, text=True, check=False, env=env)
        if result.returncode != 0:
            subprocess.run(["git", "rebase", "--abort"], cwd=work, capture_output=True, check=False, env=env)
            return None
        new_head = git(work, "rev-parse", "HEAD").strip()
        commits = git(bare, "rev-list", "--reverse", new_head, f"^{base_sha}").split()
        return Merged(tuple(commits) if commits else (base_sha,))
    finally:
        subprocess.run(["git", "worktree", "remove", "--force", str(work)], cwd=bare, capture_output=True, check=False)
        shutil.rmtree(scratch, ignore_errors=True)
        subprocess.run(["git", "worktree", "prune"], cwd=bare, capture_output=True, check=False)


def can_merge(bare: Path, base_sha: str, head_sha: str) -> bool:
    """Whether head merges into base without conflicts (what GitHub's `mergeable` reports)."""
    return merged_tree(bare, base_sha, head_sha) is not None
