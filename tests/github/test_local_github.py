"""The local GitHub, driven by unmodified PyGithub and real git over HTTP.

Each answer it gives is checked against GitHub's own OpenAPI description, and GitHub's rules
that a release pipeline depends on are shown to hold.
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import github
import pytest
import requests

from testbed import gitrepo
from testbed.github import Event, LocalGitHub
from tests.github import openapi


@pytest.fixture
def gh(tmp_path: Path) -> Iterator[LocalGitHub]:
    events: list[Event] = []
    server = LocalGitHub(tmp_path / "gh", on_event=events.append)
    server.delivered = events  # type: ignore[attr-defined]
    with server:
        bare = server.create_repo("acme/app")
        sha = gitrepo.commit_files(bare, "main", {"VERSION": "1.0.0\n"}, "Initial commit", root=tmp_path)
        gitrepo.set_ref(bare, "refs/heads/stg", sha)
        server.create_repo("acme/helm-charts")
        gitrepo.commit_files(server.repo("acme/helm-charts").bare, "main", {"README.md": "x\n"}, "init", root=tmp_path)
        yield server


def client(gh: LocalGitHub, token: str | None = None) -> github.Github:
    return github.Github(base_url=gh.api_url, auth=github.Auth.Token(token or gh.admin_token), retry=None,
                         seconds_between_requests=None, seconds_between_writes=None)


def feature(gh: LocalGitHub, tmp_path: Path, branch: str = "feat/login") -> str:
    return gitrepo.push_branch(url=f"{gh.url}/acme/app.git", token=gh.admin_token, workdir=tmp_path / branch,
                               base="stg", branch=branch, files={"login.txt": "login\n"}, message="Add login")


def git(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=False,
                          env={"GIT_TERMINAL_PROMPT": "0", "PATH": "/usr/bin:/bin:/usr/local/bin", "HOME": "/tmp"})


# PyGithub round trips ---------------------------------------------------------------------

def test_pull_request_merge_makes_a_merge_commit_and_fires_events(gh: LocalGitHub, tmp_path: Path) -> None:
    """Merging a PR makes a two-parent merge commit on stg, marks the PR merged and fires opened, closed and push."""
    head = feature(gh, tmp_path)
    repo = client(gh).get_repo("acme/app")
    stg_before = repo.get_branch("stg").commit.sha
    pull = repo.create_pull(base="stg", head="feat/login", title="Add login")
    result = pull.merge(merge_method="merge")
    merge = repo.get_commit(result.sha)
    assert [p.sha for p in merge.parents] == [stg_before, head]
    assert repo.get_branch("stg").commit.sha == result.sha
    assert merge.commit.message.startswith("Merge pull request #1 from acme/feat/login")
    pull = repo.get_pull(pull.number)
    assert pull.merged and pull.merge_commit_sha == result.sha and pull.state == "closed"
    delivered = [(e.name, e.payload.get("action"), e.ref) for e in gh.delivered]  # type: ignore[attr-defined]
    assert delivered[-3:] == [("pull_request", "opened", "refs/pull/1/merge"),
                              ("pull_request", "closed", "refs/pull/1/merge"),
                              ("push", None, "refs/heads/stg")]
    closed = gh.delivered[-2].payload  # type: ignore[attr-defined]
    assert closed["pull_request"]["merged"] is True and closed["pull_request"]["head"]["sha"] == head
    push = gh.delivered[-1].payload  # type: ignore[attr-defined]
    assert (push["before"], push["after"]) == (stg_before, result.sha)


def test_second_open_pull_request_for_same_head_and_base_is_422(gh: LocalGitHub, tmp_path: Path) -> None:
    """A second open PR for the same head and base is a 422 'already exists'; only the first stays open."""
    feature(gh, tmp_path)
    repo = client(gh).get_repo("acme/app")
    repo.create_pull(base="stg", head="feat/login", title="one")
    with pytest.raises(github.GithubException) as raised:
        repo.create_pull(base="stg", head="feat/login", title="two")
    assert raised.value.status == 422
    assert "already exists" in raised.value.data["errors"][0]["message"]
    assert [p.title for p in repo.get_pulls(state="open", head="acme:feat/login", base="stg")] == ["one"]


def test_release_for_an_existing_tag_is_422_already_exists(gh: LocalGitHub) -> None:
    """A release creates its tag at the target; a second release for the tag is 422 already_exists and adds nothing."""
    repo = client(gh).get_repo("acme/app")
    first = repo.create_git_release("v1.1.0", "v1.1.0", "notes", target_commitish="main")
    assert repo.get_git_ref("tags/v1.1.0").object.sha == repo.get_branch("main").commit.sha
    with pytest.raises(github.GithubException) as raised:
        repo.create_git_release("v1.1.0", "again", "notes")
    assert raised.value.status == 422 and raised.value.data["errors"][0]["code"] == "already_exists"
    assert [r.id for r in repo.get_releases()] == [first.id]
    assert repo.get_latest_release().tag_name == "v1.1.0"


def test_prerelease_is_never_latest_and_assets_upload(gh: LocalGitHub) -> None:
    """A pre-release never becomes the latest release; assets upload to it and its name and body can be edited."""
    repo = client(gh).get_repo("acme/app")
    repo.create_git_release("v1.0.0", "v1.0.0", "", target_commitish="main")
    pre = repo.create_git_release("v1.1.0-stg", "v1.1.0-stg", "", prerelease=True, target_commitish="stg")
    assert repo.get_latest_release().tag_name == "v1.0.0"
    pre.upload_asset_from_memory(b"{}", 2, "images.json", content_type="application/json")
    assert [(a.name, a.size) for a in repo.get_release("v1.1.0-stg").assets] == [("images.json", 2)]
    updated = pre.update_release(name="1.1.0 (staging)", message="new body", prerelease=True)
    assert updated.body == "new body" and repo.get_release(pre.id).name == "1.1.0 (staging)"


def test_commit_comments_compare_contents_and_refs(gh: LocalGitHub, tmp_path: Path) -> None:
    """Commit comments, compare, contents and refs work as on GitHub; a duplicate ref or backward ref move is 422."""
    head = feature(gh, tmp_path)
    repo = client(gh).get_repo("acme/app")
    commit = repo.get_commit(head)
    commit.create_comment("Images: stg-abc1234, stg-1.1.0")
    assert [c.body for c in commit.get_comments()] == ["Images: stg-abc1234, stg-1.1.0"]
    assert [c.commit_id for c in repo.get_comments()] == [head]
    compare = repo.compare("stg", "feat/login")
    assert (compare.status, compare.ahead_by, [c.sha for c in compare.commits]) == ("ahead", 1, [head])
    assert repo.get_contents("login.txt", ref="feat/login").decoded_content == b"login\n"
    ref = repo.create_git_ref("refs/tags/stg-marker", head)
    assert ref.object.sha == head
    with pytest.raises(github.GithubException) as raised:
        repo.create_git_ref("refs/tags/stg-marker", head)
    assert raised.value.status == 422
    main = repo.get_git_ref("heads/main").object.sha
    with pytest.raises(github.GithubException) as not_ff:
        repo.get_git_ref("heads/feat/login").edit(sha=main)  # backwards: not a fast-forward
    assert not_ff.value.status == 422 and not_ff.value.data["message"] == "Update is not a fast forward"
    assert repo.get_git_ref("heads/feat/login").object.sha == head
    assert [p.number for p in commit.get_pulls()] == []


def test_pagination_follows_link_headers(gh: LocalGitHub, tmp_path: Path) -> None:
    """With 3 items a page, PyGithub follows the Link headers and lists all 8 commits."""
    bare = gh.repo("acme/app").bare
    for n in range(7):
        gitrepo.commit_files(bare, "main", {"n.txt": f"{n}\n"}, f"commit {n}", root=tmp_path)
    g = github.Github(base_url=gh.api_url, auth=github.Auth.Token(gh.admin_token), per_page=3, retry=None)
    assert len(list(g.get_repo("acme/app").get_commits(sha="main"))) == 8


# tokens -------------------------------------------------------------------------------------

def test_requests_without_or_with_a_bad_token_are_401(gh: LocalGitHub) -> None:
    """A request without a token or with an unknown one gets 401 with GitHub's message for each case."""
    anonymous = requests.get(f"{gh.api_url}/repos/acme/app", timeout=10)
    assert anonymous.status_code == 401 and anonymous.json()["message"] == "Requires authentication"
    bad = requests.get(f"{gh.api_url}/repos/acme/app", headers={"Authorization": "token nope"}, timeout=10)
    assert bad.status_code == 401 and bad.json()["message"] == "Bad credentials"


