"""Branches, pull requests and merges, and what they leave in the hosted git repository."""

from __future__ import annotations

import re

from pytest_bdd import given, parsers, then, when

from steps.common import Scenario, Stage, branch_head, repo, runs_summary, slug
from testbed.report.evidence import Evidence
from testbed.world import World


# -- given -------------------------------------------------------------------------------

@given(parsers.parse("the app repository is at version {version}, released"))
def app_at_version(world: World, version: str) -> None:
    world.set_version(version, released=True)


@given(parsers.parse('the app repository was released as {version} with the change "{title}" from "{branch}"'))
def app_released_with_change(world: World, scenario: Scenario, version: str, title: str, branch: str) -> None:
    world.merge_in_history(branch, title)
    world.set_version(version, released=True)
    scenario.history_titles.append(title)


@given(parsers.parse('the app repository holds the VERSION "{text}"'))
def app_with_version_text(world: World, text: str) -> None:
    world.set_version(text, released=False)


@given("the app repository has no VERSION file")
def app_without_version(world: World) -> None:
    world.remove_file("VERSION")


@given("the app repository holds enough objects that git abbreviates commit hashes to more than 7 digits")
def big_repository(world: World) -> None:
    world.grow_objects()


@given(parsers.parse('a developer pushes the branch "{branch}" with the change "{title}"'))
@when(parsers.parse('a developer pushes the branch "{branch}" with the change "{title}"'))
def push_branch(world: World, scenario: Scenario, branch: str, title: str) -> None:
    push(world, scenario, branch, title, base="stg")


@given(parsers.parse('a developer pushes the branch "{branch}" from main with the change "{title}"'))
def push_branch_from_main(world: World, scenario: Scenario, branch: str, title: str) -> None:
    push(world, scenario, branch, title, base="main")


@given(parsers.parse('a developer pushes the branch "{branch}" with the commit "{message}", proposed as "{title}"'))
def push_branch_titled(world: World, scenario: Scenario, branch: str, message: str, title: str) -> None:
    push(world, scenario, branch, title, base="stg", message=message)


def push(world: World, scenario: Scenario, branch: str, title: str, *, base: str, message: str = "") -> None:
    """Push `branch` with one commit (its message `message`, or the title); its pull request will be titled `title`."""
    world.push_branch(branch, base=base, files={f"changes/{slug(title)}.txt": f"{title}\n"}, message=message or title)
    scenario.titles[branch] = title


@given(parsers.parse('"{branch}" has been merged into stg'))
@when(parsers.parse('the pull request from "{branch}" into stg is merged'))
def merge_into_stg(world: World, scenario: Scenario, branch: str) -> None:
    if branch not in scenario.titles:
        push(world, scenario, branch, f"Change on {branch}", base="stg")
    merge(world, scenario, branch, "stg")


@when(parsers.parse('the pull request from "{branch}" into main is merged'))
def merge_into_main_from(world: World, scenario: Scenario, branch: str) -> None:
    merge(world, scenario, branch, "main")


def merge(world: World, scenario: Scenario, branch: str, base: str) -> Stage:
    number = world.open_pr(branch, base, scenario.titles[branch])
    scenario.pulls[branch] = number
    before = branch_head(world, base)
    mark = world.mark()
    runs = world.merge_pr(number)
    merged = repo(world).get_pull(number)
    assert merged.merged, f"pull request #{number} from {branch} did not merge"
    stage = Stage(mark, runs, str(merged.merge_commit_sha), before, branch_head(world, base), number)
    (scenario.staging if base == "stg" else scenario.production).append(stage)
    return stage


@given(parsers.parse('"{branch}" has been released to staging'))
def released_to_staging(world: World, scenario: Scenario, branch: str) -> None:
    merge_into_stg(world, scenario, branch)
    stage = scenario.last_staging
    assert stage.runs and all(run.conclusion == "success" for run in stage.runs), (
        f"the staging release of {branch} did not succeed: {runs_summary(stage.runs)}")


@given("the pull request from stg into main has been merged")
@when("the pull request from stg into main is merged")
def merge_stg_into_main(world: World, scenario: Scenario) -> None:
    number = open_release_pull(world)
    before = branch_head(world, "main")
    mark = world.mark()
    runs = world.merge_pr(number)
    merged = repo(world).get_pull(number)
    assert merged.merged, f"the pull request stg -> main (#{number}) did not merge"
    scenario.production.append(Stage(mark, runs, str(merged.merge_commit_sha), before, branch_head(world, "main"),
                                     number))


