"""release-cli under each of GitHub's merge methods, against the local GitHub: the bump lands on the
merged commit, the changelog lists exactly the pull requests of the release, and the next release
cycle still merges (stg stays mergeable into main after a squash or rebase merge)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import github
import pytest

from testbed import gitrepo
from testbed.github import LocalGitHub

ROOT = Path(__file__).resolve().parents[2]
IMAGES = json.dumps({"app": {"repository": "127.0.0.1:5000/acme/app", "tag": "x", "digest": "sha256:" + "a" * 64,
                             "reference": "127.0.0.1:5000/acme/app:x@sha256:" + "a" * 64}})


@pytest.fixture
def gh(tmp_path: Path) -> Iterator[LocalGitHub]:
    with LocalGitHub(tmp_path / "gh") as server:
        bare = server.create_repo("acme/app")
        sha = gitrepo.commit_files(bare, "main", {"VERSION": "1.0.0\n"}, "Initial commit", root=tmp_path)
        gitrepo.set_ref(bare, "refs/heads/stg", sha)
        gitrepo.set_ref(bare, "refs/tags/v1.0.0", sha)
        yield server


def cli(gh: LocalGitHub, *args: str, cwd: Path) -> dict[str, str]:
    """Run release-cli as a job does; returns its outputs."""
    env = {**{k: v for k, v in os.environ.items() if not k.startswith("GITHUB_")}, "PYTHONPATH": str(ROOT),
           "GITHUB_API_URL": gh.api_url, "GITHUB_SERVER_URL": gh.url, "GITHUB_REPOSITORY": "acme/app",
           "GITHUB_TOKEN": gh.admin_token}
    result = subprocess.run([sys.executable, "-m", "reference", *args], cwd=cwd, env=env, capture_output=True,
                            text=True, check=False)
    assert result.returncode == 0, result.stderr
    return dict(line.split("=", 1) for line in result.stdout.splitlines() if "=" in line)


def api(gh: LocalGitHub) -> github.Repository.Repository:
    return github.Github(base_url=gh.api_url, auth=github.Auth.Token(gh.admin_token), retry=None,
                         seconds_between_requests=None, seconds_between_writes=None).get_repo("acme/app")


def feature(gh: LocalGitHub, tmp_path: Path, branch: str, title: str, method: str) -> str:
    """Push `branch` with two commits, open its pull request into stg and merge it; returns merge_commit_sha."""
    url = f"{gh.url}/acme/app.git"
    slug = branch.replace("/", "-")
    gitrepo.push_branch(url=url, token=gh.admin_token, workdir=tmp_path / f"{slug}-1", base="stg", branch=branch,
                        files={f"{slug}.txt": "one\n"}, message=f"{title}, part 1")
    gitrepo.push_commit(url=url, token=gh.admin_token, workdir=tmp_path / f"{slug}-2", branch=branch,
                        files={f"{slug}.txt": "two\n"}, message=f"{title}, part 2")
    pull = api(gh).create_pull(base="stg", head=branch, title=title)
    return str(pull.merge(merge_method=method).sha)


def release_cycle(gh: LocalGitHub, tmp_path: Path, method: str, branch: str, title: str) -> tuple[str, str]:
    """feature -> stg (bump) -> main (release with changelog, sync back); returns (version, release body)."""
    merge_sha = feature(gh, tmp_path, branch, title, method)
    work = tmp_path / f"work-{branch.replace('/', '-')}"
    subprocess.run(["git", "clone", "--quiet", str(gh.repo("acme/app").bare), str(work)], check=True)
    bump = cli(gh, "bump", "--branch", branch, "--target-branch", "stg", "--merge-sha", merge_sha, cwd=work)
    repo = api(gh)
    assert repo.get_commit(bump["sha"]).parents[0].sha == merge_sha  # the bump sits directly on the merge
    pull = repo.create_pull(base="main", head="stg", title=f"Release {bump['version']}")
    target = str(pull.merge(merge_method=method).sha)
    assert repo.get_pull(pull.number).merge_commit_sha == target
    made = cli(gh, "release", "--version", bump["version"], "--target", target, "--images", IMAGES, "--changelog",
               cwd=work)
    subprocess.run(["git", "fetch", "--quiet", "origin", "+refs/heads/*:refs/remotes/origin/*"], cwd=work, check=True)
    cli(gh, "sync", "--stg-sha", bump["sha"], "--target", target, "--version", bump["version"], cwd=work)
    assert repo.get_git_ref(f"tags/{made['tag']}").object.sha == target
    return bump["version"], repo.get_release(int(made["release-id"])).body


@pytest.mark.parametrize("method", ["merge", "squash", "rebase"])
def test_two_release_cycles_list_exactly_their_pull_requests(gh: LocalGitHub, tmp_path: Path, method: str) -> None:
    """Under every merge method: bumps 1.1.0 then 1.1.1, each changelog names only its own pull request."""
    first_version, first = release_cycle(gh, tmp_path, method, "feat/login", "Add login")
    second_version, second = release_cycle(gh, tmp_path, method, "fix/typo", "Fix a typo")
    assert (first_version, second_version) == ("1.1.0", "1.1.1")
    changes = [[line for line in body.splitlines() if line.startswith("- ") and "(#" in line]
               for body in (first, second)]
    assert changes == [["- Add login (#1, `feat/login`)"], ["- Fix a typo (#3, `fix/typo`)"]], (first, second)


def test_sync_merges_main_back_after_a_squash_only_once(gh: LocalGitHub, tmp_path: Path) -> None:
    """After a squash merge stg gets main's release commit; a second sync does nothing."""
    release_cycle(gh, tmp_path, "squash", "feat/login", "Add login")
    repo = api(gh)
    main, stg = repo.get_branch("main").commit.sha, repo.get_branch("stg").commit.sha
    assert repo.compare(main, stg).status == "ahead" and len(repo.get_commit(stg).parents) == 2
    work = tmp_path / "again"
    subprocess.run(["git", "clone", "--quiet", str(gh.repo("acme/app").bare), str(work)], check=True)
    again = cli(gh, "sync", "--stg-sha", stg, "--target", main, "--version", "1.1.0", cwd=work)
    assert again == {"merged": "false", "sha": ""} and repo.get_branch("stg").commit.sha == stg


