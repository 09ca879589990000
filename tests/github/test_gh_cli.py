"""GitHub's own CLI (`gh` 2.23, the Debian package) against the local GitHub over TLS, as a release step
on a runner uses it: each subcommand's effect is read back through PyGithub or the local GitHub's state."""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import github
import pytest

from testbed import gitrepo
from testbed.github import Event, LocalGitHub
from testbed.tls import machine_tls


@dataclass
class World:
    """A running local GitHub over https with `acme/app` (main, feat/login) and what it delivered."""

    server: LocalGitHub
    home: Path
    delivered: list[Event]

    @property
    def host(self) -> str:
        return self.server.url.removeprefix("https://")

    def gh(self, *args: str, ok: bool = True) -> subprocess.CompletedProcess[str]:
        """Run gh against this local GitHub as an Enterprise host, trusting the machine's CA."""
        env = {"PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": str(self.home), "GH_CONFIG_DIR": str(self.home / "gh"),
               "GH_HOST": self.host, "GH_ENTERPRISE_TOKEN": self.server.admin_token, "GH_PROMPT_DISABLED": "1",
               "GH_NO_UPDATE_NOTIFIER": "1", "NO_COLOR": "1", **machine_tls().client_env()}
        done = subprocess.run(["gh", *args], env=env, cwd=self.home, capture_output=True, text=True, timeout=120,
                              check=False)
        if ok:
            assert done.returncode == 0, f"gh {' '.join(args)} failed: {done.stderr or done.stdout}"
        return done

    def json(self, *args: str) -> Any:
        return json.loads(self.gh(*args).stdout)

    def client(self) -> github.Github:
        return github.Github(base_url=self.server.api_url, auth=github.Auth.Token(self.server.admin_token),
                             retry=None, seconds_between_requests=None, seconds_between_writes=None,
                             verify=str(machine_tls().bundle))

    def repo(self) -> Any:
        return self.client().get_repo("acme/app")


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    if shutil.which("gh") is None:
        raise RuntimeError("gh is not installed: run scripts/setup.sh (Debian: apt-get install -y gh)")
    events: list[Event] = []
    tls = machine_tls()
    with LocalGitHub(tmp_path / "github", on_event=events.append, tls=tls) as server:
        bare = server.create_repo("acme/app")
        gitrepo.commit_files(bare, "main", {"VERSION": "1.0.0\n"}, "Initial commit", root=tmp_path)
        home = tmp_path / "home"
        home.mkdir()
        made = World(server, home, events)
        branch_from_main(made, "feat/login", {"login.txt": "login\n"}, "Add login", tmp_path)
        yield made


def branch_from_main(world: World, branch: str, files: dict[str, str], message: str, tmp_path: Path) -> str:
    """A new branch off main's tip with one commit of `files` (written straight into the bare repository)."""
    bare = world.server.repo("acme/app").bare
    gitrepo.set_ref(bare, f"refs/heads/{branch}", gitrepo.git("rev-parse", "refs/heads/main", cwd=bare).strip())
    return gitrepo.commit_files(bare, branch, files, message, root=tmp_path / "commits")


def test_gh_auth_status_accepts_the_token(world: World) -> None:
    """`gh auth status` checks the token against the API and names the user it belongs to."""
    done = world.gh("auth", "status")
    assert f"Logged in to {world.host} as octocat" in done.stdout + done.stderr


def test_gh_api_reaches_rest_and_graphql(world: World) -> None:
    """`gh api` reads REST under /api/v3 and posts GraphQL to /api/graphql."""
    assert world.json("api", "repos/acme/app")["full_name"] == "acme/app"
    answer = world.json("api", "graphql", "-f", "query={ viewer { login } repository(owner: \"acme\", name: \"app\") "
                        "{ defaultBranchRef { target { oid } } } }")
    assert answer["data"]["viewer"]["login"] == "octocat"
    assert answer["data"]["repository"]["defaultBranchRef"]["target"]["oid"] == \
        world.repo().get_branch("main").commit.sha


