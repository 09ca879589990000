"""Repositories, branches, commits, comparisons and file contents."""

from __future__ import annotations

import base64

from testbed.github import gitdata, shapes
from testbed.github.gitdata import ZERO
from testbed.github.protocol import Call, Endpoint, HTTPError, Reply, not_found
from testbed.github.routes.common import REPO, commit_or_422
from testbed.github.shapes import commits


def get_repo(call: Call) -> Reply:
    return Reply(200, shapes.repo_of(call.site, call.repo()))


def list_branches(call: Call) -> Reply:
    repo = call.repo()
    found = gitdata.refs(repo.bare, "refs/heads/")
    return call.page([commits.branch(call.site, repo, ref.removeprefix("refs/heads/"), sha)
                      for ref, sha in found.items()])


def get_branch(call: Call) -> Reply:
    repo = call.repo()
    name = call.params["branch"]
    sha = gitdata.refs(repo.bare, f"refs/heads/{name}").get(f"refs/heads/{name}")
    if sha is None:
        raise not_found("Branch not found")
    return Reply(200, commits.branch(call.site, repo, name, sha))


def list_commits(call: Call) -> Reply:
    repo = call.repo()
    rev = call.query.get("sha") or repo.default_branch
    sha = gitdata.resolve(repo.bare, rev)
    if sha is None:
        raise not_found()
    found = gitdata.log(repo.bare, sha, path=call.query.get("path") or None)
    return call.page([commits.commit(call.site, repo, c, files=False) for c in found])


def get_commit(call: Call) -> Reply:
    repo = call.repo()
    return Reply(200, commits.commit(call.site, repo, commit_or_422(repo, call.params["ref"])))


def compare(call: Call) -> Reply:
    repo = call.repo()
    spec = call.params["basehead"]
    base_rev, sep, head_rev = spec.partition("...")
    if not sep:
        raise not_found()
    base, head = commit_or_422(repo, base_rev), commit_or_422(repo, head_rev)
    merge_base = gitdata.merge_base(repo.bare, base.sha, head.sha)
    if merge_base is None:
        raise HTTPError(404, f"No common ancestor between {base_rev} and {head_rev}.")
    ahead = gitdata.log(repo.bare, head.sha, exclude=base.sha)
    behind = gitdata.log(repo.bare, base.sha, exclude=head.sha)
    status = ("identical" if not ahead and not behind else "ahead" if not behind
              else "behind" if not ahead else "diverged")
    base_commit = gitdata.commit(repo.bare, merge_base)
    assert base_commit is not None
    html = f"{call.site.repo_web(repo.full_name)}/compare/{spec}"
    site = call.site
    changed = gitdata.changed_files(repo.bare, merge_base, head.sha)
    return Reply(200, {
        "url": f"{site.repo_api(repo.full_name)}/compare/{spec}", "html_url": html, "permalink_url": html,
        "diff_url": f"{html}.diff", "patch_url": f"{html}.patch",
        "base_commit": commits.commit(site, repo, base, files=False),
        "merge_base_commit": commits.commit(site, repo, base_commit, files=False),
        "status": status, "ahead_by": len(ahead), "behind_by": len(behind), "total_commits": len(ahead),
        "commits": [commits.commit(site, repo, c, files=False) for c in reversed(ahead)],
        "files": [commits.file(site, repo, head.sha, s, p) for s, p in changed],
    })


def get_contents(call: Call) -> Reply:
    repo = call.repo()
    rev = call.query.get("ref") or repo.default_branch
    sha = gitdata.resolve(repo.bare, rev)
    if sha is None:
        raise not_found(f"No commit found for the ref {rev}")
    path = str(call.params["path"]).strip("/")
    data = gitdata.show(repo.bare, sha, path) if path else None
    if gitdata.object_type(repo.bare, f"{sha}:{path}") != "blob" or data is None:
        raise not_found()
    blob = gitdata.blob_sha(repo.bare, sha, path) or ZERO
    url = f"{call.site.repo_api(repo.full_name)}/contents/{path}?ref={rev}"
    git_url = f"{call.site.repo_api(repo.full_name)}/git/blobs/{blob}"
    web = call.site.repo_web(repo.full_name)
    html = f"{web}/blob/{rev}/{path}"
    return Reply(200, {
        "type": "file", "encoding": "base64", "size": len(data), "name": path.rsplit("/", 1)[-1], "path": path,
        "content": base64.encodebytes(data).decode(), "sha": blob, "url": url, "git_url": git_url,
        "html_url": html, "download_url": f"{web}/raw/{rev}/{path}",
        "_links": {"git": git_url, "self": url, "html": html},
    })


ROUTES = [
    Endpoint("GET", REPO, get_repo),
    Endpoint("GET", REPO + "/branches", list_branches),
    Endpoint("GET", REPO + "/branches/{branch:path}", get_branch),
    Endpoint("GET", REPO + "/commits", list_commits),
    Endpoint("GET", REPO + "/commits/{ref}", get_commit),
    Endpoint("GET", REPO + "/compare/{basehead:path}", compare),
    Endpoint("GET", REPO + "/contents/{path:path}", get_contents),
]