def test_workflow_token_cannot_reach_another_repository(gh: LocalGitHub) -> None:
    """The workflow token gets 403 dispatching to another repository; a token granted both repositories can dispatch."""
    token = gh.create_token("github-actions[bot]", repos={"acme/app"}, actions=True)
    charts = requests.post(f"{gh.api_url}/repos/acme/helm-charts/dispatches", timeout=10,
                           headers={"Authorization": f"Bearer {token}"}, json={"event_type": "helm-release"})
    assert charts.status_code == 403 and charts.json()["message"] == "Resource not accessible by integration"
    assert gh.dispatches("acme/helm-charts") == []
    release_bot = gh.create_token("release-bot", repos={"acme/app", "acme/helm-charts"})
    charts = client(gh, release_bot).get_repo("acme/helm-charts")
    charts.create_repository_dispatch("helm-release", {"version": "1.1.0"})
    assert [(d.event_type, d.client_payload, d.sender) for d in gh.dispatches("acme/helm-charts")] == [
        ("helm-release", {"version": "1.1.0"}, "release-bot")]


def test_events_caused_by_the_workflow_token_are_recorded_as_suppressed(gh: LocalGitHub, tmp_path: Path) -> None:
    """A PR and a tag made with the workflow token are recorded as suppressed and never delivered, as on GitHub."""
    token = gh.create_token("github-actions[bot]", repos={"acme/app"}, actions=True)
    head = feature(gh, tmp_path)
    repo = client(gh, token).get_repo("acme/app")
    repo.create_pull(base="stg", head="feat/login", title="from a workflow")
    repo.create_git_ref("refs/tags/stg-1.1.0", head)
    recorded = [(e.name, e.suppressed) for e in gh.events[-2:]]
    assert recorded == [("pull_request", True), ("push", True)]
    assert all(not e.suppressed for e in gh.delivered)  # type: ignore[attr-defined]


