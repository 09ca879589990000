"""The answers of the routes no other test validates, each checked against GitHub's OpenAPI description
(`Api` validates every 2xx JSON answer and every empty one); every served route is in that description
except three GitHub still serves for old clients and names in its own answers' URLs."""

from __future__ import annotations

import re
from pathlib import Path

import requests

from testbed import gitrepo
from testbed.github import LocalGitHub
from testbed.github.records import WorkflowRun
from testbed.github.routes import API_ROUTES, UPLOAD_ROUTES
from tests.github import openapi
from tests.github.test_local_github import client, feature, gh  # the fixture
from tests.github.test_rest_gaps import Api

__all__ = ["gh"]
# served, not in GitHub's OpenAPI description: the old v3 docs' "Get all References", "Get a Reference" and
# "List statuses for a ref"; GitHub still answers them, and its own answers link there (a ref's `url`,
# a status's `url`, a pull request's `_links.statuses`); PyGithub's get_git_refs() lists through the first
LEGACY = {("GET", "/repos/{}/{}/git/refs"), ("GET", "/repos/{}/{}/git/refs/{}"), ("GET", "/repos/{}/{}/statuses/{}")}


def shape(template: str) -> str:
    """A path template with its parameters unnamed (`{number:int}` and `{pull_number}` alike are `{}`)."""
    return re.sub(r"\{[^}]+\}", "{}", template)


def test_every_served_route_is_in_githubs_description_but_the_named_legacy_ones() -> None:
    """Each REST and upload route has an operation in the OpenAPI description, or is one of the three legacy ones."""
    documented = {(method.upper(), shape(path)) for path, operations in openapi.spec()["paths"].items()
                  for method in operations if method in ("get", "post", "put", "patch", "delete")}
    served = {(endpoint.method, shape(endpoint.path)) for endpoint in [*API_ROUTES, *UPLOAD_ROUTES]}
    assert served - documented == LEGACY


def test_workflow_and_run_by_id(gh: LocalGitHub, tmp_path: Path) -> None:
    """GET actions/workflows/{id} (by file name and by id) and GET actions/runs/{id} answer GitHub's shapes."""
    api = Api(gh)
    head = gitrepo.commit_files(gh.repo("acme/app").bare, "main", {".github/workflows/ci.yml": "name: CI\non: push\n"
                                                                    "jobs: {}\n"}, "ci", root=tmp_path)
    by_name = api("GET", "/actions/workflows/{workflow_id}", "/repos/acme/app/actions/workflows/ci.yml", 200)
    by_id = api("GET", "/actions/workflows/{workflow_id}", f"/repos/acme/app/actions/workflows/{by_name['id']}", 200)
    assert by_name == by_id and by_name["path"] == ".github/workflows/ci.yml"
    gh.report_runs(lambda: [WorkflowRun(7, "acme/app", ".github/workflows/ci.yml", "push", head, "main", "octocat",
                                        "completed", "success", "2026-01-01T00:00:00Z", "2026-01-01T00:01:00Z", 1)])
    run = api("GET", "/actions/runs/{run_id}", "/repos/acme/app/actions/runs/7", 200)
    assert (run["id"], run["head_sha"], run["conclusion"]) == (7, head, "success")


def test_ref_update_and_delete(gh: LocalGitHub, tmp_path: Path) -> None:
    """PATCH git/refs/{ref} moves a branch (200, the ref); DELETE answers 204 and the ref is gone."""
    api = Api(gh)
    head = feature(gh, tmp_path)
    api("POST", "/git/refs", "/repos/acme/app/git/refs", 201, json={"ref": "refs/heads/moving", "sha": head})
    main = client(gh).get_repo("acme/app").get_branch("main").commit.sha
    moved = api("PATCH", "/git/refs/{ref}", "/repos/acme/app/git/refs/heads/moving", 200,
                json={"sha": main, "force": True})
    assert (moved["ref"], moved["object"]["sha"]) == ("refs/heads/moving", main)
    api("DELETE", "/git/refs/{ref}", "/repos/acme/app/git/refs/heads/moving", 204)
    assert requests.get(f"{gh.api_url}/repos/acme/app/git/ref/heads/moving", headers=api.headers,
                        timeout=10).status_code == 404


