"""The REST operations a release workflow meets beyond the basics, each as GitHub documents it:
generated release notes, draft -> publish, release assets, the git database, `PUT contents`,
ref forms, combined status, Actions workflows and runs; every answer checked against GitHub's
OpenAPI description and every event against GitHub's webhook schemas."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import requests

from testbed import gitrepo
from testbed.github import LocalGitHub
from testbed.github.records import WorkflowRun
from tests.github import openapi
from tests.github.test_local_github import client, gh  # the fixture

__all__ = ["gh"]
WEBHOOKS = Path(__file__).resolve().parents[2] / ".cache/npm/node_modules/@octokit/webhooks-schemas/schema.json"
REPO = "/repos/{owner}/{repo}"


class Api:
    """requests against the local GitHub's REST API, each answer checked against the OpenAPI description."""

    def __init__(self, gh: LocalGitHub) -> None:
        self.gh = gh
        self.headers = {"Authorization": f"token {gh.admin_token}"}

    def __call__(self, method: str, template: str, path: str, status: int, **kwargs: Any) -> Any:
        answer = requests.request(method, self.gh.api_url + path, headers={**self.headers, **kwargs.pop("headers", {})},
                                  timeout=10, **kwargs)
        assert answer.status_code == status, (method, path, answer.status_code, answer.text[:400])
        if status == 204 or not answer.content:
            assert not openapi.empty_errors(method, REPO + template, status, answer.content), (path, answer.content)
            return None
        body = answer.json()
        problems = openapi.errors(method, REPO + template, status, body) if status < 300 else []
        assert not problems, (path, problems)
        return body


def webhook_errors(event_name: str, action: str | None, payload: Any) -> list[str]:
    schema = json.loads(WEBHOOKS.read_text())
    wrapped = {"$ref": f"#/definitions/{event_name}${action or 'event'}", "definitions": schema["definitions"]}
    found = jsonschema.Draft7Validator(wrapped).iter_errors(payload)
    return [f"{'/'.join(map(str, e.path))}: {e.message[:160]}" for e in found][:8]


def merged_feature(gh: LocalGitHub, tmp_path: Path, branch: str, title: str) -> int:
    gitrepo.push_branch(url=f"{gh.url}/acme/app.git", token=gh.admin_token, workdir=tmp_path / branch.replace("/", "-"),
                        base="main", branch=branch, files={f"{branch.replace('/', '-')}.txt": "x\n"}, message=title)
    pull = client(gh).get_repo("acme/app").create_pull(base="main", head=branch, title=title)
    pull.merge(merge_method="squash")
    return int(pull.number)


def test_generated_release_notes_list_the_pull_requests_since_the_previous_release(gh: LocalGitHub,
                                                                                   tmp_path: Path) -> None:
    """generate-notes and generate_release_notes: GitHub's format, only pull requests after the previous release."""
    api = Api(gh)
    first = merged_feature(gh, tmp_path, "feat/one", "Add one")
    web = f"{gh.url}/acme/app"
    whole = api("POST", "/releases/generate-notes", "/repos/acme/app/releases/generate-notes", 200,
                json={"tag_name": "v1.0.0", "target_commitish": "main"})
    assert whole["body"] == (f"## What's Changed\n* Add one by @octocat in {web}/pull/{first}\n\n"
                             f"**Full Changelog**: {web}/commits/v1.0.0")
    api("POST", "/releases", "/repos/acme/app/releases", 201, json={"tag_name": "v1.0.0", "target_commitish": "main"})
    second = merged_feature(gh, tmp_path, "feat/two", "Add two")
    notes = api("POST", "/releases/generate-notes", "/repos/acme/app/releases/generate-notes", 200,
                json={"tag_name": "v1.1.0", "target_commitish": "main"})
    assert notes == {"name": "v1.1.0", "body": f"## What's Changed\n* Add two by @octocat in {web}/pull/{second}\n\n"
                                                 f"**Full Changelog**: {web}/compare/v1.0.0...v1.1.0"}
    made = api("POST", "/releases", "/repos/acme/app/releases", 201,
               json={"tag_name": "v1.1.0", "target_commitish": "main", "generate_release_notes": True})
    assert made["body"] == notes["body"] and made["name"] == "v1.1.0"