# repository_dispatch limits ------------------------------------------------------------------

@pytest.mark.parametrize(("body", "reason"), [
    ({"event_type": "x", "client_payload": {f"k{i}": i for i in range(11)}}, "No more than 10 properties"),
    ({"event_type": "x", "client_payload": {"blob": "x" * 70000}}, "too large"),
    ({"event_type": "e" * 101, "client_payload": {}}, "event_type is too long"),
    ({"client_payload": {}}, "event_type"),
])
def test_repository_dispatch_limits_are_enforced(gh: LocalGitHub, body: dict[str, Any], reason: str) -> None:
    """A dispatch over 10 properties or 64 KB, or with a long or missing event_type, is a 422 and dispatches nothing."""
    answer = requests.post(f"{gh.api_url}/repos/acme/helm-charts/dispatches", json=body, timeout=10,
                           headers={"Authorization": f"token {gh.admin_token}"})
    assert answer.status_code == 422 and reason in answer.json()["message"]
    assert gh.dispatches() == []


def test_ten_properties_within_64_kb_are_accepted(gh: LocalGitHub) -> None:
    """A repository_dispatch with exactly 10 properties just under 64 KB in all is accepted."""
    payload = {f"k{i}": "x" * 6000 for i in range(10)}
    client(gh).get_repo("acme/helm-charts").create_repository_dispatch("helm-release", payload)
    assert len(gh.dispatches("acme/helm-charts")) == 1


# git over HTTP -------------------------------------------------------------------------------

def test_git_clone_needs_a_token(gh: LocalGitHub, tmp_path: Path) -> None:
    """git clone over HTTP fails without credentials or with a wrong token and succeeds with a valid one."""
    anonymous = git("clone", "--quiet", f"{gh.url}/acme/app.git", str(tmp_path / "anon"))
    assert anonymous.returncode != 0 and "could not read Username" in anonymous.stderr  # challenged with a 401
    wrong = git("clone", "--quiet", f"http://x-access-token:wrong@{gh.url[7:]}/acme/app.git", str(tmp_path / "bad"))
    assert wrong.returncode != 0 and "Authentication failed" in wrong.stderr
    authorized = git("clone", "--quiet", f"http://x-access-token:{gh.admin_token}@{gh.url[7:]}/acme/app.git",
                     str(tmp_path / "ok"))
    assert authorized.returncode == 0, authorized.stderr
    assert (tmp_path / "ok" / "VERSION").read_text() == "1.0.0\n"


