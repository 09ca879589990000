"""The merge button's three methods make the commits GitHub makes, and `merge_commit_sha`,
`commits/{sha}/pulls` and `mergeable` follow them as GitHub documents."""

from __future__ import annotations

import subprocess
from pathlib import Path

import github
import pytest
import requests

from testbed import gitrepo
from testbed.github import LocalGitHub
from testbed.github.shapes import numeric_id
from tests.github import openapi
from tests.github.test_local_github import client, gh  # the fixture

__all__ = ["gh"]


def two_commit_branch(gh: LocalGitHub, tmp_path: Path, branch: str = "feat/login") -> list[str]:
    """`branch` from stg with two commits by the admin user; returns their SHAs, oldest first."""
    first = gitrepo.push_branch(url=f"{gh.url}/acme/app.git", token=gh.admin_token, workdir=tmp_path / "a",
                                base="stg", branch=branch, files={"login.txt": "login\n"}, message="Add login")
    second = gitrepo.push_commit(url=f"{gh.url}/acme/app.git", token=gh.admin_token, workdir=tmp_path / "b",
                                 branch=branch, files={"logout.txt": "logout\n"}, message="Add logout")
    return [first, second]


def moved_stg(gh: LocalGitHub, tmp_path: Path) -> str:
    """stg moves on after the branch was made, so no method can fast-forward."""
    return gitrepo.push_commit(url=f"{gh.url}/acme/app.git", token=gh.admin_token, workdir=tmp_path / "c",
                               branch="stg", files={"other.txt": "other\n"}, message="Other change")


def test_merge_makes_a_merge_commit_by_the_merging_user(gh: LocalGitHub, tmp_path: Path) -> None:
    """merge: two parents, GitHub's message, author the merging user, committer GitHub."""
    heads = two_commit_branch(gh, tmp_path)
    base = moved_stg(gh, tmp_path)
    repo = client(gh).get_repo("acme/app")
    pull = repo.create_pull(base="stg", head="feat/login", title="Add login and logout")
    sha = pull.merge(merge_method="merge").sha
    commit = repo.get_commit(sha).commit
    assert [p.sha for p in repo.get_commit(sha).parents] == [base, heads[-1]]
    assert commit.message == "Merge pull request #1 from acme/feat/login\n\nAdd login and logout"
    assert (commit.author.name, commit.committer.name) == ("octocat", "GitHub")
    assert repo.get_pull(1).merge_commit_sha == sha == repo.get_branch("stg").commit.sha


def test_squash_makes_one_commit_by_the_pull_request_author(gh: LocalGitHub, tmp_path: Path) -> None:
    """squash: one parent (the base), "<title> (#N)" and the commit list, author the PR author."""
    two_commit_branch(gh, tmp_path)
    base = moved_stg(gh, tmp_path)
    author_token = gh.create_token("dev-one")
    repo = client(gh, author_token).get_repo("acme/app")
    repo.create_pull(base="stg", head="feat/login", title="Add login and logout")
    sha = client(gh).get_repo("acme/app").get_pull(1).merge(merge_method="squash").sha
    got = repo.get_commit(sha)
    assert [p.sha for p in got.parents] == [base]
    assert got.commit.message == "Add login and logout (#1)\n\n* Add login\n\n* Add logout"
    assert (got.commit.author.name, got.commit.committer.name) == ("dev-one", "GitHub")
    assert {f.filename for f in got.files} == {"login.txt", "logout.txt"}
    assert repo.get_pull(1).merge_commit_sha == sha == repo.get_branch("stg").commit.sha
    assert [p.number for p in repo.get_commit(sha).get_pulls()] == [1]


