"""The world end to end with trivial workflows: merge button -> events -> filtered act runs,
and GitHub's rule that what a workflow does with its own token starts no run."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from testbed.dockerwatch import DockerWatch
from testbed.world import World, WorldConfig

WORKFLOWS = Path(__file__).parent / "workflows"


@pytest.fixture
def trivial_world(tmp_path: Path, docker_watch: DockerWatch) -> Iterator[World]:
    with World.started(tmp_path / "world", WorldConfig(workflows=WORKFLOWS), docker_watch) as world:
        yield world


def test_merge_runs_only_the_matching_workflows(trivial_world: World) -> None:
    """Opening a PR runs the `opened` workflow; merging it runs the `closed`+stg and push workflows only."""
    world = trivial_world
    world.push_branch("feat/login", files={"login.txt": "login\n"}, message="Add login")
    opened_mark = world.mark()
    number = world.open_pr("feat/login", "stg", "Add login")
    assert [run.workflow for run in world.runs[opened_mark.runs :]] == ["on-opened.yml"]
    runs = world.merge_pr(number)
    assert sorted(run.workflow for run in runs) == ["on-merge.yml", "on-push.yml"], [r.summary() for r in runs]
    assert all(run.conclusion == "success" for run in runs), world.log_text()


def test_workflow_token_push_starts_no_run(trivial_world: World) -> None:
    """The commit pushed with GITHUB_TOKEN lands on stg, and its push event is suppressed, not run."""
    world = trivial_world
    world.push_branch("feat/login", files={"login.txt": "login\n"}, message="Add login")
    number = world.open_pr("feat/login", "stg", "Add login")
    mark = world.mark()
    world.merge_pr(number)
    assert world.read_file(world.app_repo, "stg", "bumped.txt") == "bumped\n"
    suppressed = [event for event in world.suppressed_events(since=mark) if event.name == "push"]
    assert [event.ref for event in suppressed] == ["refs/heads/stg"]
    pushes_run = [run for run in world.runs[mark.runs :] if run.workflow == "on-push.yml"]
    assert len(pushes_run) == 1  # the merge's push, not the bump's


def test_jobs_reach_github_over_https_and_push_images_after_docker_login(tmp_path: Path,
                                                                          docker_watch: DockerWatch) -> None:
    """In a job container: the API, git and Python trust the CA over https, and `docker login` with
    the job's GITHUB_TOKEN lets it push to the registry (a bad token is refused)."""
    config = WorldConfig(workflows=Path(__file__).parent / "workflows-registry")
    with World.started(tmp_path / "world", config, docker_watch) as world:
        assert world.github.url.startswith("https://") and world.registry.url.startswith("https://")
        mark = world.mark()
        sha = world.push_commit("stg", files={"f.txt": "f\n"}, message="Publish")
        runs = world.wait_idle()[mark.runs :]
        assert [run.conclusion for run in runs] == ["success"], world.log_text()
        assert world.registry.digest("acme/published", sha) is not None
        manifests = [event for event in world.registry_pushes(since=mark) if event.is_manifest]
        observer = world.registry.token_service.admin_user if world.registry.token_service else ""
        # pushed with the token the job logged in with (named by the user it gave: github.actor), not anonymously
        assert len(manifests) == 1 and manifests[0].actor not in ("", observer), manifests