def test_gh_repo_view_shows_the_repository(world: World) -> None:
    """`gh repo view` reads the repository GitHub's way; its id is the REST node_id."""
    shown = world.json("repo", "view", "acme/app", "--json", "id,name,owner,defaultBranchRef,url")
    repo = world.repo()
    assert shown == {"id": repo.raw_data["node_id"], "name": "app", "owner": {"id": shown["owner"]["id"],
                                                                               "login": "acme"},
                     "defaultBranchRef": {"name": "main"}, "url": repo.html_url}
    assert "name:\tacme/app" in world.gh("repo", "view", "acme/app").stdout


def test_gh_pr_create_opens_a_pull_request(world: World) -> None:
    """`gh pr create` opens the pull request (seen over REST) and GitHub's `opened` event fires."""
    done = world.gh("pr", "create", "-R", "acme/app", "-B", "main", "-H", "feat/login", "-t", "Add login", "-b",
                    "Lets users log in")
    pull = world.repo().get_pull(1)
    assert done.stdout.strip() == pull.html_url
    assert (pull.title, pull.body, pull.head.ref, pull.base.ref, pull.state) == (
        "Add login", "Lets users log in", "feat/login", "main", "open")
    assert [(e.name, e.payload["action"]) for e in world.delivered if e.name == "pull_request"] == [
        ("pull_request", "opened")]


def test_gh_pr_create_refuses_a_duplicate(world: World) -> None:
    """A second `gh pr create` for the same branches fails with GitHub's message and opens nothing."""
    world.gh("pr", "create", "-R", "acme/app", "-B", "main", "-H", "feat/login", "-t", "one", "-b", "")
    again = world.gh("pr", "create", "-R", "acme/app", "-B", "main", "-H", "feat/login", "-t", "two", "-b", "",
                     ok=False)
    assert again.returncode != 0 and "already exists" in again.stderr
    assert world.repo().get_pulls(state="all").totalCount == 1


def test_gh_pr_list_and_view_show_what_rest_shows(world: World, tmp_path: Path) -> None:
    """`gh pr list` filters by state as GitHub does; `gh pr view` shows title, body, diff size, commits, comments."""
    branch_from_main(world, "fix/typo", {"README.md": "typo fixed\n"}, "Fix typo", tmp_path)
    repo = world.repo()
    login = repo.create_pull(base="main", head="feat/login", title="Add login", body="Adds login")
    typo = repo.create_pull(base="main", head="fix/typo", title="Fix typo", body="")
    typo.edit(state="closed")
    login.create_issue_comment("Looks good")
    listed = world.json("pr", "list", "-R", "acme/app", "--json", "number,title,headRefName,state")
    assert listed == [{"number": 1, "title": "Add login", "headRefName": "feat/login", "state": "OPEN"}]
    every = world.json("pr", "list", "-R", "acme/app", "--state", "all", "--json", "number,state")
    assert every == [{"number": 2, "state": "CLOSED"}, {"number": 1, "state": "OPEN"}]
    viewed = world.json("pr", "view", "1", "-R", "acme/app", "--json",
                        "title,body,state,additions,deletions,commits,comments,baseRefName,headRefName,url")
    assert (viewed["title"], viewed["body"], viewed["state"]) == ("Add login", "Adds login", "OPEN")
    assert (viewed["additions"], viewed["deletions"]) == (1, 0)  # login.txt: one line added
    assert [c["oid"] for c in viewed["commits"]] == [c.sha for c in login.get_commits()]
    assert [c["body"] for c in viewed["comments"]] == ["Looks good"]
    assert viewed["url"] == login.html_url
    assert "title:\tAdd login" in world.gh("pr", "view", "1", "-R", "acme/app").stdout


