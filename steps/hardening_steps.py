"""What really happens to a pipeline: re-runs, merges in quick succession, faults, bad input."""

from __future__ import annotations

import re
import tempfile
import uuid
from pathlib import Path

import docker
from pytest_bdd import given, parsers, then, when

from steps.common import Scenario, Stage, branch_head, repo, runs_summary, slug
from steps.git_steps import open_release_pull, push
from steps.payload_steps import EVENT_TYPE
from steps.registry_steps import image_repos, short
from steps.release_steps import changelog_lists, releases_for
from testbed.report.evidence import Evidence
from testbed.world import World

# what a scenario can say about the GitHub API -> (method, path pattern)
API_CALLS = {
    "create a release": ("POST", r"/repos/acme/app/releases$"),
    "comment on a commit": ("POST", r"/repos/acme/app/commits/[0-9a-f]+/comments$"),
    "dispatch to the chart repository": ("POST", r"/repos/acme/helm-charts/dispatches$"),
    "open a pull request": ("POST", r"/repos/acme/app/pulls$"),
}
QUOTED = re.compile(r'"([^"]+)"')


# -- faults --------------------------------------------------------------------------------

@given(parsers.parse("the GitHub API will fail the next {count:d} requests to {call} with a server error"))
def api_server_errors(world: World, count: int, call: str) -> None:
    method, pattern = API_CALLS[call]
    world.github.inject_fault(method, pattern, 502, times=count)


@given(parsers.parse("the GitHub API will answer the next {count:d} requests to {call} with a secondary rate limit"))
def api_rate_limit(world: World, count: int, call: str) -> None:
    method, pattern = API_CALLS[call]
    world.github.inject_fault(method, pattern, rate_limit=True, times=count)


@then(parsers.parse("the GitHub API faults were all hit"))
def faults_hit(world: World) -> None:
    left = [(f.method, f.pattern.pattern, f.remaining) for f in world.github._faults if f.remaining]
    assert not left, f"injected faults never triggered (the run did not make those calls): {left}"


@given("the registry is down")
def registry_down(world: World) -> None:
    world.registry.halt()


@when("the registry is back and the staging workflows run again")
def registry_back(world: World, scenario: Scenario) -> None:
    world.registry.resume()
    rerun(world, scenario, "stg")


@given(parsers.parse('the registry already holds a different image tagged "{tag}" for every image'))
def foreign_image(world: World, scenario: Scenario, tag: str) -> None:
    client = docker.from_env()
    digests = {}
    with tempfile.TemporaryDirectory() as tmp:
        context = Path(tmp)
        (context / "Dockerfile").write_text("FROM scratch\nCOPY other.txt /\n")
        (context / "other.txt").write_text(f"not the tested image {uuid.uuid4().hex}\n")
        for name, repository in image_repos(world).items():
            target = f"{world.registry.address}/{repository}"
            client.images.build(path=str(context), tag=f"{target}:{tag}", rm=True)
            for line in client.images.push(target, tag=tag, stream=True, decode=True,
                                           auth_config=world.registry_credentials()):
                assert "error" not in line, f"pushing the foreign image failed: {line}"
            client.images.remove(f"{target}:{tag}", noprune=False)
            digests[name] = world.registry.digest(repository, tag)
    scenario.notes["foreign"] = digests


@then(parsers.parse('the tag "{tag}" still has the other image\'s digest'))
def foreign_kept(world: World, scenario: Scenario, tag: str) -> None:
    for name, repository in image_repos(world).items():
        assert world.registry.digest(repository, tag) == scenario.notes["foreign"][name], (
            f"image {name}: the production tag {tag} was overwritten")


@given("a commit is pushed straight onto stg after the staging release")
def commit_on_stg(world: World, scenario: Scenario) -> None:
    world.push_commit("stg", files={"changes/hotfix.txt": "pushed straight onto stg\n"}, message="Hotfix on stg")


# -- re-runs and concurrency -------------------------------------------------------------------

def rerun(world: World, scenario: Scenario, kind: str) -> Stage:
    stages = scenario.staging if kind == "stg" else scenario.production
    assert stages, f"nothing to re-run: no {kind} merge happened"
    last = stages[-1]
    branch = "stg" if kind == "stg" else "main"
    mark = world.mark()
    runs = world.rerun(last.runs)
    stage = Stage(mark, runs, last.merge_sha, branch_head(world, branch), branch_head(world, branch), last.pull)
    stages.append(stage)
    return stage


@when("the staging workflows run again for the same merge")
def rerun_staging(world: World, scenario: Scenario) -> None:
    scenario.notes["before_rerun"] = snapshot(world)
    rerun(world, scenario, "stg")


@when("the production workflows run again for the same merge")
def rerun_production(world: World, scenario: Scenario) -> None:
    scenario.notes["before_rerun"] = snapshot(world)
    rerun(world, scenario, "prod")


