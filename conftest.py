"""Root pytest wiring: the options that point the spec at an implementation, and the fixtures
that give every scenario a fresh world (registry, local GitHub, act)."""

from __future__ import annotations

from collections.abc import Generator, Iterator
from pathlib import Path

import pytest

from testbed.dockerwatch import DockerWatch
from testbed.report.collect import WORLD_KEY as WORLD_STASH
from testbed.world import MERGE_METHODS, SUITE_ROOT, World, WorldConfig

pytest_plugins = [
    "steps.state",
    "steps.git_steps",
    "steps.registry_steps",
    "steps.release_steps",
    "steps.payload_steps",
    "steps.hardening_steps",
    "steps.traceability",
]


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("release conformance")
    group.addoption(
        "--workflows",
        default=str(SUITE_ROOT / "workflows"),
        metavar="DIR",
        help="workflow files under test, installed as the app repo's .github/workflows (default: workflows/)",
    )
    group.addoption(
        "--action",
        default=None,
        metavar="DIR",
        help="folder holding reference/, served as the action release-suite/release-pipeline/reference@v1 "
             "(default: this suite's reference CLI when judging its own workflows/, no such action otherwise)",
    )
    group.addoption(
        "--runner",
        choices=("container", "host"),
        default="container",
        help="run jobs in act job containers (default) or directly on this machine",
    )
    group.addoption(
        "--plain-http",
        action="store_true",
        help="debugging only: the local GitHub and the registry over plain http instead of https",
    )
    group.addoption(
        "--token-permissions",
        choices=("restricted", "permissive"),
        default="restricted",
        help="the repository's default GITHUB_TOKEN permissions for workflows and jobs without `permissions:` "
             "(default: restricted, GitHub's default for new repositories: contents and packages read)",
    )
    group.addoption(
        "--actions",
        default=None,
        metavar="DIR",
        help="action store: serve `uses: owner/repo@ref` from DIR (laid out like ../shared/actions, see its README); "
        "default: act downloads actions",
    )
    group.addoption(
        "--download-actions",
        choices=("yes", "no"),
        default=None,
        help="let act download from github.com the actions the store lacks (default: no with --actions, yes without)",
    )
    group.addoption(
        "--merge-method",
        choices=MERGE_METHODS,
        default="merge",
        help="how the scenarios' merge button merges pull requests, as GitHub's merge methods do: a merge "
             "commit (default), one squashed commit, or the commits rebased onto the base",
    )


@pytest.fixture(scope="session")
def world_config(pytestconfig: pytest.Config) -> WorldConfig:
    """Which workflows the spec judges, how act runs them, and how pull requests are merged."""
    workflows = Path(pytestconfig.getoption("--workflows")).resolve()
    actions = pytestconfig.getoption("--actions")
    action = pytestconfig.getoption("--action")
    downloads = pytestconfig.getoption("--download-actions")
    return WorldConfig(
        workflows=workflows,
        runner=pytestconfig.getoption("--runner"),
        actions=Path(actions).resolve() if actions else None,
        download_actions=None if downloads is None else downloads == "yes",
        plain_http=pytestconfig.getoption("--plain-http"),
        token_permissions=pytestconfig.getoption("--token-permissions"),
        action_source=Path(action).resolve() if action else None,
        merge_method=pytestconfig.getoption("--merge-method"),
    )


@pytest.fixture(scope="session")
def docker_watch() -> Iterator[DockerWatch]:
    """One follower of the Docker engine's events for the whole session."""
    with DockerWatch() as watch:
        yield watch


@pytest.fixture
def world(
    tmp_path: Path, world_config: WorldConfig, docker_watch: DockerWatch, request: pytest.FixtureRequest
) -> Iterator[World]:
    """A fresh registry, local GitHub (the app repository at 1.0.0 on main and stg, the chart repository) and runner."""
    with World.started(tmp_path / "world", world_config, docker_watch) as started:
        request.node.stash[WORLD_KEY] = started
        yield started
        started.wait_idle()
        leaked = started.leaked_secrets()
        if leaked:
            pytest.fail(f"secret values appear in the workflow logs: {leaked}", pytrace=False)


WORLD_KEY = WORLD_STASH  # the report plugin reads the scenario's runs and decisions from it


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """On failure, attach the workflow runs (summary and logs) to the report."""
    report = yield
    world = item.stash.get(WORLD_KEY, None)
    if world is not None and report.failed and call.when in ("call", "setup"):
        report.sections.append(("workflow runs", world.log_text()[-20000:] or "no workflow run started"))
        decisions = "\n".join(decision.line() for decision in world.decisions.items)
        why = decisions or "no event reached the workflows"
        report.sections.append(("why each workflow did or did not start", why))
        servers = {"local GitHub": world.github.url, **world.registry.servers()}
        report.sections.append(("the testbed's servers", "\n".join(f"{name}: {url}" for name, url in servers.items())))
        report.sections.append(("the registry's log (end)", world.registry.log_tail() or "empty"))
    return report