def test_gh_pr_merge_merges_through_the_merge_button(world: World) -> None:
    """`gh pr merge --merge` makes GitHub's merge commit on the base and closes the pull request."""
    repo = world.repo()
    main_before = repo.get_branch("main").commit.sha
    head = repo.get_branch("feat/login").commit.sha
    repo.create_pull(base="main", head="feat/login", title="Add login")
    world.gh("pr", "merge", "1", "-R", "acme/app", "--merge")
    pull = repo.get_pull(1)
    assert pull.merged and pull.state == "closed" and pull.merged_by.login == "octocat"
    merge = repo.get_commit(pull.merge_commit_sha)
    assert [p.sha for p in merge.parents] == [main_before, head]
    assert repo.get_branch("main").commit.sha == pull.merge_commit_sha
    assert world.json("pr", "view", "1", "-R", "acme/app", "--json", "state")["state"] == "MERGED"


def test_gh_pr_comment_close_and_reopen(world: World) -> None:
    """`gh pr comment`, `gh pr close` and `gh pr reopen` change the pull request REST shows."""
    repo = world.repo()
    repo.create_pull(base="main", head="feat/login", title="Add login")
    world.gh("pr", "comment", "1", "-R", "acme/app", "-b", "Ship it")
    assert [c.body for c in repo.get_pull(1).get_issue_comments()] == ["Ship it"]
    world.gh("pr", "close", "1", "-R", "acme/app")
    assert repo.get_pull(1).state == "closed" and not repo.get_pull(1).merged
    world.gh("pr", "reopen", "1", "-R", "acme/app")
    assert repo.get_pull(1).state == "open"


def test_gh_release_list_and_view(world: World) -> None:
    """`gh release list` marks drafts, prereleases and Latest as GitHub does; `gh release view` shows one."""
    repo = world.repo()
    repo.create_git_release("v1.0.0", "First", "Notes one", target_commitish="main")
    repo.create_git_release("v1.1.0-rc.1", "Candidate", "", prerelease=True, target_commitish="main")
    repo.create_git_release("v1.1.0", "Next", "", draft=True, target_commitish="main")
    rows = [line.split("\t") for line in world.gh("release", "list", "-R", "acme/app").stdout.splitlines()]
    assert [(r[0], r[1], r[2]) for r in rows] == [("Next", "Draft", "v1.1.0"),
                                                 ("Candidate", "Pre-release", "v1.1.0-rc.1"),
                                                 ("First", "Latest", "v1.0.0")]
    viewed = world.json("release", "view", "v1.0.0", "-R", "acme/app", "--json",
                        "tagName,name,body,isDraft,isPrerelease,url")
    assert viewed == {"tagName": "v1.0.0", "name": "First", "body": "Notes one", "isDraft": False,
                      "isPrerelease": False, "url": repo.get_release("v1.0.0").html_url}


def test_gh_release_create_upload_and_edit(world: World, tmp_path: Path) -> None:
    """`gh release create` with a file, `upload` and `edit` leave the release and assets REST shows."""
    notes = tmp_path / "images.json"
    notes.write_text('{"app": "stg-1.1.0"}\n')
    sbom = tmp_path / "sbom.txt"
    sbom.write_text("sbom\n")
    world.gh("release", "create", "v1.1.0", str(notes), "-R", "acme/app", "--target", "main", "-t", "1.1.0",
             "-n", "Release notes")
    world.gh("release", "upload", "v1.1.0", str(sbom), "-R", "acme/app")
    world.gh("release", "edit", "v1.1.0", "-R", "acme/app", "--title", "1.1.0 (final)")
    release = world.repo().get_release("v1.1.0")
    assert (release.name, release.body, release.draft) == ("1.1.0 (final)", "Release notes", False)
    assert sorted((a.name, a.size) for a in release.get_assets()) == [("images.json", 21), ("sbom.txt", 5)]


def test_gh_release_create_with_a_file_tags_the_target(world: World, tmp_path: Path) -> None:
    """`gh release create TAG FILE` (a draft, the upload, then publish) leaves the tag on the target commit."""
    notes = tmp_path / "images.json"
    notes.write_text("{}\n")
    world.gh("release", "create", "v1.1.0", str(notes), "-R", "acme/app", "--target", "main", "-n", "")
    repo = world.repo()
    assert repo.get_git_ref("tags/v1.1.0").object.sha == repo.get_branch("main").commit.sha