def test_publishing_a_draft_makes_the_tag_the_latest_release_and_fires_events(gh: LocalGitHub) -> None:
    """draft -> published: tag created at the target, latest by default, created/published/released events."""
    api = Api(gh)
    draft = api("POST", "/releases", "/repos/acme/app/releases", 201,
                json={"tag_name": "v2.0.0", "target_commitish": "stg", "draft": True})
    assert gitrepo.read_file(gh.repo("acme/app").bare, "v2.0.0", "VERSION") is None  # no tag while a draft
    published = api("PATCH", "/releases/{release_id}", f"/repos/acme/app/releases/{draft['id']}", 200,
                    json={"draft": False})
    assert published["draft"] is False and published["published_at"]
    assert api("GET", "/releases/latest", "/repos/acme/app/releases/latest", 200)["id"] == draft["id"]
    tag = api("GET", "/git/ref/{ref}", "/repos/acme/app/git/ref/tags/v2.0.0", 200)
    assert tag["object"]["sha"] == client(gh).get_repo("acme/app").get_branch("stg").commit.sha
    events = [e for e in gh.delivered if e.name == "release"]  # type: ignore[attr-defined]
    assert [e.payload["action"] for e in events] == ["created", "published", "released"]
    for event in events:
        assert not webhook_errors("release", event.payload["action"], dict(event.payload)), event.payload["action"]


def published_over_an_older_release(gh: LocalGitHub, publish: dict[str, Any]) -> Any:
    """v1.0.0 released, then v1.1.0 made as a draft and published with `publish`; `GET /releases/latest`."""
    api = Api(gh)
    older = api("POST", "/releases", "/repos/acme/app/releases", 201, json={"tag_name": "v1.0.0"})
    assert api("GET", "/releases/latest", "/repos/acme/app/releases/latest", 200)["id"] == older["id"]
    draft = api("POST", "/releases", "/repos/acme/app/releases", 201, json={"tag_name": "v1.1.0", "draft": True})
    assert api("GET", "/releases/latest", "/repos/acme/app/releases/latest", 200)["id"] == older["id"]
    api("PATCH", "/releases/{release_id}", f"/repos/acme/app/releases/{draft['id']}", 200, json=publish)
    return api("GET", "/releases/latest", "/repos/acme/app/releases/latest", 200)


def test_a_published_draft_becomes_latest_over_an_older_release(gh: LocalGitHub) -> None:
    """With v1.0.0 latest, publishing the draft v1.1.0 (draft: false alone) makes v1.1.0 the latest release."""
    assert published_over_an_older_release(gh, {"draft": False})["tag_name"] == "v1.1.0"


def test_a_draft_published_with_make_latest_false_leaves_the_older_release_latest(gh: LocalGitHub) -> None:
    """Publishing the draft v1.1.0 with make_latest "false" keeps v1.0.0 the latest release."""
    latest = published_over_an_older_release(gh, {"draft": False, "make_latest": "false"})
    assert latest["tag_name"] == "v1.0.0"


def test_release_assets_read_download_and_delete(gh: LocalGitHub) -> None:
    """An asset: JSON, bytes with Accept octet-stream, bytes at browser_download_url, rename, then gone."""
    api = Api(gh)
    release = client(gh).get_repo("acme/app").create_git_release("v1.0.0", "v1.0.0", "notes", target_commitish="main")
    uploaded = release.upload_asset_from_memory(b"\x00\x01payload", 9, "images.json")
    path = f"/repos/acme/app/releases/assets/{uploaded.id}"
    found = api("GET", "/releases/assets/{asset_id}", path, 200)
    assert found["name"] == "images.json" and found["size"] == 9
    raw = requests.get(gh.api_url + path, headers={**api.headers, "Accept": "application/octet-stream"}, timeout=10)
    assert raw.content == b"\x00\x01payload"
    browser = requests.get(found["browser_download_url"], headers=api.headers, timeout=10)
    assert browser.status_code == 200 and browser.content == b"\x00\x01payload"
    assert requests.get(found["browser_download_url"], timeout=10).status_code == 401
    assert api("PATCH", "/releases/assets/{asset_id}", path, 200, json={"label": "Images"})["label"] == "Images"
    api("DELETE", "/releases/assets/{asset_id}", path, 204)
    assert requests.get(gh.api_url + path, headers=api.headers, timeout=10).status_code == 404
    assert requests.get(found["browser_download_url"], headers=api.headers, timeout=10).status_code == 404


