"""The git database over REST: references, commits and tags."""

from __future__ import annotations

import re

from testbed.github import gitdata, webhooks
from testbed.github.gitdata import ZERO
from testbed.github.protocol import Call, Endpoint, Reply, not_found, required, unprocessable
from testbed.github.routes.common import REPO
from testbed.github.shapes import commits

SHA = re.compile(r"[0-9a-f]{4,40}")


def get_ref(call: Call) -> Reply:
    repo = call.repo()
    ref = str(call.params["ref"])
    if not ref.startswith(("heads/", "tags/")):
        raise not_found()
    sha = gitdata.refs(repo.bare, f"refs/{ref}").get(f"refs/{ref}")
    if sha is None:
        raise not_found()
    return Reply(200, commits.ref(call.site, repo, f"refs/{ref}", sha))


def matching_refs(call: Call) -> Reply:
    repo = call.repo()
    prefix = f"refs/{call.params['ref']}"
    found = gitdata.refs(repo.bare, "refs/")
    return call.page([commits.ref(call.site, repo, r, sha) for r, sha in found.items() if r.startswith(prefix)])


def list_refs(call: Call) -> Reply:
    repo = call.repo()
    return call.page([commits.ref(call.site, repo, r, sha) for r, sha in gitdata.refs(repo.bare).items()])


def create_ref(call: Call) -> Reply:
    repo = call.repo()
    data = call.json()
    required(data, "ref", "sha")
    ref, sha = str(data["ref"]), str(data["sha"])
    if not ref.startswith("refs/") or ref.count("/") < 2:
        raise unprocessable("Reference name must start with 'refs/' and have at least two slashes.")
    if gitdata.object_type(repo.bare, sha) is None or len(sha) != 40:
        raise unprocessable("Object does not exist")
    with repo.lock:
        if not gitdata.update_ref(repo.bare, ref, sha, ZERO):
            raise unprocessable("Reference already exists")
        events = webhooks.ref_changed(call.state, call.site, repo, ref, ZERO, sha, call.token)
    call.state.deliver(events)
    return Reply(201, commits.ref(call.site, repo, ref, sha))


def update_ref(call: Call) -> Reply:
    repo = call.repo()
    data = call.json()
    required(data, "sha")
    sha, force = str(data["sha"]), bool(data.get("force", False))
    full = f"refs/{call.params['ref']}"
    with repo.lock:
        old = gitdata.refs(repo.bare, full).get(full)
        if old is None:
            raise unprocessable("Reference does not exist")
        if gitdata.object_type(repo.bare, sha) is None:
            raise unprocessable("Object does not exist")
        if not force and not gitdata.is_ancestor(repo.bare, old, sha):
            raise unprocessable("Update is not a fast forward")
        if not gitdata.update_ref(repo.bare, full, sha, old):
            raise unprocessable("Reference cannot be updated")
        events = webhooks.ref_changed(call.state, call.site, repo, full, old, sha, call.token) if old != sha else []
    call.state.deliver(events)
    return Reply(200, commits.ref(call.site, repo, full, sha))


def delete_ref(call: Call) -> Reply:
    repo = call.repo()
    full = f"refs/{call.params['ref']}"
    with repo.lock:
        old = gitdata.refs(repo.bare, full).get(full)
        if old is None:
            raise unprocessable("Reference does not exist")
        gitdata.delete_ref(repo.bare, full)
        events = webhooks.ref_changed(call.state, call.site, repo, full, old, ZERO, call.token)
    call.state.deliver(events)
    return Reply(204)


def get_git_commit(call: Call) -> Reply:
    repo = call.repo()
    sha = str(call.params["sha"])
    found = gitdata.commit(repo.bare, sha) if SHA.fullmatch(sha) and gitdata.object_type(repo.bare, sha) == "commit" \
        else None
    if found is None:
        raise not_found()
    return Reply(200, commits.git_commit(call.site, repo, found))


def list_tags(call: Call) -> Reply:
    repo = call.repo()
    found = sorted(gitdata.refs(repo.bare, "refs/tags/").items(), reverse=True)
    return call.page([commits.tag(call.site, repo, ref, sha) for ref, sha in found])


ROUTES = [
    Endpoint("GET", REPO + "/git/ref/{ref:path}", get_ref),
    Endpoint("GET", REPO + "/git/refs", list_refs),
    Endpoint("POST", REPO + "/git/refs", create_ref),
    Endpoint("GET", REPO + "/git/refs/{ref:path}", get_ref),
    Endpoint("PATCH", REPO + "/git/refs/{ref:path}", update_ref),
    Endpoint("DELETE", REPO + "/git/refs/{ref:path}", delete_ref),
    Endpoint("GET", REPO + "/git/matching-refs/{ref:path}", matching_refs),
    Endpoint("GET", REPO + "/git/commits/{sha}", get_git_commit),
    Endpoint("GET", REPO + "/tags", list_tags),
]
