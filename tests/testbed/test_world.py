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
    """A job trusts the CA and pushes after `docker login` with its token; a bad token is refused."""
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


def test_held_runs_wait_until_a_runner_frees_up(trivial_world: World) -> None:
    """Runs for a held branch start only on start_held_runs(), for the events GitHub sent at the merge."""
    world = trivial_world
    world.push_branch("feat/login", files={"login.txt": "login\n"}, message="Add login")
    number = world.open_pr("feat/login", "stg", "Add login")
    world.hold_runs("stg")
    assert world.merge_pr(number) == []
    runs = world.start_held_runs()
    assert sorted(run.workflow for run in runs) == ["on-merge.yml", "on-push.yml"], [r.summary() for r in runs]
    assert all(run.conclusion == "success" for run in runs), world.log_text()


def test_the_local_github_lists_the_runs_the_world_made(trivial_world: World) -> None:
    """GET /actions/runs lists every run act made for the repository, with its workflow and conclusion."""
    world = trivial_world
    world.push_branch("feat/login", files={"login.txt": "login\n"}, message="Add login")
    world.merge_pr(world.open_pr("feat/login", "stg", "Add login"))
    repo = world.api().get_repo(world.app_repo)
    listed = sorted((run.id, run.path, run.event, run.status, run.conclusion) for run in repo.get_workflow_runs())
    made = sorted((run.id, f".github/workflows/{run.workflow}", run.request.event_name, "completed", run.conclusion)
                  for run in world.runs)
    assert listed == made and len(made) == 3
    merge_runs = repo.get_workflow("on-merge.yml").get_runs()
    assert [(run.head_branch, run.conclusion) for run in merge_runs] == [("feat/login", "success")]


def test_each_job_gets_a_token_with_its_own_permissions(tmp_path: Path, docker_watch: DockerWatch) -> None:
    """Each job's token has that job's permissions, capped in called workflows."""
    config = WorldConfig(workflows=Path(__file__).parent / "workflows-permissions")
    with World.started(tmp_path / "world", config, docker_watch) as world:
        mark = world.mark()
        world.push_commit("stg", files={"f.txt": "f\n"}, message="Try the tokens")
        runs = world.wait_idle()[mark.runs :]
        assert [run.workflow for run in runs] == ["permissions.yml"], [run.summary() for run in runs]
        assert runs[0].conclusion == "success", world.log_text()
        branches = {branch.name for branch in world.api().get_repo(world.app_repo).get_branches()}
        pushed = sorted(name.removeprefix("pushed-by-") for name in branches if name.startswith("pushed-by-"))
        assert pushed == ["uncapped", "writer"], (pushed, world.log_text())
        releases = sorted(release.tag_name for release in world.api().get_repo(world.app_repo).get_releases())
        assert releases == ["v0.0.0-uncapped", "v0.0.0-writer"], (releases, world.log_text())
        assert world.log_text().count("release: HTTP 403") == 2, world.log_text()
        tokens = {token.job: str(token.permissions) for token in runs[0].job_tokens}
        assert tokens["permissions.yml/capped/try-write.yml/write"] == "contents: read, metadata: read", tokens
        assert tokens["permissions.yml/uncapped/try-write.yml/write"] == "contents: write, metadata: read", tokens
        assert len({token.secret for token in runs[0].job_tokens}) == 7
        assert "image push: denied" in world.log_text()  # `packages: read` logs in and pulls, never pushes
        assert world.registry.digest("acme/refused", runs[0].request.sha) is None
        assert "GITHUB_TOKEN permissions of permissions.yml/writer: contents: write, metadata: read" in runs[0].log
        assert world.leaked_secrets() == []