def test_rebase_replays_the_commits_with_new_shas(gh: LocalGitHub, tmp_path: Path) -> None:
    """rebase: the commits replayed onto the base, new SHAs, authors kept, committer GitHub, no merge."""
    heads = two_commit_branch(gh, tmp_path)
    base = moved_stg(gh, tmp_path)
    repo = client(gh).get_repo("acme/app")
    repo.create_pull(base="stg", head="feat/login", title="Add login and logout")
    sha = repo.get_pull(1).merge(merge_method="rebase").sha
    replayed = list(repo.get_commits(sha=sha))[:2]
    assert [c.commit.message for c in replayed] == ["Add logout", "Add login"]
    assert replayed[1].parents[0].sha == base and len(replayed[0].parents) == 1
    assert not {c.sha for c in replayed} & set(heads)
    assert {(c.commit.author.name, c.commit.committer.name) for c in replayed} == {("Dev Eloper", "GitHub")}
    assert repo.get_pull(1).merge_commit_sha == sha == replayed[0].sha == repo.get_branch("stg").commit.sha
    for commit in replayed:  # each replayed commit leads back to its pull request, as on GitHub
        assert [p.number for p in commit.get_pulls()] == [1]


def test_a_rebase_that_fast_forwards_still_makes_new_commits(gh: LocalGitHub, tmp_path: Path) -> None:
    """GitHub's rebase always rewrites the committer, even when the base has not moved."""
    heads = two_commit_branch(gh, tmp_path)
    repo = client(gh).get_repo("acme/app")
    repo.create_pull(base="stg", head="feat/login", title="t")
    sha = repo.get_pull(1).merge(merge_method="rebase").sha
    assert sha != heads[-1] and repo.get_commit(sha).commit.committer.name == "GitHub"


def test_conflicting_pull_request_is_dirty_and_cannot_be_merged(gh: LocalGitHub, tmp_path: Path) -> None:
    """A conflict: mergeable false, mergeable_state dirty, and the merge is 405 "not mergeable"."""
    gitrepo.push_branch(url=f"{gh.url}/acme/app.git", token=gh.admin_token, workdir=tmp_path / "a", base="stg",
                        branch="feat/v", files={"VERSION": "9.0.0\n"}, message="nine")
    gitrepo.push_commit(url=f"{gh.url}/acme/app.git", token=gh.admin_token, workdir=tmp_path / "b", branch="stg",
                        files={"VERSION": "2.0.0\n"}, message="two")
    repo = client(gh).get_repo("acme/app")
    pull = repo.create_pull(base="stg", head="feat/v", title="t")
    assert (pull.mergeable, pull.mergeable_state) == (False, "dirty")
    for method in ("merge", "squash", "rebase"):
        with pytest.raises(github.GithubException) as raised:
            pull.merge(merge_method=method)
        assert raised.value.status == 405 and raised.value.data["message"] == "Pull Request is not mergeable"
    assert repo.get_pull(1).state == "open"


def test_clean_pull_request_is_mergeable_and_an_unknown_method_is_422(gh: LocalGitHub, tmp_path: Path) -> None:
    """mergeable true/clean while open; merge_method outside merge|squash|rebase is 422."""
    two_commit_branch(gh, tmp_path)
    repo = client(gh).get_repo("acme/app")
    pull = repo.create_pull(base="stg", head="feat/login", title="t")
    assert (pull.mergeable, pull.mergeable_state) == (True, "clean")
    answer = requests.put(f"{gh.api_url}/repos/acme/app/pulls/1/merge", json={"merge_method": "octopus"},
                          headers={"Authorization": f"token {gh.admin_token}"}, timeout=10)
    assert answer.status_code == 422 and "merge_method" in answer.json()["message"]


@pytest.mark.parametrize("method", ["merge", "squash", "rebase"])
def test_merge_answers_and_merged_pull_match_the_openapi_description(gh: LocalGitHub, tmp_path: Path,
                                                                      method: str) -> None:
    """The merge answer and the merged pull request validate against GitHub's OpenAPI, per method."""
    two_commit_branch(gh, tmp_path)
    headers = {"Authorization": f"token {gh.admin_token}"}
    client(gh).get_repo("acme/app").create_pull(base="stg", head="feat/login", title="t")
    merged = requests.put(f"{gh.api_url}/repos/acme/app/pulls/1/merge", json={"merge_method": method},
                          headers=headers, timeout=10)
    assert merged.status_code == 200, merged.text
    assert not openapi.errors("PUT", "/repos/{owner}/{repo}/pulls/{pull_number}/merge", 200, merged.json())
    pull = requests.get(f"{gh.api_url}/repos/acme/app/pulls/1", headers=headers, timeout=10).json()
    assert not openapi.errors("GET", "/repos/{owner}/{repo}/pulls/{pull_number}", 200, pull)
    assert pull["merge_commit_sha"] == merged.json()["sha"]