def test_push_that_is_not_a_fast_forward_is_rejected(gh: LocalGitHub, tmp_path: Path) -> None:
    """A forced push rewriting stg is rejected as non-fast-forward: stg is unchanged and no push event fires."""
    url = f"http://x-access-token:{gh.admin_token}@{gh.url[7:]}/acme/app.git"
    work = tmp_path / "w"
    assert git("clone", "--quiet", "--branch", "stg", url, str(work)).returncode == 0
    before = gh.repo("acme/app")
    stg = gitrepo.git("rev-parse", "refs/heads/stg", cwd=before.bare)
    gitrepo.git("commit", "--quiet", "--amend", "-m", "rewritten history", cwd=work)
    pushed = git("push", "--force", "origin", "HEAD:refs/heads/stg", cwd=work)
    assert pushed.returncode != 0 and "non-fast-forward" in pushed.stderr
    assert gitrepo.git("rev-parse", "refs/heads/stg", cwd=before.bare) == stg
    assert [e.ref for e in gh.events if e.name == "push"] == []


def test_push_over_http_fires_one_push_event_per_ref(gh: LocalGitHub, tmp_path: Path) -> None:
    """Pushing a new branch over HTTP fires one push event, marked created, with its head and added files."""
    head = feature(gh, tmp_path)
    pushes = [e for e in gh.events if e.name == "push"]
    seen = [(e.ref, e.payload["created"], e.payload["after"]) for e in pushes]
    assert seen == [("refs/heads/feat/login", True, head)]
    assert pushes[0].payload["head_commit"]["added"] == ["login.txt"]


# faults ----------------------------------------------------------------------------------------

def test_injected_5xx_and_rate_limit_answer_then_clear(gh: LocalGitHub) -> None:
    """An injected 502 and a secondary rate limit (403, Retry-After) answer once each, then requests succeed."""
    gh.inject_fault("GET", r"/repos/acme/app$", 502, times=1)
    gh.inject_fault("GET", r"/repos/acme/app$", rate_limit=True, times=1)
    url, headers = f"{gh.api_url}/repos/acme/app", {"Authorization": f"token {gh.admin_token}"}
    first, second, third = (requests.get(url, headers=headers, timeout=10) for _ in range(3))
    assert first.status_code == 502
    assert second.status_code == 403 and "secondary rate limit" in second.json()["message"]
    assert second.headers["Retry-After"] == "1"
    assert third.status_code == 200


def test_pygithub_retry_rides_over_transient_faults(gh: LocalGitHub) -> None:
    """PyGithub's own retry gets through two injected 502s to the real answer."""
    gh.inject_fault("GET", r"/repos/acme/app$", 502, times=2)
    retrying = github.Github(base_url=gh.api_url, auth=github.Auth.Token(gh.admin_token),
                             retry=github.GithubRetry(total=3, backoff_factor=0.01))
    assert retrying.get_repo("acme/app").full_name == "acme/app"


# GitHub's OpenAPI description ---------------------------------------------------------------------