def test_statuses_created_and_listed(gh: LocalGitHub) -> None:
    """POST statuses/{sha} (201) and GET commits/{ref}/statuses answer GitHub's shapes; the legacy list is the same."""
    api = Api(gh)
    sha = client(gh).get_repo("acme/app").get_branch("main").commit.sha
    made = api("POST", "/statuses/{sha}", f"/repos/acme/app/statuses/{sha}", 201,
               json={"state": "success", "context": "ci", "description": "built", "target_url": "https://ci.test/1"})
    listed = api("GET", "/commits/{ref}/statuses", "/repos/acme/app/commits/main/statuses", 200)
    assert [s["id"] for s in listed] == [made["id"]] and made["context"] == "ci"
    legacy = requests.get(f"{gh.api_url}/repos/acme/app/statuses/main", headers=api.headers, timeout=10)
    assert legacy.json() == listed


def test_legacy_ref_routes_answer_what_their_documented_twins_answer(gh: LocalGitHub) -> None:
    """GET git/refs/{ref} is GET git/ref/{ref}; GET git/refs lists refs in the shape matching-refs documents."""
    api = Api(gh)
    one = api("GET", "/git/ref/{ref}", "/repos/acme/app/git/ref/heads/main", 200)
    legacy = requests.get(f"{gh.api_url}/repos/acme/app/git/refs/heads/main", headers=api.headers, timeout=10)
    assert legacy.json() == one
    every = requests.get(f"{gh.api_url}/repos/acme/app/git/refs", headers=api.headers, timeout=10).json()
    assert not openapi.errors("GET", "/repos/{owner}/{repo}/git/matching-refs/{ref}", 200, every)
    assert {ref["ref"] for ref in every} >= {"refs/heads/main", "refs/heads/stg"}


def test_pull_request_created_updated_and_merge_checked(gh: LocalGitHub, tmp_path: Path) -> None:
    """POST pulls (201), PATCH pulls/{n} (200) and GET pulls/{n}/merge (404 open, 204 merged) as documented."""
    api = Api(gh)
    feature(gh, tmp_path)
    made = api("POST", "/pulls", "/repos/acme/app/pulls", 201, json={"head": "feat/login", "base": "stg",
                                                                       "title": "Add login"})
    edited = api("PATCH", "/pulls/{pull_number}", f"/repos/acme/app/pulls/{made['number']}", 200,
                 json={"title": "Add the login", "body": "why"})
    assert (edited["title"], edited["body"]) == ("Add the login", "why")
    merged = f"/repos/acme/app/pulls/{made['number']}/merge"
    api("GET", "/pulls/{pull_number}/merge", merged, 404)
    api("PUT", "/pulls/{pull_number}/merge", merged, 200, json={})
    api("GET", "/pulls/{pull_number}/merge", merged, 204)


def test_comments_on_commits_and_pull_requests(gh: LocalGitHub, tmp_path: Path) -> None:
    """POST commits/{sha}/comments, PATCH comments/{id} and POST issues/{n}/comments answer GitHub's shapes."""
    api = Api(gh)
    head = feature(gh, tmp_path)
    made = api("POST", "/commits/{commit_sha}/comments", f"/repos/acme/app/commits/{head}/comments", 201,
               json={"body": "tags"})
    edited = api("PATCH", "/comments/{comment_id}", f"/repos/acme/app/comments/{made['id']}", 200,
                 json={"body": "tags: v1"})
    assert edited["body"] == "tags: v1"
    pull = api("POST", "/pulls", "/repos/acme/app/pulls", 201, json={"head": "feat/login", "base": "stg", "title": "t"})
    said = api("POST", "/issues/{issue_number}/comments", f"/repos/acme/app/issues/{pull['number']}/comments", 201,
               json={"body": "hello"})
    assert said["body"] == "hello"


def test_release_asset_upload_and_release_delete(gh: LocalGitHub) -> None:
    """POST an asset at upload_url (201, the asset) and DELETE the release (204) as GitHub documents them."""
    api = Api(gh)
    release = api("POST", "/releases", "/repos/acme/app/releases", 201, json={"tag_name": "v1.0.0"})
    upload = release["upload_url"].split("{")[0] + "?name=images.json"
    asset = requests.post(upload, data=b"{}", headers={**api.headers, "Content-Type": "application/json"}, timeout=10)
    assert asset.status_code == 201, asset.text
    assert not openapi.errors("POST", "/repos/{owner}/{repo}/releases/{release_id}/assets", 201, asset.json())
    api("DELETE", "/releases/{release_id}", f"/repos/acme/app/releases/{release['id']}", 204)
    assert requests.get(f"{gh.api_url}/repos/acme/app/releases/{release['id']}", headers=api.headers,
                        timeout=10).status_code == 404


def test_repository_dispatch(gh: LocalGitHub) -> None:
    """POST dispatches answers 204 with no body, as documented."""
    Api(gh)("POST", "/dispatches", "/repos/acme/app/dispatches", 204, json={"event_type": "deploy"})
