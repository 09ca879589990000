"""Branches, pull requests and merges, and what they leave in the hosted git repository."""

from __future__ import annotations

import re
from dataclasses import asdict

from pytest_bdd import given, parsers, then, when

from steps.drive import merge, merge_back_to_back, merge_release_pull, push, rerun
from steps.state import HostileBranch, Scenario, Stage
from testbed.canary import Canary
from testbed.observer import Observer, WorldSnapshot, runs_summary
from testbed.report.evidence import Evidence
from testbed.world import World

QUOTED = re.compile(r'"([^"]+)"')
SKIP_CI = re.compile(r"\[(skip ci|ci skip|no ci|skip actions|actions skip)\]", re.IGNORECASE)


# -- given: the repository's past --------------------------------------------------------------

@given(parsers.parse("the app repository is at version {version}, released"))
def app_at_version(world: World, version: str) -> None:
    world.history.set_version(version, released=True)


@given(parsers.parse('the app repository was released as {version} with the change "{title}" from "{branch}"'))
def app_released_with_change(world: World, scenario: Scenario, version: str, title: str, branch: str) -> None:
    world.history.merge_in_history(branch, title)
    world.history.set_version(version, released=True)
    scenario.history_titles.append(title)


@given(parsers.parse('the app repository holds the VERSION "{text}"'))
def app_with_version_text(world: World, text: str) -> None:
    world.history.set_version(text, released=False)


@given("the app repository has no VERSION file")
def app_without_version(world: World) -> None:
    world.history.remove_file("VERSION")


@given("the app repository holds enough objects that git abbreviates commit hashes to more than 7 digits")
def big_repository(world: World) -> None:
    world.history.grow_objects()


@given(parsers.parse('a developer has pushed the branch "{branch}" with the change "{title}"'))
def pushed_branch(world: World, scenario: Scenario, branch: str, title: str) -> None:
    push(world, scenario, branch, title, base="stg")


@given(parsers.parse('a developer has pushed the branch "{branch}" from main with the change "{title}"'))
def pushed_branch_from_main(world: World, scenario: Scenario, branch: str, title: str) -> None:
    push(world, scenario, branch, title, base="main")


@given(parsers.parse('a developer has pushed the branch "{branch}" with the commit "{message}", proposed as "{title}"'))
def pushed_branch_titled(world: World, scenario: Scenario, branch: str, message: str, title: str) -> None:
    push(world, scenario, branch, title, base="stg", message=message)


@given(parsers.parse("a developer has pushed a branch named {template}"), target_fixture="hostile_branch")
def pushed_hostile_branch(world: World, scenario: Scenario, template: str) -> HostileBranch:
    canary = Canary.new()
    branch = HostileBranch(template.strip("`").replace("CANARY", canary.name), canary)
    push(world, scenario, branch.name, "Add a feature with a strange branch name", base="stg")
    return branch


@given("a commit was pushed straight onto stg after the staging release")
def commit_on_stg(world: World) -> None:
    world.push_commit("stg", files={"changes/hotfix.txt": "pushed straight onto stg\n"}, message="Hotfix on stg")


@given(parsers.parse('"{branch}" has been released to staging'))
def released_to_staging(world: World, scenario: Scenario, branch: str) -> None:
    stage = merge(world, scenario, branch, "stg")
    assert stage.runs and all(run.conclusion == "success" for run in stage.runs), (
        f"the staging release of {branch} did not succeed: {runs_summary(stage.runs)}")


@given("the pull request from stg into main has been merged")
def stg_merged_into_main(world: World, scenario: Scenario) -> None:
    merge_release_pull(world, scenario)


@given("the pull request from stg into main has been merged while its production runs waited for a runner")
def stg_merged_into_main_waiting(world: World, scenario: Scenario) -> None:
    world.hold_runs("main")
    merge_release_pull(world, scenario)


# -- when: what a developer does now -------------------------------------------------------------

@when(parsers.parse('a developer pushes the branch "{branch}" with the change "{title}"'))
def push_branch(world: World, scenario: Scenario, branch: str, title: str) -> None:
    push(world, scenario, branch, title, base="stg")


@when(parsers.parse('the pull request from "{branch}" into stg is merged'))
def merge_into_stg(world: World, scenario: Scenario, branch: str) -> None:
    merge(world, scenario, branch, "stg")


@when(parsers.parse('the pull request from "{branch}" into main is merged'))
def merge_into_main_from(world: World, scenario: Scenario, branch: str) -> None:
    merge(world, scenario, branch, "main")


@when("the pull request from that branch into stg is merged")
def merge_hostile(world: World, scenario: Scenario, hostile_branch: HostileBranch) -> None:
    merge(world, scenario, hostile_branch.name, "stg")


@when("the pull request from stg into main is merged")
def merge_stg_into_main(world: World, scenario: Scenario) -> None:
    merge_release_pull(world, scenario)


@when(parsers.parse("the pull requests from {branches} into stg are merged back to back"))
def merged_back_to_back(world: World, scenario: Scenario, branches: str) -> None:
    merge_back_to_back(world, scenario, QUOTED.findall(branches))


@when("the waiting production runs start")
def start_waiting_production(world: World, scenario: Scenario, observe: Observer) -> None:
    waiting = scenario.last_production
    mark = world.mark()
    runs = world.start_held_runs()
    scenario.production[-1] = Stage(mark, runs, waiting.merge_sha, waiting.head_before, observe.head("main"),
                                    waiting.pull)


@when("the staging workflows run again for the same merge", target_fixture="before_rerun")
def rerun_staging(world: World, scenario: Scenario, observe: Observer) -> WorldSnapshot:
    before = observe.snapshot()
    rerun(world, scenario, "staging")
    return before