def test_every_answer_matches_githubs_openapi_description(gh: LocalGitHub, tmp_path: Path) -> None:
    """Each endpoint's answer validates against the response schema GitHub publishes for it."""
    head = feature(gh, tmp_path)
    repo = client(gh).get_repo("acme/app")
    pull = repo.create_pull(base="stg", head="feat/login", title="Add login", body="body")
    release = repo.create_git_release("v1.1.0-stg", "v1.1.0-stg", "notes", prerelease=True, target_commitish="stg")
    release.upload_asset_from_memory(b"{}", 2, "images.json")
    repo.get_commit(head).create_comment("tags")
    pull.create_issue_comment("hello")
    main = repo.get_branch("main").commit.sha
    checks = [
        ("GET", "/user", "/user", 200),
        ("GET", "/repos/{owner}/{repo}", "/repos/acme/app", 200),
        ("GET", "/repos/{owner}/{repo}/branches", "/repos/acme/app/branches", 200),
        ("GET", "/repos/{owner}/{repo}/branches/{branch}", "/repos/acme/app/branches/stg", 200),
        ("GET", "/repos/{owner}/{repo}/git/ref/{ref}", "/repos/acme/app/git/ref/heads/stg", 200),
        ("GET", "/repos/{owner}/{repo}/git/matching-refs/{ref}", "/repos/acme/app/git/matching-refs/tags/v", 200),
        ("GET", "/repos/{owner}/{repo}/git/commits/{commit_sha}", f"/repos/acme/app/git/commits/{head}", 200),
        ("GET", "/repos/{owner}/{repo}/tags", "/repos/acme/app/tags", 200),
        ("GET", "/repos/{owner}/{repo}/commits", "/repos/acme/app/commits?sha=feat/login", 200),
        ("GET", "/repos/{owner}/{repo}/commits/{ref}", f"/repos/acme/app/commits/{head}", 200),
        ("GET", "/repos/{owner}/{repo}/compare/{basehead}", f"/repos/acme/app/compare/{main}...{head}", 200),
        ("GET", "/repos/{owner}/{repo}/contents/{path}", "/repos/acme/app/contents/VERSION?ref=stg", 200),
        ("GET", "/repos/{owner}/{repo}/commits/{commit_sha}/comments", f"/repos/acme/app/commits/{head}/comments", 200),
        ("GET", "/repos/{owner}/{repo}/comments", "/repos/acme/app/comments", 200),
        ("GET", "/repos/{owner}/{repo}/commits/{commit_sha}/pulls", f"/repos/acme/app/commits/{head}/pulls", 200),
        ("GET", "/repos/{owner}/{repo}/pulls", "/repos/acme/app/pulls?state=all", 200),
        ("GET", "/repos/{owner}/{repo}/pulls/{pull_number}", "/repos/acme/app/pulls/1", 200),
        ("GET", "/repos/{owner}/{repo}/pulls/{pull_number}/commits", "/repos/acme/app/pulls/1/commits", 200),
        ("GET", "/repos/{owner}/{repo}/pulls/{pull_number}/files", "/repos/acme/app/pulls/1/files", 200),
        ("GET", "/repos/{owner}/{repo}/issues/{issue_number}/comments", "/repos/acme/app/issues/1/comments", 200),
        ("GET", "/repos/{owner}/{repo}/releases", "/repos/acme/app/releases", 200),
        ("GET", "/repos/{owner}/{repo}/releases/{release_id}", f"/repos/acme/app/releases/{release.id}", 200),
        ("GET", "/repos/{owner}/{repo}/releases/tags/{tag}", "/repos/acme/app/releases/tags/v1.1.0-stg", 200),
        ("GET", "/repos/{owner}/{repo}/releases/{release_id}/assets", f"/repos/acme/app/releases/{release.id}/assets",
         200),
        ("GET", "/repos/{owner}/{repo}/releases/latest", "/repos/acme/app/releases/latest", 404),
        ("GET", "/repos/{owner}/{repo}", "/repos/acme/nothing", 404),
    ]
    headers = {"Authorization": f"token {gh.admin_token}"}
    problems = {}
    for method, template, path, status in checks:
        answer = requests.request(method, gh.api_url + path, headers=headers, timeout=10)
        assert answer.status_code == status, (path, answer.text[:300])
        found = openapi.errors(method, template, status, answer.json()) if status != 404 else []
        if found:
            problems[path] = found
    merged = requests.put(f"{gh.api_url}/repos/acme/app/pulls/1/merge", headers=headers, json={}, timeout=10)
    merge_errors = openapi.errors("PUT", "/repos/{owner}/{repo}/pulls/{pull_number}/merge", 200, merged.json())
    if merge_errors:
        problems["merge"] = merge_errors
    created = requests.post(f"{gh.api_url}/repos/acme/app/releases", headers=headers, timeout=10,
                            json={"tag_name": "v1.1.0", "target_commitish": "stg", "body": "notes"})
    release_errors = openapi.errors("POST", "/repos/{owner}/{repo}/releases", 201, created.json())
    if release_errors:
        problems["create release"] = release_errors
    assert not problems, problems
