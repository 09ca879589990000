"""What a developer does to the app repository, as the steps drive it: push a branch, open and
merge pull requests, re-run workflows. Each merge or re-run is recorded as a `Stage` of the
scenario. This module holds no steps; step modules import it (and never each other)."""

from __future__ import annotations

from steps.state import Scenario, Stage
from testbed.observer import Observer
from testbed.world import World


def slug(text: str) -> str:
    return "".join(ch if ch.isalnum() else "-" for ch in text.lower()).strip("-")[:40] or "change"


def change_path(title: str) -> str:
    """The file a change titled `title` adds to the app repository."""
    return f"changes/{slug(title)}.txt"


def push(world: World, scenario: Scenario, branch: str, title: str, *, base: str, message: str = "") -> None:
    """Push `branch` with one commit (its message `message`, or the title); its pull request will be titled `title`."""
    world.push_branch(branch, base=base, files={change_path(title): f"{title}\n"}, message=message or title)
    scenario.titles[branch] = title


def merge(world: World, scenario: Scenario, branch: str, base: str) -> Stage:
    """Open the pull request from `branch` into `base` and merge it; wait for every run it starts."""
    if branch not in scenario.titles:
        push(world, scenario, branch, f"Change on {branch}", base="stg")
    number = world.open_pr(branch, base, scenario.titles[branch])
    scenario.pulls[branch] = number
    return merge_pull(world, scenario, number, base)


def merge_pull(world: World, scenario: Scenario, number: int, base: str) -> Stage:
    observe = Observer(world)
    before = observe.head(base)
    mark = world.mark()
    runs = world.merge_pr(number)
    merged = observe.repo().get_pull(number)
    assert merged.merged, f"pull request #{number} into {base} did not merge"
    stage = Stage(mark, runs, str(merged.merge_commit_sha), before, observe.head(base), number)
    (scenario.staging if base == "stg" else scenario.production).append(stage)
    return stage


def merge_release_pull(world: World, scenario: Scenario) -> Stage:
    """Merge the one open pull request from stg into main."""
    pulls = Observer(world).release_pulls()
    assert len(pulls) == 1, f"expected one open pull request from stg to main, found {[p.number for p in pulls]}"
    return merge_pull(world, scenario, int(pulls[0].number), "main")


def merge_back_to_back(world: World, scenario: Scenario, branches: list[str]) -> Stage:
    """Press the merge button on the pull requests from `branches` into stg without waiting in between."""
    numbers = []
    for name in branches:
        if name not in scenario.titles:
            push(world, scenario, name, f"Change on {name}", base="stg")
        numbers.append(world.open_pr(name, "stg", scenario.titles[name]))
        scenario.pulls[name] = numbers[-1]
    scenario.merged_together = list(branches)
    observe = Observer(world)
    before = observe.head("stg")
    mark = world.mark()
    runs = world.merge_prs(numbers)
    stage = Stage(mark, runs, str(observe.repo().get_pull(numbers[-1]).merge_commit_sha), before,
                  observe.head("stg"), numbers[-1])
    scenario.staging.append(stage)
    return stage


def rerun(world: World, scenario: Scenario, kind: str) -> Stage:
    """Re-run every workflow run of the last `kind` ("staging" or "production") merge for the same event."""
    stages = scenario.staging if kind == "staging" else scenario.production
    assert stages, f"nothing to re-run: no {kind} merge happened"
    last = stages[-1]
    branch = "stg" if kind == "staging" else "main"
    observe = Observer(world)
    before = observe.head(branch)
    mark = world.mark()
    runs = world.rerun(last.runs)
    stage = Stage(mark, runs, last.merge_sha, before, observe.head(branch), last.pull)
    stages.append(stage)
    return stage
