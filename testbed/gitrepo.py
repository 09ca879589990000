"""Host-side git work on the hosted repositories: history set-up, branches pushed over HTTP,
checkouts for act, files read at a ref.

History set-up writes straight into the bare repository (no HTTP, so no events fire), which is
how a Background describes a past state without starting workflow runs.
"""

from __future__ import annotations

import base64
import shutil
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import TypedDict

from testbed import gitcore

# who the testbed's own commits are by (gitcore adds the shared environment)
IDENTITY = {
    "GIT_AUTHOR_NAME": "Dev Eloper",
    "GIT_AUTHOR_EMAIL": "dev@acme.test",
    "GIT_COMMITTER_NAME": "Dev Eloper",
    "GIT_COMMITTER_EMAIL": "dev@acme.test",
}


def git(*args: str, cwd: Path | None = None, env: Mapping[str, str] | None = None, check: bool = True) -> str:
    """`git ARGS` as the testbed's developer: its standard output, stripped; GitError when it fails and `check`."""
    return gitcore.git(cwd, *args, env={**IDENTITY, **(env or {})}, check=check).strip()


def _auth_header(token: str) -> str:
    basic = base64.b64encode(f"x-access-token:{token}".encode()).decode()
    return f"http.extraHeader=Authorization: basic {basic}"


def commit_files(bare: Path, branch: str, files: Mapping[str, str], message: str, *, root: Path,
                 remove: tuple[str, ...] = ()) -> str:
    """Commit `files` on top of `branch` (or as its first commit) directly in the bare repo."""
    (root / "tmp").mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=root / "tmp") as tmp:
        work = Path(tmp)
        git("init", "--quiet", "-b", branch, str(work))
        exists = git("rev-parse", "--verify", "--quiet", f"refs/heads/{branch}", cwd=bare, check=False)
        if exists:
            git("fetch", "--quiet", str(bare), f"refs/heads/{branch}", cwd=work)
            git("reset", "--quiet", "--hard", "FETCH_HEAD", cwd=work)
        for path, text in files.items():
            target = work / path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text)
        for path in remove:
            (work / path).unlink(missing_ok=True)
        git("add", "--all", cwd=work)
        git("commit", "--quiet", "--allow-empty", "-m", message, cwd=work)
        git("push", "--quiet", str(bare), f"HEAD:refs/heads/{branch}", cwd=work)
        return git("rev-parse", "HEAD", cwd=work)


def set_ref(bare: Path, ref: str, sha: str) -> None:
    git("update-ref", ref, sha, cwd=bare)


def delete_ref(bare: Path, ref: str) -> None:
    git("update-ref", "-d", ref, cwd=bare)


def read_ref(bare: Path, ref: str) -> str:
    """The SHA `ref` points at (TestbedError when it does not exist)."""
    return git("rev-parse", "--verify", f"{ref}^{{commit}}", cwd=bare)


class Pusher(TypedDict):
    """Where and as whom a push goes: the arguments push_branch and push_commit share."""

    url: str
    token: str
    workdir: Path
    ca_bundle: Path | None


def push_branch(
    *, url: str, token: str, workdir: Path, base: str, branch: str, files: Mapping[str, str], message: str,
    ca_bundle: Path | None = None,
) -> str:
    """Clone `base` over HTTP(S), commit `files` on a new `branch`, push it (events fire).

    `ca_bundle`: the certificates git trusts for https (the machine's CA bundle)."""
    return _commit_and_push(url=url, token=token, workdir=workdir, clone=base, new_branch=branch, files=files,
                            message=message, ca_bundle=ca_bundle)


def push_commit(*, url: str, token: str, workdir: Path, branch: str, files: Mapping[str, str], message: str,
                ca_bundle: Path | None = None) -> str:
    """Clone `branch` over HTTP(S), commit `files` on it and push it back (events fire)."""
    return _commit_and_push(url=url, token=token, workdir=workdir, clone=branch, new_branch=None, files=files,
                            message=message, ca_bundle=ca_bundle)


def _commit_and_push(*, url: str, token: str, workdir: Path, clone: str, new_branch: str | None,
                     files: Mapping[str, str], message: str, ca_bundle: Path | None) -> str:
    header = _auth_header(token)
    # GIT_SSL_CAINFO, not http.sslCAInfo: an inherited GIT_SSL_CAINFO would override the config
    tls = {"GIT_SSL_CAINFO": str(ca_bundle)} if ca_bundle is not None else {}
    git("-c", header, "clone", "--quiet", "--branch", clone, url, str(workdir), env=tls)
    try:
        if new_branch is not None:
            git("checkout", "--quiet", "-b", new_branch, cwd=workdir)
        for path, text in files.items():
            target = workdir / path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text)
        git("add", "--all", cwd=workdir)
        git("commit", "--quiet", "-m", message, cwd=workdir)
        git("-c", header, "push", "--quiet", "origin", f"HEAD:refs/heads/{new_branch or clone}", cwd=workdir, env=tls)
        return git("rev-parse", "HEAD", cwd=workdir)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def checkout(bare: Path, sha: str, target: Path, *, origin: str) -> None:
    """A working tree at `sha` whose `origin` is the hosted repo's HTTP URL, as a runner has."""
    git("clone", "--quiet", "--no-checkout", str(bare), str(target))
    git("checkout", "--quiet", "--detach", sha, cwd=target)
    git("remote", "set-url", "origin", origin, cwd=target)


def read_file(bare: Path, ref: str, path: str) -> str | None:
    """The text of `path` at `ref`, or None when there is no such file."""
    data = gitcore.show(bare, ref, path)
    return data.decode(errors="replace") if data is not None else None


def changed_paths(bare: Path, base: str, head: str) -> tuple[str, ...] | None:
    """The paths `head` changes since it left `base` (`git diff base...head`), None when git cannot tell."""
    result = gitcore.run(bare, "diff", "--name-only", f"{base}...{head}")
    return tuple(result.stdout.decode().split()) if result.returncode == 0 else None


def workflow_files(bare: Path, sha: str) -> dict[str, str]:
    """The workflow files (name -> YAML) of the repo at `sha`."""
    listing = gitcore.run(bare, "ls-tree", "--name-only", f"{sha}:.github/workflows")
    if listing.returncode != 0:
        return {}
    names = [name for name in listing.stdout.decode().split() if name.endswith((".yml", ".yaml"))]
    return {name: read_file(bare, sha, f".github/workflows/{name}") or "" for name in names}
