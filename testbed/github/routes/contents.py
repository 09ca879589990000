"""`PUT /contents/{path}`: create or update one file with a commit on a branch, as GitHub does
(the file's current blob SHA is required to update it; a stale one is 409)."""

from __future__ import annotations

import base64
import binascii

from testbed.github import gitdata, gitobjects, webhooks
from testbed.github.gitobjects import Change, Signature
from testbed.github.merge import person
from testbed.github.protocol import Call, Endpoint, HTTPError, Reply, not_found, required, string, unprocessable
from testbed.github.routes.common import REPO
from testbed.github.shapes import commits


def _signature(value: object, fallback: Signature) -> Signature:
    if value is None:
        return fallback
    if not isinstance(value, dict) or not value.get("name") or not value.get("email"):
        raise unprocessable("Invalid request.\n\n\"name\" and \"email\" are required for committer and author.")
    return Signature(str(value["name"]), str(value["email"]), str(value["date"]) if value.get("date") else None)


def put_contents(call: Call) -> Reply:
    repo = call.repo()
    data = call.json()
    required(data, "message", "content")
    path = str(call.params["path"]).strip("/")
    try:
        content = base64.b64decode(string(data, "content") or "", validate=True)
    except (binascii.Error, ValueError) as error:
        raise unprocessable(f"Invalid request.\n\ncontent is not valid Base64: {error}") from error
    branch = string(data, "branch") or repo.default_branch
    ref = f"refs/heads/{branch}"
    me = Signature(*person(call.login))
    committer = _signature(data.get("committer"), me)
    author = _signature(data.get("author"), committer)
    with repo.lock:
        head = gitdata.refs(repo.bare, ref).get(ref)
        if head is None:
            raise not_found(f"Branch {branch} not found")
        current = gitdata.blob_sha(repo.bare, head, path)
        given = string(data, "sha")
        if current is not None and not given:
            raise unprocessable("Invalid request.\n\n\"sha\" wasn't supplied.", code="missing_field", field_name="sha")
        if current is not None and given != current:
            raise HTTPError(409, f"{path} does not match {given}")
        base_tree = gitdata.commit(repo.bare, head)
        assert base_tree is not None
        tree = gitobjects.write_tree(repo.bare, [Change(path, "100644", "blob", content=content)],
                                     base_tree=base_tree.tree)
        sha = gitobjects.write_commit(repo.bare, tree=tree, parents=[head], message=string(data, "message") or "",
                                      author=author, committer=committer)
        if not gitdata.update_ref(repo.bare, ref, sha, head):
            raise HTTPError(409, f"{branch} moved while the file was written: try again")
        events = webhooks.ref_changed(call.state, call.site, repo, ref, head, sha, call.token)
    call.state.deliver(events)
    made = gitdata.commit(repo.bare, sha)
    assert made is not None
    blob = gitdata.blob_sha(repo.bare, sha, path) or ""
    api = call.site.repo_api(repo.full_name)
    web = call.site.repo_web(repo.full_name)
    url = f"{api}/contents/{path}?ref={branch}"
    git_url = f"{api}/git/blobs/{blob}"
    html = f"{web}/blob/{branch}/{path}"
    file = {"name": path.rsplit("/", 1)[-1], "path": path, "sha": blob, "size": len(content), "url": url,
            "html_url": html, "git_url": git_url, "download_url": f"{web}/raw/{branch}/{path}", "type": "file",
            "_links": {"self": url, "git": git_url, "html": html}}
    return Reply(200 if current is not None else 201, {"content": file, "commit": commits.git_commit(call.site, repo,
                                                                                                       made)})


ROUTES = [Endpoint("PUT", REPO + "/contents/{path:path}", put_contents)]