def test_git_database_blob_tree_commit_annotated_tag_and_refs(gh: LocalGitHub) -> None:
    """Blobs, trees (nested, on a base tree), commits and annotated tags written and read back; ref forms."""
    api = Api(gh)
    main = client(gh).get_repo("acme/app").get_branch("main").commit
    blob = api("POST", "/git/blobs", "/repos/acme/app/git/blobs", 201,
               json={"content": base64.b64encode(b"2.0.0\n").decode(), "encoding": "base64"})
    assert base64.b64decode(api("GET", "/git/blobs/{file_sha}", f"/repos/acme/app/git/blobs/{blob['sha']}",
                                200)["content"]) == b"2.0.0\n"
    tree = api("POST", "/git/trees", "/repos/acme/app/git/trees", 201, json={
        "base_tree": main.commit.tree.sha,
        "tree": [{"path": "VERSION", "mode": "100644", "type": "blob", "sha": blob["sha"]},
                 {"path": "docs/notes/a.md", "mode": "100644", "type": "blob", "content": "# a\n"}]})
    listed = api("GET", "/git/trees/{tree_sha}", f"/repos/acme/app/git/trees/{tree['sha']}?recursive=1", 200)
    assert {e["path"] for e in listed["tree"]} >= {"VERSION", "docs", "docs/notes", "docs/notes/a.md"}
    commit = api("POST", "/git/commits", "/repos/acme/app/git/commits", 201, json={
        "message": "Bump to 2.0.0", "tree": tree["sha"], "parents": [main.sha],
        "author": {"name": "Rel Ease", "email": "rel@acme.test", "date": "2026-01-02T03:04:05Z"}})
    assert commit["author"] == {"name": "Rel Ease", "email": "rel@acme.test", "date": "2026-01-02T03:04:05Z"}
    assert [p["sha"] for p in commit["parents"]] == [main.sha]
    api("POST", "/git/refs", "/repos/acme/app/git/refs", 201,
        json={"ref": "refs/heads/release/2.0", "sha": commit["sha"]})
    for form in ("/git/ref/heads/release/2.0", "/git/refs/heads/release/2.0"):
        assert api("GET", "/git/ref/{ref}", f"/repos/acme/app{form}", 200)["object"]["sha"] == commit["sha"]
    tag = api("POST", "/git/tags", "/repos/acme/app/git/tags", 201, json={
        "tag": "v2.0.0", "message": "Release 2.0.0\n", "object": commit["sha"], "type": "commit",
        "tagger": {"name": "Rel Ease", "email": "rel@acme.test", "date": "2026-01-02T03:04:05Z"}})
    assert api("GET", "/git/tags/{tag_sha}", f"/repos/acme/app/git/tags/{tag['sha']}", 200) == tag
    api("POST", "/git/refs", "/repos/acme/app/git/refs", 201, json={"ref": "refs/tags/v2.0.0", "sha": tag["sha"]})
    ref = api("GET", "/git/ref/{ref}", "/repos/acme/app/git/ref/tags/v2.0.0", 200)
    tag_url = f"{gh.api_url}/repos/acme/app/git/tags/{tag['sha']}"
    assert ref["object"] == {"type": "tag", "sha": tag["sha"], "url": tag_url}
    missing = requests.get(f"{gh.api_url}/repos/acme/app/git/ref/heads/nope", headers=api.headers, timeout=10)
    assert missing.status_code == 404


def test_put_contents_creates_then_updates_a_file_with_a_commit(gh: LocalGitHub) -> None:
    """PUT contents: 201 on create, 200 on update with the blob SHA, 422 without it, 409 with a stale one."""
    api = Api(gh)
    body = {"message": "Add notes", "content": base64.b64encode(b"one\n").decode(), "branch": "stg"}
    made = api("PUT", "/contents/{path}", "/repos/acme/app/contents/docs/notes.md", 201, json=body)
    assert gitrepo.read_file(gh.repo("acme/app").bare, "stg", "docs/notes.md") == "one\n"
    update = {**body, "content": base64.b64encode(b"two\n").decode(), "sha": made["content"]["sha"]}
    api("PUT", "/contents/{path}", "/repos/acme/app/contents/docs/notes.md", 200, json=update)
    assert gitrepo.read_file(gh.repo("acme/app").bare, "stg", "docs/notes.md") == "two\n"
    api("PUT", "/contents/{path}", "/repos/acme/app/contents/docs/notes.md", 422, json=body)
    api("PUT", "/contents/{path}", "/repos/acme/app/contents/docs/notes.md", 409, json=update)
    pushes = [e for e in gh.delivered if e.name == "push" and e.ref == "refs/heads/stg"]  # type: ignore[attr-defined]
    assert len(pushes) == 2


def test_combined_status_uses_the_latest_status_per_context(gh: LocalGitHub) -> None:
    """Combined state: pending with none, failure when one context fails, success when all succeed."""
    api = Api(gh)
    assert api("GET", "/commits/{ref}/status", "/repos/acme/app/commits/main/status", 200)["state"] == "pending"
    sha = client(gh).get_repo("acme/app").get_branch("main").commit.sha
    for context, state in (("ci", "failure"), ("helm-release/stg", "success")):
        requests.post(f"{gh.api_url}/repos/acme/app/statuses/{sha}", headers=api.headers, timeout=10,
                      json={"state": state, "context": context})
    assert api("GET", "/commits/{ref}/status", "/repos/acme/app/commits/main/status", 200)["state"] == "failure"
    requests.post(f"{gh.api_url}/repos/acme/app/statuses/{sha}", headers=api.headers, timeout=10,
                  json={"state": "success", "context": "ci"})
    combined = api("GET", "/commits/{ref}/status", f"/repos/acme/app/commits/{sha}/status", 200)
    assert (combined["state"], combined["total_count"]) == ("success", 2)


