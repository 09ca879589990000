"""The event payloads the local GitHub hands to workflows validate against GitHub's published
webhook schemas (npm @octokit/webhooks-schemas, installed by scripts/setup.sh)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from testbed.dockerwatch import DockerWatch
from testbed.world import World, WorldConfig

SCHEMAS = Path(__file__).resolve().parents[2] / ".cache/npm/node_modules/@octokit/webhooks-schemas/schema.json"
WORKFLOWS = Path(__file__).parent / "workflows"


@pytest.fixture(scope="module")
def webhook_schema() -> dict[str, Any]:
    assert SCHEMAS.exists(), f"{SCHEMAS} missing: run scripts/setup.sh (it installs @octokit/webhooks-schemas)"
    return dict(json.loads(SCHEMAS.read_text()))


@pytest.fixture
def world(tmp_path: Path, docker_watch: DockerWatch) -> Iterator[World]:
    with World.started(tmp_path / "world", WorldConfig(workflows=WORKFLOWS), docker_watch) as started:
        yield started


def _validate(schema: dict[str, Any], definition: str, payload: dict[str, Any]) -> None:
    wrapped = {"$ref": f"#/definitions/{definition}", "definitions": schema["definitions"]}
    errors = sorted(jsonschema.Draft7Validator(wrapped).iter_errors(payload), key=lambda error: list(error.path))
    assert not errors, f"{definition}: " + "; ".join(
        f"{'/'.join(map(str, error.path)) or '<root>'}: {error.message[:200]}" for error in errors[:10]
    )


def test_pull_request_push_and_dispatch_payloads_match_github(world: World, webhook_schema: dict[str, Any]) -> None:
    """pull_request opened/closed, push and repository_dispatch payloads are shaped as GitHub's."""
    world.push_branch("feat/login", files={"login.txt": "x\n"}, message="Add login")
    number = world.open_pr("feat/login", "stg", "Add login")
    world.merge_pr(number)
    world.api().get_repo(world.chart_repo).create_repository_dispatch("helm-release", {"version": "1.0.0"})
    seen = set()
    for event in world.github.events:
        action = event.payload.get("action")
        if event.name == "pull_request" and action in ("opened", "closed"):
            definition = f"pull_request${action}"
        elif event.name == "push":
            definition = "push$event"
        elif event.name == "repository_dispatch":
            definition = "repository_dispatch$event"
        else:
            continue
        _validate(webhook_schema, definition, dict(event.payload))
        seen.add(definition)
    assert seen == {"pull_request$opened", "pull_request$closed", "push$event", "repository_dispatch$event"}
