"""The git database written over REST: blobs, trees, commits and annotated tags (refs stay in `git`)."""

from __future__ import annotations

import base64
import binascii
import re
from typing import Any

from testbed.github import gitdata, gitobjects, shapes
from testbed.github.gitobjects import Change, Signature
from testbed.github.merge import person
from testbed.github.protocol import Call, Endpoint, Reply, not_found, required, string, unprocessable
from testbed.github.records import Repo
from testbed.github.routes.common import REPO
from testbed.github.shapes import commits
from testbed.github.site import Site

SHA = re.compile(r"[0-9a-f]{40}")
MODES = {"100644": "blob", "100755": "blob", "120000": "blob", "040000": "tree", "160000": "commit"}


def _sha_or_422(repo: Repo, value: Any, kind: str | None = None) -> str:
    sha = str(value or "")
    found = gitobjects.object_kind(repo.bare, sha) if SHA.fullmatch(sha) else None
    if found is None or (kind and found != kind):
        raise unprocessable(f"Invalid request.\n\n{sha or 'a SHA'} is not a valid {kind or 'object'}.")
    return sha


def _signature(data: Any, login: str, field_name: str) -> Signature:
    if data is None:
        name, email = person(login)
        return Signature(name, email)
    if not isinstance(data, dict) or not data.get("name") or not data.get("email"):
        raise unprocessable(f"Invalid request.\n\n\"name\" and \"email\" are required in {field_name}.")
    return Signature(str(data["name"]), str(data["email"]), str(data["date"]) if data.get("date") else None)


def create_blob(call: Call) -> Reply:
    repo = call.repo()
    data = call.json()
    required(data, "content")
    content = string(data, "content") or ""
    encoding = data.get("encoding", "utf-8")
    if encoding == "base64":
        try:
            raw = base64.b64decode(content, validate=False)
        except (binascii.Error, ValueError) as error:
            raise unprocessable(f"Invalid request.\n\ncontent is not valid base64: {error}") from error
    elif encoding == "utf-8":
        raw = content.encode()
    else:
        raise unprocessable(f"Invalid request.\n\nencoding must be utf-8 or base64, not {encoding!r}.")
    sha = gitobjects.write_blob(repo.bare, raw)
    return Reply(201, {"url": f"{call.site.repo_api(repo.full_name)}/git/blobs/{sha}", "sha": sha})


def get_blob(call: Call) -> Reply:
    repo = call.repo()
    sha = str(call.params["file_sha"])
    data = gitobjects.read_blob(repo.bare, sha) if SHA.fullmatch(sha) else None
    if data is None:
        raise not_found()
    return Reply(200, {"sha": sha, "node_id": shapes.node_id("B", shapes.numeric_id(sha)), "size": len(data),
                       "url": f"{call.site.repo_api(repo.full_name)}/git/blobs/{sha}",
                       "content": base64.encodebytes(data).decode(), "encoding": "base64"})


def _tree(site: Site, repo: Repo, sha: str, *, recursive: bool) -> dict[str, Any]:
    base = site.repo_api(repo.full_name)
    entries = [{"path": e.path, "mode": e.mode, "type": e.type, "sha": e.sha,
                **({"size": e.size} if e.size is not None else {}),
                "url": f"{base}/git/{'trees' if e.type == 'tree' else 'blobs'}/{e.sha}"}
               for e in gitobjects.read_tree(repo.bare, sha, recursive=recursive)]
    return {"sha": sha, "url": f"{base}/git/trees/{sha}", "tree": entries, "truncated": False}


def create_tree(call: Call) -> Reply:
    repo = call.repo()
    data = call.json()
    entries = data.get("tree")
    if not isinstance(entries, list) or not entries:
        raise unprocessable("Invalid request.\n\n\"tree\" wasn't supplied.", code="missing_field", field_name="tree")
    base_tree = _sha_or_422(repo, data["base_tree"], "tree") if data.get("base_tree") else None
    changes = []
    for entry in entries:
        if not isinstance(entry, dict) or not entry.get("path") or entry.get("mode") not in MODES:
            raise unprocessable("Invalid request.\n\nEach tree entry needs a path and a mode of "
                                f"{', '.join(MODES)}.")
        content = entry.get("content")
        sha = entry.get("sha")
        if content is not None and sha is not None:
            raise unprocessable("Invalid request.\n\nA tree entry takes either sha or content, not both.")
        if sha is not None:
            sha = _sha_or_422(repo, sha, None)
        changes.append(Change(str(entry["path"]), str(entry["mode"]), str(entry.get("type") or MODES[entry["mode"]]),
                              sha, str(content).encode() if content is not None else None))
    sha = gitobjects.write_tree(repo.bare, changes, base_tree=base_tree)
    return Reply(201, _tree(call.site, repo, sha, recursive=False))