def snapshot(world: World) -> dict[str, object]:
    return {
        "stg": branch_head(world, "stg"),
        "main": branch_head(world, "main"),
        "releases": sorted((r.tag_name, r.prerelease) for r in repo(world).get_releases()),
        "pulls": sorted((p.number, p.state) for p in repo(world).get_pulls(state="all")),
        "dispatches": len(world.dispatches(world.chart_repo)),
        "tags": {repository: {t: world.registry.digest(repository, t) for t in world.registry.tags(repository)}
                 for repository in image_repos(world).values()},
        "comments": sum(1 for _ in repo(world).get_comments()),
    }


@then("the re-run changed nothing: the same bump, tags, releases, pull requests, comments and dispatches")
def rerun_changed_nothing(world: World, scenario: Scenario, evidence: Evidence) -> None:
    before, after = scenario.notes["before_rerun"], snapshot(world)
    evidence.add("before the re-run", before)
    evidence.add("after the re-run", after)
    stage = (scenario.production or scenario.staging)[-1]
    failed = [run for run in stage.runs if run.conclusion != "success"]
    assert stage.runs and not failed, f"the re-run did not succeed: {runs_summary(stage.runs)}"
    changed = {key: (before[key], after[key]) for key in before if before[key] != after[key]}
    assert not changed, f"the re-run changed: {changed}"


@when(parsers.parse("the pull requests from {branches} into stg are merged back to back"))
def merge_back_to_back(world: World, scenario: Scenario, branches: str) -> None:
    names = QUOTED.findall(branches)
    scenario.notes["merged_back_to_back"] = names
    numbers = []
    for name in names:
        if name not in scenario.titles:
            push(world, scenario, name, f"Change on {name}", base="stg")
        numbers.append(world.open_pr(name, "stg", scenario.titles[name]))
        scenario.pulls[name] = numbers[-1]
    before = branch_head(world, "stg")
    mark = world.mark()
    runs = world.merge_prs(numbers)
    stage = Stage(mark, runs, str(repo(world).get_pull(numbers[-1]).merge_commit_sha), before,
                  branch_head(world, "stg"), numbers[-1])
    scenario.staging.append(stage)


def bump_versions(world: World, stage: Stage) -> list[str]:
    """The versions of the bump commits (one parent, only VERSION changed) on stg since `stage` began, oldest first."""
    found = []
    for commit in repo(world).compare(stage.head_before, "stg").commits:
        full = repo(world).get_commit(commit.sha)
        if len(full.parents) == 1 and [f.filename for f in full.files] == ["VERSION"]:
            found.append((world.read_file(world.app_repo, commit.sha, "VERSION") or "").strip())
    return found


@then(parsers.parse("the version bumps on stg are {versions}, in merge order"))
def bumps_in_order(world: World, scenario: Scenario, versions: str) -> None:
    wanted = QUOTED.findall(versions)
    found = bump_versions(world, scenario.last_staging)
    assert found == wanted, f"version bumps on stg since the merges: {found}, expected {wanted}"


@then(parsers.parse('the version bumps on stg are successive minor versions from "{first}", at most one per merge'))
def bumps_successive(world: World, scenario: Scenario, first: str) -> None:
    found = bump_versions(world, scenario.last_staging)
    major, minor, _patch = (int(part) for part in first.split("."))
    successive = [f"{major}.{minor + step}.0" for step in range(len(found))]
    merges = len(scenario.notes.get("merged_back_to_back", [])) or len(found)
    assert found and found == successive and len(found) <= merges, (
        f"version bumps on stg since the merges: {found}; expected successive minor versions from {first}, "
        f"one to {merges} of them")
    scenario.notes["bumps"] = found


@then("no staging run failed; a run GitHub cancelled for a newer one is allowed")
def staging_runs_not_failed(scenario: Scenario) -> None:
    stage = scenario.last_staging
    assert stage.runs, "the merges started no workflow run"
    failed = [run for run in stage.runs if run.conclusion not in ("success", "cancelled")]
    assert not failed, f"failed runs: {runs_summary(failed)}"


@then("the staging images, pre-release and payload of every bumped version carry that version")
def every_bump_released(world: World, scenario: Scenario) -> None:
    each_version_released(world, scenario, ", ".join(f'"{v}"' for v in scenario.notes["bumps"]))


@then(parsers.parse('the release of the version on main lists exactly the changes {titles}'))
def main_release_lists(world: World, scenario: Scenario, titles: str) -> None:
    version = (world.read_file(world.app_repo, "main", "VERSION") or "").strip()
    changelog_lists(world, scenario, version, titles.strip('"'))