@given("the pull request from stg into main has been merged while its production runs waited for a runner")
def merge_stg_into_main_waiting(world: World, scenario: Scenario) -> None:
    world.hold_runs("main")
    merge_stg_into_main(world, scenario)


@when("the waiting production runs start")
def start_waiting_production(world: World, scenario: Scenario) -> None:
    waiting = scenario.last_production
    mark = world.mark()
    runs = world.start_held_runs()
    scenario.production[-1] = Stage(mark, runs, waiting.merge_sha, waiting.head_before, branch_head(world, "main"),
                                    waiting.pull)


def open_release_pull(world: World) -> int:
    pulls = [p for p in repo(world).get_pulls(state="open", base="main") if p.head.ref == "stg"]
    assert len(pulls) == 1, f"expected one open pull request from stg to main, found {[p.number for p in pulls]}"
    return int(pulls[0].number)


# -- then ---------------------------------------------------------------------------------

@then(parsers.parse('the VERSION on stg reads "{version}"'))
def version_on_stg(world: World, evidence: Evidence, version: str) -> None:
    found = world.read_file(world.app_repo, "stg", "VERSION")
    evidence.version("stg", found)
    assert found is not None and found.strip() == version, f"VERSION on stg is {found!r}, expected {version!r}"


@then(parsers.parse('the VERSION on main reads "{version}"'))
def version_on_main(world: World, evidence: Evidence, version: str) -> None:
    found = world.read_file(world.app_repo, "main", "VERSION")
    evidence.version("main", found)
    assert found is not None and found.strip() == version, f"VERSION on main is {found!r}, expected {version!r}"


@then("the version bump is one commit on stg, directly on top of the merge, changing only VERSION")
def bump_commit_on_stg(world: World, scenario: Scenario) -> None:
    stage = scenario.last_staging
    head = repo(world).get_commit(stage.head_after)
    parents = [parent.sha for parent in head.parents]
    assert parents == [stage.merge_sha], (
        f"stg head {stage.head_after[:12]} has parents {[p[:12] for p in parents]}, expected exactly the merge "
        f"commit {stage.merge_sha[:12]}: the bump must be committed straight onto stg after the merge")
    assert [f.filename for f in head.files] == ["VERSION"], f"the bump commit changes {[f.filename for f in head.files]}"


@then("no pull request was opened for the version bump")
def no_bump_pull(world: World, scenario: Scenario) -> None:
    known = set(scenario.pulls.values())
    others = [p for p in repo(world).get_pulls(state="all") if p.number not in known
              and not (p.head.ref == "stg" and p.base.ref == "main")]
    assert not others, f"unexpected pull requests: {[(p.number, p.head.ref, p.base.ref, p.title) for p in others]}"


@then("the version bump commit will not start another release")
def bump_starts_nothing(world: World, scenario: Scenario) -> None:
    stage = scenario.last_staging
    later = [run for run in world.runs[stage.mark.runs:] if run.request.sha == stage.head_after]
    assert not later, f"the bump commit started runs: {runs_summary(later)}"
    message = repo(world).get_commit(stage.head_after).commit.message
    assert not re.search(r"\[(skip ci|ci skip|no ci|skip actions|actions skip)\]", message, re.I), (
        "the bump commit is the head of the stg -> main pull request: a [skip ci] in it silences that PR's checks")


@then("stg did not change")
def stg_unchanged(world: World, scenario: Scenario) -> None:
    stage = scenario.last_staging
    assert stage.head_after == stage.merge_sha, (
        f"stg moved from the merge {stage.merge_sha[:12]} to {stage.head_after[:12]}")


@then(parsers.parse("every workflow run of the {kind} merge succeeded"))
def runs_succeeded(scenario: Scenario, evidence: Evidence, kind: str) -> None:
    stage = scenario.last_staging if kind == "staging" else scenario.last_production
    evidence.add(f"workflow runs of the {kind} merge", [run.summary() for run in stage.runs])
    assert stage.runs, "the merge started no workflow run"
    failed = [run for run in stage.runs if run.conclusion != "success"]
    assert not failed, f"failed runs: {runs_summary(failed)}"