@when("the production workflows run again for the same merge", target_fixture="before_rerun")
def rerun_production(world: World, scenario: Scenario, observe: Observer) -> WorldSnapshot:
    before = observe.snapshot()
    rerun(world, scenario, "production")
    return before


# -- then: what git and the runs show ------------------------------------------------------------

@then(parsers.parse('the VERSION on {branch} reads "{version}"'))
def version_on_branch(observe: Observer, evidence: Evidence, branch: str, version: str) -> None:
    found = observe.file(branch, "VERSION")
    evidence.version(branch, found)
    assert found is not None and found.strip() == version, f"VERSION on {branch} is {found!r}, expected {version!r}"


@then("the version bump is one commit on stg, directly on top of the merge")
def bump_on_top_of_merge(observe: Observer, scenario: Scenario) -> None:
    stage = scenario.last_staging
    parents = [parent.sha for parent in observe.repo().get_commit(observe.head("stg")).parents]
    assert parents == [stage.merge_sha], (
        f"stg head has parents {[p[:12] for p in parents]}, expected exactly the merge commit "
        f"{stage.merge_sha[:12]}: the bump must be committed straight onto stg after the merge")


@then("the version bump changes only VERSION")
def bump_changes_only_version(observe: Observer) -> None:
    files = [f.filename for f in observe.repo().get_commit(observe.head("stg")).files]
    assert files == ["VERSION"], f"the bump commit (stg's head) changes {files}"


@then("no pull request was opened for the version bump")
def no_bump_pull(observe: Observer, scenario: Scenario) -> None:
    known = set(scenario.pulls.values())
    others = [p for p in observe.repo().get_pulls(state="all") if p.number not in known
              and not (p.head.ref == "stg" and p.base.ref == "main")]
    assert not others, f"unexpected pull requests: {[(p.number, p.head.ref, p.base.ref, p.title) for p in others]}"


@then("the version bump commit starts no other workflow run")
def bump_starts_nothing(world: World, observe: Observer, scenario: Scenario) -> None:
    bump = observe.head("stg")
    later = [run for run in world.runs[scenario.last_staging.mark.runs:] if run.request.sha == bump]
    assert not later, f"the bump commit started runs: {runs_summary(later)}"


@then("the version bump commit does not silence the checks of the pull request to main")
def bump_not_skip_ci(observe: Observer) -> None:
    found = SKIP_CI.search(observe.repo().get_commit(observe.head("stg")).commit.message)
    assert found is None, (f"the bump commit says {found.group(0) if found else ''!r}: it is the head of the "
                           "stg -> main pull request, so that silences the pull request's checks")


@then("stg did not change")
def stg_unchanged(observe: Observer, scenario: Scenario) -> None:
    merged, head = scenario.last_staging.merge_sha, observe.head("stg")
    assert head == merged, f"stg moved from the merge {merged[:12]} to {head[:12]}"


@then(parsers.parse("every workflow run of the {kind} merge succeeded"))
def runs_succeeded(scenario: Scenario, evidence: Evidence, kind: str) -> None:
    stage = scenario.last(kind)
    evidence.add(f"workflow runs of the {kind} merge", [run.summary() for run in stage.runs])
    assert stage.runs, "the merge started no workflow run"
    failed = [run for run in stage.runs if run.conclusion != "success"]
    assert not failed, f"failed runs: {runs_summary(failed)}"


@then(parsers.parse("every workflow run of the {kind} merge succeeded or did nothing"))
def runs_ok_or_noop(scenario: Scenario, kind: str) -> None:
    failed = [run for run in scenario.last(kind).runs if run.conclusion != "success"]
    assert not failed, f"runs failed: {runs_summary(failed)}"


@then("no staging run failed; a run GitHub cancelled for a newer one is allowed")
def staging_runs_not_failed(scenario: Scenario) -> None:
    stage = scenario.last_staging
    assert stage.runs, "the merges started no workflow run"
    failed = [run for run in stage.runs if run.conclusion not in ("success", "cancelled")]
    assert not failed, f"failed runs: {runs_summary(failed)}"


@then(parsers.parse('the {kind} run failed, naming "{text}"'))
def run_failed_naming(observe: Observer, scenario: Scenario, kind: str, text: str) -> None:
    stage = scenario.last(kind)
    failed = [run for run in stage.runs if run.conclusion == "failure"]
    assert failed, f"the {kind} run did not fail: {runs_summary(stage.runs)}"
    if "<SHORTHASH>" in text:
        text = text.replace("<SHORTHASH>", observe.pull_head(stage.pull)[:7])
    logs = "\n".join(run.log for run in failed)
    assert text in logs, f"the failing {kind} run does not say {text!r}; its log ends:\n{logs[-2000:]}"


@then("the re-run changed nothing: the same bump, tags, releases, pull requests, comments and dispatches")
def rerun_changed_nothing(observe: Observer, scenario: Scenario, evidence: Evidence,
                          before_rerun: WorldSnapshot) -> None:
    after = observe.snapshot()
    evidence.add("before the re-run", asdict(before_rerun))
    evidence.add("after the re-run", asdict(after))
    stage = scenario.latest
    failed = [run for run in stage.runs if run.conclusion != "success"]
    assert stage.runs and not failed, f"the re-run did not succeed: {runs_summary(stage.runs)}"
    changed = before_rerun.changes(after)
    assert not changed, f"the re-run changed: {changed}"


@then("the branch name was never run as a command")
def canary_untouched(hostile_branch: HostileBranch) -> None:
    assert not hostile_branch.canary.fired(), (
        f"a command in the branch name ran: docker volume {hostile_branch.canary.name} was created")
