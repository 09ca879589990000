"""Releases and their assets (uploads go to the upload host, `/api/uploads`)."""

from __future__ import annotations

import re
from typing import Any

from testbed.github import gitdata, shapes, webhooks
from testbed.github.gitdata import ZERO
from testbed.github.protocol import Call, Endpoint, Reply, not_found, required, string, unprocessable
from testbed.github.records import Asset, Release, Repo
from testbed.github.routes.common import REPO, release_or_404
from testbed.github.routes.release_notes import generate
from testbed.github.shapes.releases import asset as asset_json
from testbed.github.shapes.releases import release as release_json
from testbed.github.state import Event

TAG_NAME = re.compile(r"[^\s~^:?*\[\\]+")


def _invalid(field_name: str, code: str = "invalid", resource: str = "Release") -> Exception:
    return unprocessable("Validation Failed", resource=resource, code=code, field_name=field_name)


def _apply_make_latest(repo: Repo, release: Release, setting: Any) -> None:
    if release.draft or release.prerelease or setting in ("false", False):
        return
    repo.mark_latest(release)


def _tag(call: Call, repo: Repo, release: Release) -> list[Event]:
    """The release's tag, made at its target when missing (a published release always has its tag)."""
    events: list[Event] = []
    tag_ref = f"refs/tags/{release.tag_name}"
    if gitdata.refs(repo.bare, tag_ref).get(tag_ref) is None:
        target_sha = gitdata.resolve(repo.bare, release.target_commitish)
        if target_sha is None:
            raise _invalid("target_commitish")
        gitdata.update_ref(repo.bare, tag_ref, target_sha, ZERO)
        events += webhooks.ref_changed(call.state, call.site, repo, tag_ref, ZERO, target_sha, call.token)
    return events


def _published(call: Call, repo: Repo, release: Release) -> list[Event]:
    """`published` and `released` (or `prereleased`), as GitHub fires them when a release becomes public."""
    release.published_at = shapes.now()
    return [webhooks.release(call.state, call.site, repo, release, action, call.token)
            for action in ("published", "prereleased" if release.prerelease else "released")]


def create_release(call: Call) -> Reply:
    repo = call.repo()
    data = call.json()
    required(data, "tag_name")
    tag = string(data, "tag_name") or ""
    if not TAG_NAME.fullmatch(tag) or ".." in tag or tag.endswith((".", "/", ".lock")):
        raise _invalid("tag_name")
    events: list[Event] = []
    with repo.lock:
        if repo.release_by_tag(tag) is not None:
            raise _invalid("tag_name", "already_exists")
        target = string(data, "target_commitish") or repo.default_branch
        if gitdata.resolve(repo.bare, f"refs/tags/{tag}") is None and gitdata.resolve(repo.bare, target) is None:
            raise _invalid("target_commitish")
        name, body = string(data, "name"), string(data, "body") or ""
        if data.get("generate_release_notes") is True:
            notes = generate(call.site, repo, tag_name=tag, target=target, previous=None)
            name, body = name or notes.name, f"{body}\n\n{notes.body}" if body else notes.body
        stamp = shapes.now()
        draft = bool(data.get("draft", False))
        release = Release(id=call.state.next_id(), tag_name=tag, target_commitish=target, name=name or tag,
                          body=body, draft=draft, prerelease=bool(data.get("prerelease", False)), created_at=stamp,
                          published_at=stamp, updated_at=stamp, author=call.login)
        events += [] if draft else _tag(call, repo, release)
        repo.releases.append(release)
        _apply_make_latest(repo, release, data.get("make_latest", "true"))
        events.append(webhooks.release(call.state, call.site, repo, release, "created", call.token))
        events += [] if draft else _published(call, repo, release)
    call.state.deliver(events)
    return Reply(201, release_json(call.site, repo, release))


def list_releases(call: Call) -> Reply:
    repo = call.repo()
    return call.page([release_json(call.site, repo, r) for r in reversed(repo.releases)])


