"""The payloads the Helm chart repository receives (repository_dispatch)."""

from __future__ import annotations

import json
from typing import Any

from pytest_bdd import parsers, then

from steps.common import Scenario, Stage, contract_errors
from steps.registry_steps import image_repos, staging_tags
from testbed.report.evidence import Evidence
from testbed.world import World

EVENT_TYPE = "helm-release"


def payloads(world: World, stage: Stage) -> list[dict[str, Any]]:
    return [dict(d.client_payload) for d in world.dispatches(world.chart_repo, since=stage.mark)
            if d.kind == "repository_dispatch"]


def only_payload(world: World, stage: Stage, environment: str) -> dict[str, Any]:
    found = [d for d in world.dispatches(world.chart_repo, since=stage.mark) if d.kind == "repository_dispatch"]
    assert len(found) == 1, (f"expected one dispatch to {world.chart_repo} from the {environment} run, got {len(found)}: "
                             f"{[d.client_payload for d in found]}")
    assert found[0].event_type == EVENT_TYPE, f"event type {found[0].event_type!r}, expected {EVENT_TYPE!r}"
    return dict(found[0].client_payload)


def check_payload(world: World, payload: dict[str, Any], *, environment: str, version: str,
                  tags: dict[str, list[str]]) -> None:
    errors = contract_errors(payload)
    assert not errors, f"the {environment} payload breaks the contract schema: {errors}"
    assert len(payload) <= 10, f"{len(payload)} top-level properties; GitHub allows 10"
    assert len(json.dumps(payload, separators=(",", ":")).encode()) <= 65536, "payload over GitHub's 64 KB"
    assert payload["environment"] == environment, f"environment {payload['environment']!r}, expected {environment!r}"
    assert payload["version"] == version, f"version {payload['version']!r}, expected {version!r}"
    images = payload["images"]
    assert set(images) == set(image_repos(world)), f"payload images {sorted(images)}, expected {sorted(image_repos(world))}"
    for name, repository in image_repos(world).items():
        image = images[name]
        expected_repo = f"{world.registry.address}/{repository}"
        assert image["repository"] == expected_repo, f"{name}: repository {image['repository']!r}, expected {expected_repo!r}"
        assert image["tag"] in tags[name], f"{name}: tag {image['tag']!r}, expected one of {tags[name]}"
        digest = world.registry.digest(repository, image["tag"])
        assert digest is not None, f"{name}: the payload names {repository}:{image['tag']}, which is not in the registry"
        assert image["digest"] == digest, f"{name}: payload digest {image['digest']} but {image['tag']} is {digest}"
        assert image["reference"] == f"{expected_repo}:{image['tag']}@{digest}", (
            f"{name}: reference {image['reference']!r} is not {expected_repo}:{image['tag']}@{digest}")


@then(parsers.parse("the chart repository received one staging payload for {version} with the staging images"))
def staging_payload(world: World, scenario: Scenario, evidence: Evidence, version: str) -> None:
    stage = scenario.last_staging
    payload = only_payload(world, stage, "stg")
    evidence.payload("staging client_payload", payload)
    tags = {name: staging_tags(stage, version) for name in image_repos(world)}
    check_payload(world, payload, environment="stg", version=version, tags=tags)
    assert payload["source"]["sha"] == stage.head_after, (
        f"source.sha {payload['source']['sha'][:12]} is not the bump commit {stage.head_after[:12]}")
    scenario.notes.setdefault("payloads", []).append(payload)


@then(parsers.parse("the chart repository received one production payload for {version} with the promoted images"))
def production_payload(world: World, scenario: Scenario, evidence: Evidence, version: str) -> None:
    stage = scenario.last_production
    payload = only_payload(world, stage, "prod")
    evidence.payload("production client_payload", payload)
    check_payload(world, payload, environment="prod", version=version,
                  tags={name: [version] for name in image_repos(world)})
    for name, image in payload["images"].items():
        assert "stg-" not in image["reference"], f"{name}: the production payload references a staging tag"
    scenario.notes.setdefault("payloads", []).append(payload)


@then("the staging and production payloads name the same images with the same digests")
def payloads_consistent(scenario: Scenario) -> None:
    sent = scenario.notes.get("payloads", [])
    staging = [p for p in sent if p["environment"] == "stg"]
    production = [p for p in sent if p["environment"] == "prod"]
    assert staging and production, "both a staging and a production payload must have been checked first"
    stg, prod = staging[-1], production[-1]
    assert stg["version"] == prod["version"], f"versions differ: {stg['version']} vs {prod['version']}"
    assert set(stg) == set(prod), f"payload keys differ: {sorted(stg)} vs {sorted(prod)}"
    for name in stg["images"]:
        a, b = stg["images"][name], prod["images"][name]
        assert set(a) == set(b), f"{name}: image fields differ: {sorted(a)} vs {sorted(b)}"
        assert a["repository"] == b["repository"], f"{name}: repositories differ"
        assert a["digest"] == b["digest"], f"{name}: staging digest {a['digest']} but production {b['digest']}"


@then("the chart repository received no payload")
def no_payload(world: World, scenario: Scenario) -> None:
    stage = (scenario.production or scenario.staging)[-1]
    found = payloads(world, stage)
    assert not found, f"the chart repository received {found}"
