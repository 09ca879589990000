"""Each marketplace action the second implementation (examples/marketplace/) uses, run in a one-job
workflow against the testbed, with its effect read back from the local GitHub or the registry:
action-gh-release creates a release, repository-dispatch delivers a dispatch, create-pull-request
opens a pull request, github-script reads and writes through the API, login-action's login lets a
push through, metadata-action computes tags from the commit and labels from the repository."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from testbed.actions.record import Run
from testbed.actions.store import project_store
from testbed.dockerwatch import DockerWatch
from testbed.world import SUITE_ROOT, World, WorldConfig

WORKFLOWS = Path(__file__).parent / "marketplace"
MODES = ["container", "host"]


@pytest.fixture(scope="session")
def action_store(pytestconfig: pytest.Config) -> Path:
    """The action store the workflows' `uses:` are served from: `--actions DIR`, else the project's."""
    given = pytestconfig.getoption("--actions")
    store = Path(given).resolve() if given else project_store(SUITE_ROOT)
    if store is None or not (store / "MANIFEST.json").is_file():
        pytest.fail(f"no action store ({store or 'shared/actions beside the repository'}): these tests run "
                    "marketplace actions offline; pass --actions DIR (a folder laid out like ../shared/actions)")
    return store


@pytest.fixture(params=MODES)
def world(request: pytest.FixtureRequest, tmp_path: Path, docker_watch: DockerWatch,
          action_store: Path) -> Iterator[World]:
    """A world whose app repository holds the one-job workflows, each started by a push to `try/<action>`."""
    config = WorldConfig(workflows=WORKFLOWS, runner=request.param, actions=action_store)
    with World.started(tmp_path / "world", config, docker_watch) as started:
        yield started


def run_for(world: World, action: str) -> tuple[str, Run]:
    """Push `try/<action>` and return the pushed commit and the one run it started, which must succeed."""
    mark = world.mark()
    sha = world.push_branch(f"try/{action}", files={f"{action}.txt": f"{action}\n"}, message=f"Try {action}")
    world.wait_idle()
    runs = [run for run in world.runs[mark.runs:] if run.request.sha == sha]
    assert len(runs) == 1, f"expected one run for try/{action}: {[run.summary() for run in runs]}"
    assert runs[0].conclusion == "success", runs[0].log[-6000:]
    return sha, runs[0]


def test_action_gh_release_creates_a_release(world: World) -> None:
    """softprops/action-gh-release: the pre-release exists with its body, its tag at the pushed commit."""
    sha, _ = run_for(world, "gh-release")
    repo = world.api().get_repo(world.app_repo)
    release = repo.get_release("v0.0.1-try")
    assert (release.title, release.body, release.prerelease, release.draft) == (
        "Tried", "Made by action-gh-release", True, False)
    assert repo.get_git_ref("tags/v0.0.1-try").object.sha == sha


def test_repository_dispatch_delivers_the_payload(world: World) -> None:
    """peter-evans/repository-dispatch: the chart repository receives the event type and nested payload."""
    mark = world.mark()
    sha, _ = run_for(world, "repository-dispatch")
    found = [d for d in world.dispatches(world.chart_repo, since=mark) if d.kind == "repository_dispatch"]
    assert [(d.event_type, dict(d.client_payload)) for d in found] == [("tried", {"sha": sha, "nested": {"n": 1}})]


def test_create_pull_request_opens_a_pull_request(world: World) -> None:
    """peter-evans/create-pull-request: a branch with the change is pushed and a pull request into stg is open."""
    run_for(world, "create-pull-request")
    repo = world.api().get_repo(world.app_repo)
    pulls = [p for p in repo.get_pulls(state="open", base="stg") if p.head.ref == "tried/proposal"]
    assert [p.title for p in pulls] == ["Proposed by create-pull-request"]
    assert world.read_file(world.app_repo, pulls[0].head.sha, "proposed.txt") == "proposed by create-pull-request\n"


def test_github_script_reads_and_writes(world: World) -> None:
    """actions/github-script: VERSION read through the contents API comes back in the comment it wrote."""
    sha, _ = run_for(world, "github-script")
    version = (world.read_file(world.app_repo, sha, "VERSION") or "").strip()
    comments = [c.body for c in world.api().get_repo(world.app_repo).get_commit(sha).get_comments()]
    assert comments == [f"github-script read VERSION {version}"]


def test_login_action_lets_the_push_through(world: World) -> None:
    """docker/login-action: after logging in with the run's token, the image pushed is in the registry."""
    mark = world.mark()
    run_for(world, "login-action")
    repository = f"{world.settings.image_namespace}/tried"
    assert world.registry.digest(repository, "login") is not None, world.registry.tags(repository)
    assert [p for p in world.registry_pushes(since=mark) if p.repository == repository and p.is_manifest]


def test_metadata_action_computes_tags_and_labels(world: World) -> None:
    """docker/metadata-action: stg-<SHORTHASH> of the checked-out commit and the raw tag; source label from the API."""
    sha, run = run_for(world, "metadata-action")
    image = f"{world.registry.address}/{world.settings.image_namespace}/app"
    outputs = run.outputs("meta")
    assert sorted(outputs["tags"].split()) == sorted([f"{image}:stg-{sha[:7]}", f"{image}:stg-9.9.9"])
    labels = json.loads(outputs["json"])["labels"]
    assert labels["org.opencontainers.image.revision"] == sha
    assert labels["org.opencontainers.image.source"] == f"{world.github.url}/{world.app_repo}"


def test_gh_releases_and_pull_requests_from_a_job(world: World) -> None:
    """gh in a job: release create/upload/view make a release with both files; pr create/list/merge merge a PR."""
    sha, run = run_for(world, "gh-cli")
    repo = world.api().get_repo(world.app_repo)
    release = repo.get_release("v0.0.2-gh")
    assert (release.title, release.body, release.prerelease) == ("Tried by gh", "Made by gh", True)
    assert sorted(asset.name for asset in release.get_assets()) == ["more.txt", "notes.txt"]
    assert json.loads(run.outputs("gh")["release"]) == {"tag": "v0.0.2-gh", "name": "Tried by gh",
                                                         "assets": ["more.txt", "notes.txt"]}
    pull = repo.get_pull(int(run.outputs("gh")["pull"]))
    assert (pull.title, pull.merged, pull.base.ref) == ("Tried by gh", True, "stg")
    assert repo.compare(sha, "stg").behind_by == 0  # the pushed commit is on stg