def test_commit_title_and_message_given_replace_the_defaults(gh: LocalGitHub, tmp_path: Path) -> None:
    """commit_title and commit_message in the request make the squash commit's message."""
    two_commit_branch(gh, tmp_path)
    repo = client(gh).get_repo("acme/app")
    repo.create_pull(base="stg", head="feat/login", title="t")
    sha = repo.get_pull(1).merge(merge_method="squash", commit_title="Login (#1)", commit_message="Both parts").sha
    assert repo.get_commit(sha).commit.message == "Login (#1)\n\nBoth parts"


def opened_by_one_merged_by_another(gh: LocalGitHub, tmp_path: Path, method: str, *, graphql: bool) -> list[str]:
    """dev-one opens the pull request, dev-two merges it (REST or GraphQL); the commits the merge landed, newest
    first, as `git log` prints them (author and committer: name and email)."""
    two_commit_branch(gh, tmp_path)
    moved_stg(gh, tmp_path)
    opened = client(gh, gh.create_token("dev-one")).get_repo("acme/app").create_pull(base="stg", head="feat/login",
                                                                                      title="Add login and logout")
    merger = {"Authorization": f"bearer {gh.create_token('dev-two')}"}
    if graphql:
        mutation = ("mutation($id: ID!, $m: PullRequestMergeMethod!) { mergePullRequest(input: {pullRequestId: $id, "
                    "mergeMethod: $m}) { pullRequest { mergedBy { login } } } }")
        answer = requests.post(f"{gh.url}/api/graphql", headers=merger, timeout=30, json={
            "query": mutation, "variables": {"id": opened.raw_data["node_id"], "m": method.upper()}})
        assert answer.json()["data"]["mergePullRequest"]["pullRequest"]["mergedBy"] == {"login": "dev-two"}, answer.text
    else:
        answer = requests.put(f"{gh.api_url}/repos/acme/app/pulls/1/merge", json={"merge_method": method},
                              headers=merger, timeout=30)
        assert answer.status_code == 200, answer.text
    pull = client(gh).get_repo("acme/app").get_pull(1)
    assert (pull.user.login, pull.merged_by.login) == ("dev-one", "dev-two")
    count = "1" if method != "rebase" else "2"
    listed = git_log(gh, "-n", count, "--format=%an <%ae> | %cn <%ce>", pull.merge_commit_sha)
    return listed.splitlines()


def git_log(gh: LocalGitHub, *args: str) -> str:
    return subprocess.run(["git", "--git-dir", str(gh.repo("acme/app").bare), "log", *args], capture_output=True,
                          text=True, check=True).stdout


def noreply(login: str) -> str:
    return f"{login} <{numeric_id(f'user:{login}')}+{login}@users.noreply.github.com>"


# GitHub: a merge commit is authored by whoever pressed the button, a squash commit by the pull request's
# author (both committed by GitHub); a rebase keeps each commit's own author and makes GitHub the committer
WHO = {"merge": [f"{noreply('dev-two')} | GitHub <noreply@github.com>"],
       "squash": [f"{noreply('dev-one')} | GitHub <noreply@github.com>"],
       "rebase": ["Dev Eloper <dev@acme.test> | GitHub <noreply@github.com>"] * 2}


@pytest.mark.parametrize("graphql", [False, True], ids=["rest", "graphql"])
@pytest.mark.parametrize("method", ["merge", "squash", "rebase"])
def test_the_merging_user_and_the_pull_request_author_are_told_apart(gh: LocalGitHub, tmp_path: Path,
                                                                     method: str, graphql: bool) -> None:
    """User A opens, user B merges: merge commit authored by B, squash by A, rebase keeps the commits' authors."""
    assert opened_by_one_merged_by_another(gh, tmp_path, method, graphql=graphql) == WHO[method]
