"""Commits, git database objects, refs, branches, tags and changed files as GitHub shapes them."""

from __future__ import annotations

from typing import Any

from testbed.github import gitdata
from testbed.github.gitdata import EMPTY_TREE, ZERO
from testbed.github.records import Repo
from testbed.github.shapes.common import git_person, node_id, numeric_id, verification
from testbed.github.site import Site


def commit(site: Site, repo: Repo, found: gitdata.Commit, *, files: bool = True) -> dict[str, Any]:
    """A commit as `GET /repos/{owner}/{repo}/commits/{ref}` answers it (`files` and `stats` optional)."""
    base = site.repo_api(repo.full_name)
    web = site.repo_web(repo.full_name)
    body: dict[str, Any] = {
        "url": f"{base}/commits/{found.sha}",
        "sha": found.sha,
        "node_id": node_id("C", numeric_id(found.sha)),
        "html_url": f"{web}/commit/{found.sha}",
        "comments_url": f"{base}/commits/{found.sha}/comments",
        "commit": {
            "url": f"{base}/git/commits/{found.sha}",
            "author": git_person(found.author_name, found.author_email, found.author_date),
            "committer": git_person(found.committer_name, found.committer_email, found.committer_date),
            "message": found.message,
            "comment_count": sum(1 for c in repo.commit_comments if c.commit_id == found.sha),
            "tree": {"sha": found.tree, "url": f"{base}/git/trees/{found.tree}"},
            "verification": verification(),
        },
        "author": None,
        "committer": None,
        "parents": [{"sha": p, "url": f"{base}/commits/{p}", "html_url": f"{web}/commit/{p}"} for p in found.parents],
    }
    if files:
        parent = found.parents[0] if found.parents else EMPTY_TREE
        changes = gitdata.changed_files(repo.bare, parent, found.sha)
        body["files"] = [file(site, repo, found.sha, status, path) for status, path in changes]
        body["stats"] = {"total": len(changes), "additions": 0, "deletions": 0}
    return body


def file(site: Site, repo: Repo, sha: str, status: str, path: str) -> dict[str, Any]:
    """One changed file of a commit, comparison or pull request."""
    web = site.repo_web(repo.full_name)
    return {
        "sha": gitdata.blob_sha(repo.bare, sha, path) or ZERO,
        "filename": path,
        "status": {"A": "added", "D": "removed", "M": "modified"}.get(status, "changed"),
        "additions": 0,
        "deletions": 0,
        "changes": 0,
        "blob_url": f"{web}/blob/{sha}/{path}",
        "raw_url": f"{web}/raw/{sha}/{path}",
        "contents_url": f"{site.repo_api(repo.full_name)}/contents/{path}?ref={sha}",
    }


def git_commit(site: Site, repo: Repo, found: gitdata.Commit) -> dict[str, Any]:
    """A commit of the git database (`GET /repos/{owner}/{repo}/git/commits/{sha}`)."""
    base = site.repo_api(repo.full_name)
    web = site.repo_web(repo.full_name)
    return {
        "sha": found.sha,
        "node_id": node_id("C", numeric_id(found.sha)),
        "url": f"{base}/git/commits/{found.sha}",
        "html_url": f"{web}/commit/{found.sha}",
        "author": git_person(found.author_name, found.author_email, found.author_date),
        "committer": git_person(found.committer_name, found.committer_email, found.committer_date),
        "message": found.message,
        "tree": {"sha": found.tree, "url": f"{base}/git/trees/{found.tree}"},
        "parents": [{"sha": p, "url": f"{base}/git/commits/{p}", "html_url": f"{web}/commit/{p}"}
                    for p in found.parents],
        "verification": verification(),
    }


def ref(site: Site, repo: Repo, name: str, sha: str) -> dict[str, Any]:
    """A git reference (`refs/heads/x`, `refs/tags/y`) and the object it points at."""
    kind = gitdata.object_type(repo.bare, sha) or "commit"
    base = site.repo_api(repo.full_name)
    return {
        "ref": name,
        "node_id": node_id("REF", numeric_id(f"{repo.full_name}:{name}")),
        "url": f"{base}/git/{name}",
        "object": {"type": kind, "sha": sha, "url": f"{base}/git/{kind}s/{sha}"},
    }


def branch(site: Site, repo: Repo, name: str, sha: str) -> dict[str, Any]:
    found = gitdata.commit(repo.bare, sha)
    assert found is not None, f"branch {name} of {repo.full_name} points at no commit"
    base = f"{site.repo_api(repo.full_name)}/branches/{name}"
    return {
        "name": name,
        "commit": commit(site, repo, found, files=False),
        "_links": {"self": base, "html": f"{site.repo_web(repo.full_name)}/tree/{name}"},
        "protected": False,
        "protection": {"enabled": False, "required_status_checks": {
            "enforcement_level": "off", "contexts": [], "checks": []}},
        "protection_url": f"{base}/protection",
    }


def tag(site: Site, repo: Repo, refname: str, sha: str) -> dict[str, Any]:
    """A tag as `GET /repos/{owner}/{repo}/tags` lists it (the commit it peels to)."""
    base = site.repo_api(repo.full_name)
    name = refname.removeprefix("refs/tags/")
    return {
        "name": name,
        "commit": {"sha": gitdata.resolve(repo.bare, sha) or sha, "url": f"{base}/commits/{sha}"},
        "zipball_url": f"{base}/zipball/{name}",
        "tarball_url": f"{base}/tarball/{name}",
        "node_id": node_id("REF", numeric_id(f"{repo.full_name}:{refname}")),  # the tag's Ref, as on GitHub
    }