def test_gh_release_download_fetches_the_asset(world: World, tmp_path: Path) -> None:
    """`gh release download` fetches the asset's bytes as they were uploaded."""
    repo = world.repo()
    release = repo.create_git_release("v1.0.0", "First", "", target_commitish="main")
    release.upload_asset_from_memory(b'{"app": "1.0.0"}', 16, "images.json", content_type="application/json")
    world.gh("release", "download", "v1.0.0", "-R", "acme/app", "-p", "images.json", "-D", str(tmp_path / "dl"))
    assert (tmp_path / "dl" / "images.json").read_bytes() == b'{"app": "1.0.0"}'


def test_gh_pr_merge_refuses_a_conflicting_pull_request(world: World, tmp_path: Path) -> None:
    """A pull request that conflicts with its base shows CONFLICTING and `gh pr merge` leaves it open."""
    branch_from_main(world, "fix/version", {"VERSION": "1.0.1\n"}, "Bump to 1.0.1", tmp_path)
    bare = world.server.repo("acme/app").bare
    gitrepo.commit_files(bare, "main", {"VERSION": "2.0.0\n"}, "Bump to 2.0.0", root=tmp_path / "main")
    repo = world.repo()
    main_before = repo.get_branch("main").commit.sha
    repo.create_pull(base="main", head="fix/version", title="Bump")
    shown = world.json("pr", "view", "1", "-R", "acme/app", "--json", "mergeable,mergeStateStatus")
    assert shown == {"mergeable": "CONFLICTING", "mergeStateStatus": "DIRTY"}
    refused = world.gh("pr", "merge", "1", "-R", "acme/app", "--merge", ok=False)
    assert refused.returncode != 0 and "not mergeable" in refused.stderr
    assert repo.get_pull(1).state == "open" and repo.get_branch("main").commit.sha == main_before


def test_gh_pr_view_of_a_missing_pull_request_names_it(world: World) -> None:
    """`gh pr view` of a number that does not exist fails with GitHub's NOT_FOUND message."""
    missing = world.gh("pr", "view", "99", "-R", "acme/app", ok=False)
    assert missing.returncode != 0
    assert "Could not resolve to a PullRequest with the number of 99." in missing.stderr


def test_gh_pr_status_and_edit(world: World) -> None:
    """`gh pr status` finds the viewer's open pull request by search; `gh pr edit` retitles it as REST shows."""
    repo = world.repo()
    repo.create_pull(base="main", head="feat/login", title="Add login")
    status = world.gh("pr", "status", "-R", "acme/app").stdout
    assert "Created by you" in status and "#1  Add login [feat/login]" in status
    world.gh("pr", "edit", "1", "-R", "acme/app", "--title", "Add login page", "--body", "With a form")
    pull = repo.get_pull(1)
    assert (pull.title, pull.body) == ("Add login page", "With a form")


def test_gh_pr_checks_shows_the_commit_statuses(world: World) -> None:
    """`gh pr checks` lists the latest status per context of the head commit and fails while one fails."""
    repo = world.repo()
    repo.create_pull(base="main", head="feat/login", title="Add login")
    head = repo.get_commit(repo.get_branch("feat/login").commit.sha)
    head.create_status("pending", context="ci/test")
    head.create_status("success", context="ci/test", target_url="https://ci.example/1")
    head.create_status("failure", context="ci/lint", target_url="https://ci.example/2")
    failing = world.gh("pr", "checks", "1", "-R", "acme/app", ok=False)
    rows = sorted(tuple(line.split("\t")[:2]) for line in failing.stdout.splitlines())
    assert failing.returncode != 0 and rows == [("ci/lint", "fail"), ("ci/test", "pass")]
    head.create_status("success", context="ci/lint")
    assert world.gh("pr", "checks", "1", "-R", "acme/app").returncode == 0