@then(parsers.parse("the staging images, pre-release and payload of each of {versions} carry that version"))
def each_version_released(world: World, scenario: Scenario, versions: str) -> None:
    sent = {d.client_payload.get("version"): d.client_payload for d in world.dispatches(world.chart_repo)
            if d.client_payload.get("environment") == "stg"}
    for version in QUOTED.findall(versions):
        assert [r for r in releases_for(world, version) if r.prerelease], f"no pre-release of {version}"
        assert version in sent, f"no staging payload for {version}; payload versions: {sorted(sent)}"
        for name, repository in image_repos(world).items():
            digest = world.registry.digest(repository, f"stg-{version}")
            assert digest, f"image {name}: no stg-{version} tag"
            assert sent[version]["images"][name]["digest"] == digest, f"{name}: the {version} payload names another image"


@then(parsers.parse("the pull request from stg to main carries the changes of {branches}"))
def pull_carries(world: World, scenario: Scenario, branches: str) -> None:
    number = open_release_pull(world)
    head = repo(world).get_pull(number).head.sha
    for name in QUOTED.findall(branches):
        path = f"changes/{slug(scenario.titles[name])}.txt"
        assert world.read_file(world.app_repo, head, path) is not None, f"the change of {name} is not in the pull request"


# -- failures and no-ops -------------------------------------------------------------------------

@then(parsers.parse('the {kind} run failed, naming "{text}"'))
def run_failed_naming(world: World, scenario: Scenario, kind: str, text: str) -> None:
    stage = scenario.last_staging if kind == "staging" else scenario.last_production
    failed = [run for run in stage.runs if run.conclusion == "failure"]
    assert failed, f"the {kind} run did not fail: {runs_summary(stage.runs)}"
    if "<SHORTHASH>" in text:
        text = text.replace("<SHORTHASH>", short(repo(world).get_pull(stage.pull).head.sha))
    logs = "\n".join(run.log for run in failed)
    assert text in logs, f"the failing {kind} run does not say {text!r}; its log ends:\n{logs[-2000:]}"


@then(parsers.parse("every workflow run of the {kind} merge succeeded or did nothing"))
def runs_ok_or_noop(scenario: Scenario, kind: str) -> None:
    stage = scenario.last_staging if kind == "staging" else scenario.last_production
    failed = [run for run in stage.runs if run.conclusion not in ("success",)]
    assert not failed, f"runs failed: {runs_summary(failed)}"


@then(parsers.parse("no release of {version} and no pull request from stg to main exist"))
def nothing_released(world: World, version: str) -> None:
    assert not releases_for(world, version), f"releases of {version}: {[r.tag_name for r in releases_for(world, version)]}"
    pulls = [p.number for p in repo(world).get_pulls(state="open", base="main") if p.head.ref == "stg"]
    assert not pulls, f"a pull request stg -> main was opened: {pulls}"


@then(parsers.parse("the chart repository received {count:d} {environment} payloads in all"))
def payload_count(world: World, count: int, environment: str) -> None:
    env = {"staging": "stg", "production": "prod"}[environment]
    found = [d for d in world.dispatches(world.chart_repo) if d.event_type == EVENT_TYPE
             and d.client_payload.get("environment") == env]
    assert len(found) == count, f"{len(found)} {environment} payloads: {[d.client_payload for d in found]}"


@then(parsers.parse("no full release of {version} exists"))
def no_full_release(world: World, version: str) -> None:
    full = [r.tag_name for r in releases_for(world, version) if not r.prerelease]
    assert not full, f"a full release of {version} exists: {full}"


# -- hostile branch names -------------------------------------------------------------------------

@given(parsers.parse("a developer pushes a branch named {template}"))
def hostile_branch(world: World, scenario: Scenario, template: str) -> None:
    canary = f"pwned-{uuid.uuid4().hex[:10]}"
    name = template.strip("`").replace("CANARY", canary)
    scenario.notes["canary"] = canary
    scenario.notes["hostile"] = name
    push(world, scenario, name, "Add a feature with a strange branch name", base="stg")


@when("the pull request from that branch into stg is merged")
def merge_hostile(world: World, scenario: Scenario) -> None:
    from steps.git_steps import merge

    merge(world, scenario, scenario.notes["hostile"], "stg")


@then("the branch name was never run as a command")
def canary_untouched(world: World, scenario: Scenario) -> None:
    canary = scenario.notes["canary"]
    volumes = docker.from_env().volumes.list(filters={"name": canary})
    for volume in volumes:
        volume.remove(force=True)
    assert not volumes, f"a command in the branch name ran: docker volume {canary} was created"


# -- secrets -------------------------------------------------------------------------------------

@then("no token value appears in any workflow log")
@then("no token value appears in any workflow log, raw, base64, URL-encoded or hex")
def no_leak(world: World) -> None:
    assert world.runs, "no workflow ran"
    leaked = world.leaked_secrets()
    assert not leaked, f"token values appear in the workflow logs: {leaked}"