def latest_release(call: Call) -> Reply:
    repo = call.repo()
    found = repo.latest_release()
    if found is None:
        raise not_found()
    return Reply(200, release_json(call.site, repo, found))


def release_by_tag(call: Call) -> Reply:
    repo = call.repo()
    found = repo.release_by_tag(str(call.params["tag"]))
    if found is None or found.draft:
        raise not_found()
    return Reply(200, release_json(call.site, repo, found))


def get_release(call: Call) -> Reply:
    repo = call.repo()
    return Reply(200, release_json(call.site, repo, release_or_404(repo, call.params["release_id"])))


def update_release(call: Call) -> Reply:
    repo = call.repo()
    data = call.json()
    with repo.lock:
        release = release_or_404(repo, call.params["release_id"])
        if "tag_name" in data and data["tag_name"] != release.tag_name:
            if repo.release_by_tag(str(data["tag_name"])) is not None:
                raise _invalid("tag_name", "already_exists")
            release.tag_name = string(data, "tag_name") or release.tag_name
        if "name" in data:
            release.name = string(data, "name") or ""
        if "body" in data:
            release.body = string(data, "body") or ""
        if "target_commitish" in data:
            release.target_commitish = string(data, "target_commitish") or release.target_commitish
        was_draft = release.draft
        if "draft" in data:
            release.draft = bool(data["draft"])
        if "prerelease" in data:
            release.prerelease = bool(data["prerelease"])
        release.updated_at = shapes.now()
        if release.prerelease or release.draft:
            release.latest = False
        events: list[Event] = []
        if was_draft and not release.draft:
            events = _tag(call, repo, release)  # publishing makes it latest unless make_latest says no
            _apply_make_latest(repo, release, data.get("make_latest", "true"))
            events += _published(call, repo, release)
        else:
            _apply_make_latest(repo, release, data.get("make_latest", "true" if release.latest else "false"))
    call.state.deliver(events)
    return Reply(200, release_json(call.site, repo, release))


def delete_release(call: Call) -> Reply:
    repo = call.repo()
    with repo.lock:
        repo.releases.remove(release_or_404(repo, call.params["release_id"]))
    return Reply(204)


def list_assets(call: Call) -> Reply:
    repo = call.repo()
    release = release_or_404(repo, call.params["release_id"])
    return call.page([asset_json(call.site, repo, release, a) for a in release.assets])


def upload_asset(call: Call) -> Reply:
    repo = call.repo()
    name = call.query.get("name", "")
    if not name:
        raise _invalid("name", "missing_field", "ReleaseAsset")
    with repo.lock:
        release = release_or_404(repo, call.params["release_id"])
        if any(a.name == name for a in release.assets):
            raise _invalid("name", "already_exists", "ReleaseAsset")
        asset = Asset(id=call.state.next_id(), name=name, label=call.query.get("label") or "",
                      content_type=call.headers.get("Content-Type", "application/octet-stream"), data=call.body,
                      created_at=shapes.now(), uploader=call.login)
        release.assets.append(asset)
    return Reply(201, asset_json(call.site, repo, release, asset))


ROUTES = [
    Endpoint("POST", REPO + "/releases", create_release),
    Endpoint("GET", REPO + "/releases", list_releases),
    Endpoint("GET", REPO + "/releases/latest", latest_release),
    Endpoint("GET", REPO + "/releases/tags/{tag:path}", release_by_tag),
    Endpoint("GET", REPO + "/releases/{release_id:int}", get_release),
    Endpoint("PATCH", REPO + "/releases/{release_id:int}", update_release),
    Endpoint("DELETE", REPO + "/releases/{release_id:int}", delete_release),
    Endpoint("GET", REPO + "/releases/{release_id:int}/assets", list_assets),
]

# served on the upload host (`<url>/api/uploads`), as `upload_url` in a release says
UPLOAD_ROUTES = [
    Endpoint("POST", REPO + "/releases/{release_id:int}/assets", upload_asset),
]
