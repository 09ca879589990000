"""The VERSION bump: one commit pushed straight onto the branch, rebased and retried when the
branch moved, and found again (not repeated) when the same merge is processed twice."""

from __future__ import annotations

import base64
import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

from reference import ReleaseError, version

BOT = ("github-actions[bot]", "41898282+github-actions[bot]@users.noreply.github.com")
TRAILER = "Release-Merge"


@dataclass(frozen=True)
class Bump:
    kind: str
    previous: str
    version: str
    sha: str
    created: bool


class Git:
    def __init__(self, workdir: Path, remote_url: str, token: str) -> None:
        self.workdir = workdir
        self.remote_url = remote_url
        basic = base64.b64encode(f"x-access-token:{token}".encode()).decode()
        self._auth = f"http.extraHeader=Authorization: basic {basic}"

    def __call__(self, *args: str, remote: bool = False, check: bool = True) -> subprocess.CompletedProcess[str]:
        prefix = ["-c", self._auth] if remote else []
        env = {**os.environ, "GIT_TERMINAL_PROMPT": "0", "GIT_AUTHOR_NAME": BOT[0], "GIT_AUTHOR_EMAIL": BOT[1],
               "GIT_COMMITTER_NAME": BOT[0], "GIT_COMMITTER_EMAIL": BOT[1]}
        result = subprocess.run(["git", "-c", "safe.directory=*", *prefix, *args], cwd=self.workdir, env=env,
                                capture_output=True, text=True, check=False)
        if check and result.returncode != 0:
            detail = (result.stderr or result.stdout).strip().splitlines()
            raise ReleaseError(f"git {args[0]} failed: {detail[-1] if detail else 'no output'}")
        return result

    def fetch(self, branch: str) -> str:
        self("fetch", "--quiet", "--no-tags", self.remote_url, f"+refs/heads/{branch}:refs/remotes/release/{branch}",
             remote=True)
        return self("rev-parse", f"refs/remotes/release/{branch}").stdout.strip()

    def show(self, rev: str, path: str) -> str | None:
        result = self("show", f"{rev}:{path}", check=False)
        return result.stdout if result.returncode == 0 else None


def find_bump(git: Git, branch_head: str, merge_sha: str) -> str | None:
    """The bump commit already made for `merge_sha`, if a run got that far before."""
    found = git("log", "--format=%H", f"--grep=^{TRAILER}: {merge_sha}$", branch_head).stdout.split()
    return found[0] if found else None


def bump_and_push(*, workdir: Path, remote_url: str, token: str, branch: str, head_ref: str, merge_sha: str,
                  rules: dict[str, str] | None = None, attempts: int = 5) -> Bump | None:
    """Bump VERSION on `branch` for the merge of `head_ref`; None when the branch asks for no release."""
    kind = version.bump_kind(head_ref, rules)
    if kind is None:
        return None
    git = Git(workdir, remote_url, token)
    for _attempt in range(attempts):
        head = git.fetch(branch)
        if git("merge-base", "--is-ancestor", merge_sha, head, check=False).returncode != 0:
            raise ReleaseError(f"merge commit {merge_sha[:12]} is not on {branch}: refusing to release it")
        existing = find_bump(git, head, merge_sha)
        if existing is not None:
            made = version.parse(git.show(existing, "VERSION"), source=f"VERSION at {existing[:12]}")
            before = version.parse(git.show(f"{existing}^", "VERSION"), source=f"VERSION before {existing[:12]}")
            return Bump(kind, str(before), str(made), existing, created=False)
        current = version.parse(git.show(head, "VERSION"), source=f"VERSION on {branch}")
        new = version.bump(current, kind)
        git("checkout", "--quiet", "--detach", head)
        (workdir / "VERSION").write_text(f"{new}\n")
        git("add", "VERSION")
        message = (f"chore(release): {new}\n\nBump from {current} for the merge of {head_ref}.\n\n"
                   f"{TRAILER}: {merge_sha}\n")
        git("commit", "--quiet", "--no-verify", "-m", message)
        sha = git("rev-parse", "HEAD").stdout.strip()
        pushed = git("push", "--quiet", git.remote_url, f"HEAD:refs/heads/{branch}", remote=True, check=False)
        if pushed.returncode == 0:
            return Bump(kind, str(current), str(new), sha, created=True)
        if not any(word in pushed.stderr for word in ("rejected", "fetch first", "non-fast-forward")):
            raise ReleaseError(f"pushing the bump to {branch} failed: {pushed.stderr.strip().splitlines()[-1:]}")
    raise ReleaseError(f"{branch} kept moving: the bump could not be pushed after {attempts} attempts")


def checkout(workdir: Path, sha: str) -> None:
    """Make the working tree the tree of `sha`, the commit whose images are built."""
    Git(workdir, "", "")("checkout", "--quiet", "--force", "--detach", sha)
