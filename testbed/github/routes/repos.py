"""Repositories, branches, commits, comparisons and file contents."""

from __future__ import annotations

import base64

from testbed.github import gitdata, gitmerge, shapes, webhooks
from testbed.github.gitdata import ZERO
from testbed.github.merge import MERGER, person
from testbed.github.protocol import Call, Endpoint, HTTPError, Reply, not_found, required, string
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


def merge_branch(call: Call) -> Reply:
    """`POST /merges`: merge `head` (branch or SHA) into the branch `base` with a merge commit;
    204 when base already holds head, 409 on a conflict."""
    repo = call.repo()
    data = call.json()
    required(data, "base", "head")
    base, head = str(data["base"]), str(data["head"])
    base_ref = f"refs/heads/{base}"
    with repo.lock:
        base_sha = gitdata.refs(repo.bare, base_ref).get(base_ref)
        if base_sha is None:
            raise not_found("Base does not exist")
        head_sha = gitdata.resolve(repo.bare, head)
        if head_sha is None:
            raise not_found("Head does not exist")
        if gitdata.is_ancestor(repo.bare, head_sha, base_sha):
            return Reply(204)
        message = string(data, "commit_message") or f"Merge {head} into {base}"
        merged = gitmerge.merge_commit(repo.bare, base_sha, head_sha, message, author=person(call.login),
                                       committer=MERGER)
        if merged is None:
            raise HTTPError(409, "Merge conflict")
        if not gitdata.update_ref(repo.bare, base_ref, merged.head, base_sha):
            raise HTTPError(409, f"{base} moved during the merge: try again")
        events = webhooks.ref_changed(call.state, call.site, repo, base_ref, base_sha, merged.head, call.token)
    call.state.deliver(events)
    found = gitdata.commit(repo.bare, merged.head)
    assert found is not None
    return Reply(201, commits.commit(call.site, repo, found))


ROUTES = [
    Endpoint("POST", REPO + "/merges", merge_branch),
    Endpoint("GET", REPO, get_repo),
    Endpoint("GET", REPO + "/branches", list_branches),
    Endpoint("GET", REPO + "/branches/{branch:path}", get_branch),
    Endpoint("GET", REPO + "/commits", list_commits),
    Endpoint("GET", REPO + "/commits/{ref}", get_commit),
    Endpoint("GET", REPO + "/compare/{basehead:path}", compare),
    Endpoint("GET", REPO + "/contents/{path:path}", get_contents),
]