def test_pull_request_synchronize_and_reopened_events(gh: LocalGitHub, tmp_path: Path) -> None:
    """A push to an open pull request's branch fires synchronize; reopening fires reopened."""
    gitrepo.push_branch(url=f"{gh.url}/acme/app.git", token=gh.admin_token, workdir=tmp_path / "a", base="stg",
                        branch="feat/x", files={"x.txt": "1\n"}, message="one")
    pull = client(gh).get_repo("acme/app").create_pull(base="stg", head="feat/x", title="X")
    after = gitrepo.push_commit(url=f"{gh.url}/acme/app.git", token=gh.admin_token, workdir=tmp_path / "b",
                                branch="feat/x", files={"x.txt": "2\n"}, message="two")
    pull.edit(state="closed")
    pull.edit(state="open")
    events = [e for e in gh.delivered if e.name == "pull_request"]  # type: ignore[attr-defined]
    assert [e.payload["action"] for e in events] == ["opened", "synchronize", "closed", "reopened"]
    assert events[1].payload["after"] == after and events[1].payload["pull_request"]["head"]["sha"] == after
    for event in events:
        assert not webhook_errors("pull_request", event.payload["action"], dict(event.payload)), event.payload["action"]


def test_actions_workflows_and_the_runs_reported_to_it(gh: LocalGitHub, tmp_path: Path) -> None:
    """Workflows listed from the default branch; runs as reported; dispatch to an unknown workflow is 404."""
    api = Api(gh)
    bare = gh.repo("acme/app").bare
    head = gitrepo.commit_files(bare, "main", {".github/workflows/ci.yml": "name: CI\non: push\njobs: {}\n"}, "ci",
                                root=tmp_path)
    workflows = api("GET", "/actions/workflows", "/repos/acme/app/actions/workflows", 200)
    assert [(w["name"], w["path"]) for w in workflows["workflows"]] == [("CI", ".github/workflows/ci.yml")]
    assert api("GET", "/actions/runs", "/repos/acme/app/actions/runs", 200) == {"total_count": 0, "workflow_runs": []}
    runs = [WorkflowRun(7, "acme/app", ".github/workflows/ci.yml", "push", head, "main", "octocat", "completed",
                        "failure", "2026-01-01T00:00:00Z", "2026-01-01T00:01:00Z", 1),
            WorkflowRun(8, "acme/app", ".github/workflows/ci.yml", "push", head, "main", "octocat", "completed",
                        "success", "2026-01-01T00:02:00Z", "2026-01-01T00:03:00Z", 2)]
    gh.report_runs(lambda: runs)
    listed = api("GET", "/actions/runs", "/repos/acme/app/actions/runs", 200)
    assert [(r["id"], r["conclusion"], r["name"]) for r in listed["workflow_runs"]] == [(8, "success", "CI"),
                                                                                          (7, "failure", "CI")]
    failed = api("GET", "/actions/workflows/{workflow_id}/runs",
                 "/repos/acme/app/actions/workflows/ci.yml/runs?status=failure", 200)
    assert [r["id"] for r in failed["workflow_runs"]] == [7]
    api("POST", "/actions/workflows/{workflow_id}/dispatches", "/repos/acme/app/actions/workflows/nope.yml/dispatches",
        404, json={"ref": "main"})
    api("POST", "/actions/workflows/{workflow_id}/dispatches", "/repos/acme/app/actions/workflows/ci.yml/dispatches",
        204, json={"ref": "main"})


@pytest.mark.parametrize("merged", [True, False])
def test_merge_a_branch(gh: LocalGitHub, tmp_path: Path, merged: bool) -> None:
    """POST /merges: 201 with the merge commit, 204 when the base holds the head already."""
    api = Api(gh)
    if merged:
        gitrepo.push_commit(url=f"{gh.url}/acme/app.git", token=gh.admin_token, workdir=tmp_path / "a", branch="main",
                            files={"m.txt": "m\n"}, message="on main")
    made = api("POST", "/merges", "/repos/acme/app/merges", 201 if merged else 204,
               json={"base": "stg", "head": "main"})
    if merged:
        assert len(made["parents"]) == 2 and made["commit"]["message"] == "Merge main into stg"