@pytest.mark.parametrize("method", ["merge", "rebase"])
def test_sync_after_a_merge_commit_or_a_rebase_does_nothing(gh: LocalGitHub, tmp_path: Path, method: str) -> None:
    """main holds stg's commits (themselves, or replayed): stg is left at its bump commit."""
    release_cycle(gh, tmp_path, method, "feat/login", "Add login")
    stg = api(gh).get_branch("stg").commit
    assert stg.commit.message.startswith("chore(release): 1.1.0") and len(stg.parents) == 1


def test_sync_after_a_squash_when_stg_moved_on_keeps_stg(gh: LocalGitHub, tmp_path: Path) -> None:
    """stg bumped again before the sync: the merge back (409 on GitHub's merge) keeps stg's tree, VERSION too."""
    merge_sha = feature(gh, tmp_path, "feat/login", "Add login", "squash")
    work = tmp_path / "work"
    subprocess.run(["git", "clone", "--quiet", str(gh.repo("acme/app").bare), str(work)], check=True)
    bump = cli(gh, "bump", "--branch", "feat/login", "--target-branch", "stg", "--merge-sha", merge_sha, cwd=work)
    repo = api(gh)
    target = str(repo.create_pull(base="main", head="stg", title="Release 1.1.0").merge(merge_method="squash").sha)
    later = feature(gh, tmp_path, "feat/search", "Add search", "squash")  # stg moves on: 1.2.0
    subprocess.run(["git", "fetch", "--quiet", "origin", "+refs/heads/*:refs/remotes/origin/*"], cwd=work, check=True)
    cli(gh, "bump", "--branch", "feat/search", "--target-branch", "stg", "--merge-sha", later, cwd=work)
    moved = repo.get_branch("stg").commit.sha
    subprocess.run(["git", "fetch", "--quiet", "origin", "+refs/heads/*:refs/remotes/origin/*"], cwd=work, check=True)
    done = cli(gh, "sync", "--stg-sha", bump["sha"], "--target", target, "--version", "1.1.0", cwd=work)
    synced = repo.get_commit(done["sha"])
    assert done["merged"] == "true" and [p.sha for p in synced.parents] == [moved, target]
    assert repo.get_contents("VERSION", ref="stg").decoded_content == b"1.2.0\n"
    assert repo.get_git_commit(synced.sha).tree.sha == repo.get_git_commit(moved).tree.sha
