"""What really happens to a pipeline: faults in GitHub and the registry, several versions
released in quick succession, tokens that must not leak."""

from __future__ import annotations

import re

from pytest_bdd import given, parsers, then, when

from steps.drive import rerun
from steps.state import Scenario
from testbed.observer import Observer
from testbed.world import World

QUOTED = re.compile(r'"([^"]+)"')


def api_call(world: World, call: str) -> tuple[str, str]:
    """What a scenario can say about the GitHub API -> (method, path pattern)."""
    app, chart = re.escape(world.app_repo), re.escape(world.chart_repo)
    calls = {
        "create a release": ("POST", rf"/repos/{app}/releases$"),
        "comment on a commit": ("POST", rf"/repos/{app}/commits/[0-9a-f]+/comments$"),
        "dispatch to the chart repository": ("POST", rf"/repos/{chart}/dispatches$"),
        "open a pull request": ("POST", rf"/repos/{app}/pulls$"),
    }
    assert call in calls, f"unknown GitHub API call {call!r}; known: {sorted(calls)}"
    return calls[call]


@given(parsers.parse("the GitHub API is set to fail the next {count:d} requests to {call} with a server error"))
def api_server_errors(world: World, count: int, call: str) -> None:
    method, pattern = api_call(world, call)
    world.github.inject_fault(method, pattern, 502, times=count)


@given(parsers.parse("the GitHub API is set to answer the next {count:d} requests to {call} with a secondary rate limit"))
def api_rate_limit(world: World, count: int, call: str) -> None:
    method, pattern = api_call(world, call)
    world.github.inject_fault(method, pattern, rate_limit=True, times=count)


@given(parsers.parse("GitHub takes {seconds:d} seconds to apply each git push"))
def slow_pushes(world: World, seconds: int) -> None:
    world.github.slow_pushes(seconds)


@then("the GitHub API faults were all hit")
def faults_hit(world: World) -> None:
    left = [(f.method, f.pattern.pattern, f.remaining) for f in world.github.faults if f.remaining]
    assert not left, f"injected faults never triggered (the run did not make those calls): {left}"


@given("the registry is down")
def registry_down(world: World) -> None:
    world.registry.halt()


@when("the registry is back and the staging workflows run again")
def registry_back(world: World, scenario: Scenario) -> None:
    world.registry.resume()
    rerun(world, scenario, "staging")


@then(parsers.parse("the version bumps on stg are {versions}, in merge order"))
def bumps_in_order(observe: Observer, scenario: Scenario, versions: str) -> None:
    wanted = QUOTED.findall(versions)
    found = observe.bump_versions(scenario.last_staging.head_before)
    assert found == wanted, f"version bumps on stg since the merges: {found}, expected {wanted}"


@then(parsers.parse('the version bumps on stg are successive minor versions from "{first}", at most one per merge'))
def bumps_successive(observe: Observer, scenario: Scenario, first: str) -> None:
    found = observe.bump_versions(scenario.last_staging.head_before)
    major, minor, _patch = (int(part) for part in first.split("."))
    successive = [f"{major}.{minor + step}.0" for step in range(len(found))]
    merges = len(scenario.merged_together) or len(found)
    assert found and found == successive and len(found) <= merges, (
        f"version bumps on stg since the merges: {found}; expected successive minor versions from {first}, "
        f"one to {merges} of them")


WHICH = r"(?P<which>every version bumped on stg|each of .+?)"


def versions_named(observe: Observer, scenario: Scenario, which: str) -> list[str]:
    """`each of "1.3.0" and "1.4.0"` -> those; `every version bumped on stg` -> the bumps since the merges."""
    if which.startswith("each of "):
        return QUOTED.findall(which)
    bumps = observe.bump_versions(scenario.last_staging.head_before)
    assert bumps, "stg holds no version bump since the merges"
    return bumps


@then(parsers.re(rf"{WHICH} has its staging images tagged stg-<SemVer>"))
def staging_images_of_each(observe: Observer, scenario: Scenario, which: str) -> None:
    missing = [f"{name}:stg-{version}" for version in versions_named(observe, scenario, which)
               for name, repository in observe.image_repos().items()
               if not observe.digest(repository, f"stg-{version}")]
    assert not missing, f"staging images missing from the registry: {missing}"


@then(parsers.re(rf"{WHICH} has a pre-release"))
def prerelease_of_each(observe: Observer, scenario: Scenario, which: str) -> None:
    missing = [v for v in versions_named(observe, scenario, which) if not observe.prereleases_for(v)]
    assert not missing, f"no pre-release of {missing}"


@then(parsers.re(rf"{WHICH} has a staging payload naming its stg-<SemVer> images"))
def payload_of_each(observe: Observer, scenario: Scenario, which: str) -> None:
    wrong = []
    for version in versions_named(observe, scenario, which):
        payload = observe.payload_of("staging", version)
        for name, repository in observe.image_repos().items():
            named = ((payload or {}).get("images", {}).get(name) or {}).get("digest")
            if payload is None or named != observe.digest(repository, f"stg-{version}"):
                wrong.append(f"{version}: {name} names {named}" if payload else f"{version}: no staging payload")
    assert not wrong, f"staging payloads that do not name the version's stg-<SemVer> images: {sorted(set(wrong))}"


@then("no token value appears in any workflow log")
@then("no token value appears in any workflow log, raw, base64, URL-encoded or hex")
def no_leak(world: World) -> None:
    assert world.runs, "no workflow ran"
    leaked = world.leaked_secrets()
    assert not leaked, f"token values appear in the workflow logs: {leaked}"