def get_tree(call: Call) -> Reply:
    repo = call.repo()
    rev = str(call.params["tree_sha"])
    sha = gitdata.git(repo.bare, "rev-parse", "--verify", "--quiet", f"{rev}^{{tree}}", check=False).strip()
    if not sha:
        raise not_found()
    return Reply(200, _tree(call.site, repo, sha, recursive=call.query.get("recursive") not in (None, "", "0",
                                                                                                  "false")))


def create_commit(call: Call) -> Reply:
    repo = call.repo()
    data = call.json()
    required(data, "message", "tree")
    tree = _sha_or_422(repo, data["tree"], "tree")
    parents = data.get("parents") or []
    if not isinstance(parents, list):
        raise unprocessable("Invalid request.\n\n\"parents\" must be a list of SHAs.")
    parents = [_sha_or_422(repo, p, "commit") for p in parents]
    author = _signature(data.get("author"), call.login, "author")
    committer = _signature(data.get("committer"), call.login, "committer") if data.get("committer") else author
    sha = gitobjects.write_commit(repo.bare, tree=tree, parents=parents, message=string(data, "message") or "",
                                  author=author, committer=committer)
    found = gitdata.commit(repo.bare, sha)
    assert found is not None
    return Reply(201, commits.git_commit(call.site, repo, found))


def _tag(site: Site, repo: Repo, tag: gitobjects.Tag) -> dict[str, Any]:
    base = site.repo_api(repo.full_name)
    return {"node_id": shapes.node_id("TAG", shapes.numeric_id(tag.sha)), "tag": tag.name, "sha": tag.sha,
            "url": f"{base}/git/tags/{tag.sha}", "message": tag.message,
            "tagger": {"name": tag.tagger.name, "email": tag.tagger.email, "date": tag.tagger.date},
            "object": {"type": tag.object_type, "sha": tag.object_sha,
                       "url": f"{base}/git/{tag.object_type}s/{tag.object_sha}"},
            "verification": shapes.verification()}


def create_tag(call: Call) -> Reply:
    repo = call.repo()
    data = call.json()
    required(data, "tag", "message", "object", "type")
    kind = str(data["type"])
    if kind not in ("commit", "tree", "blob"):
        raise unprocessable("Invalid request.\n\ntype must be one of commit, tree, blob.")
    target = _sha_or_422(repo, data["object"], kind)
    tagger = _signature(data.get("tagger"), call.login, "tagger")
    sha = gitobjects.write_tag(repo.bare, name=str(data["tag"]), object_sha=target, object_type=kind, tagger=tagger,
                               message=string(data, "message") or "")
    found = gitobjects.read_tag(repo.bare, sha)
    assert found is not None
    return Reply(201, _tag(call.site, repo, found))


def get_tag(call: Call) -> Reply:
    repo = call.repo()
    sha = str(call.params["tag_sha"])
    found = gitobjects.read_tag(repo.bare, sha) if SHA.fullmatch(sha) else None
    if found is None:
        raise not_found()
    return Reply(200, _tag(call.site, repo, found))


ROUTES = [
    Endpoint("POST", REPO + "/git/blobs", create_blob),
    Endpoint("GET", REPO + "/git/blobs/{file_sha}", get_blob),
    Endpoint("POST", REPO + "/git/trees", create_tree),
    Endpoint("GET", REPO + "/git/trees/{tree_sha:path}", get_tree),
    Endpoint("POST", REPO + "/git/commits", create_commit),
    Endpoint("POST", REPO + "/git/tags", create_tag),
    Endpoint("GET", REPO + "/git/tags/{tag_sha}", get_tag),
]
