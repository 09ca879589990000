"""The payloads the Helm chart repository receives (repository_dispatch)."""

from __future__ import annotations

import json
from typing import Any

from pytest_bdd import parsers, then

from steps.state import Scenario, Stage
from testbed.observer import Observer, contract_errors, staging_tags
from testbed.report.evidence import Evidence
from testbed.world import World


def only_payload(world: World, observe: Observer, stage: Stage, environment: str) -> dict[str, Any]:
    found = observe.payloads(since=stage.mark)
    assert len(found) == 1, (f"expected one dispatch to {world.chart_repo} from the {environment} run, got {len(found)}: "
                             f"{[d.client_payload for d in found]}")
    event_type = world.settings.release_event_type
    assert found[0].event_type == event_type, f"event type {found[0].event_type!r}, expected {event_type!r}"
    return dict(found[0].client_payload)


def check_payload(world: World, observe: Observer, payload: dict[str, Any], *, environment: str, version: str,
                  tags: dict[str, list[str]]) -> None:
    errors = contract_errors(payload)
    assert not errors, f"the {environment} payload breaks the contract schema: {errors}"
    assert len(payload) <= 10, f"{len(payload)} top-level properties; GitHub allows 10"
    assert len(json.dumps(payload, separators=(",", ":")).encode()) <= 65536, "payload over GitHub's 64 KB"
    assert payload["environment"] == environment, f"environment {payload['environment']!r}, expected {environment!r}"
    assert payload["version"] == version, f"version {payload['version']!r}, expected {version!r}"
    images, repos = payload["images"], observe.image_repos()
    assert set(images) == set(repos), f"payload images {sorted(images)}, expected {sorted(repos)}"
    for name, repository in repos.items():
        image = images[name]
        expected_repo = f"{world.registry.address}/{repository}"
        assert image["repository"] == expected_repo, f"{name}: repository {image['repository']!r}, expected {expected_repo!r}"
        assert image["tag"] in tags[name], f"{name}: tag {image['tag']!r}, expected one of {tags[name]}"
        digest = observe.digest(repository, image["tag"])
        assert digest is not None, f"{name}: the payload names {repository}:{image['tag']}, which is not in the registry"
        assert image["digest"] == digest, f"{name}: payload digest {image['digest']} but {image['tag']} is {digest}"
        assert image["reference"] == f"{expected_repo}:{image['tag']}@{digest}", (
            f"{name}: reference {image['reference']!r} is not {expected_repo}:{image['tag']}@{digest}")


@then(parsers.parse("the chart repository received one staging payload for {version} with the staging images"))
def staging_payload(world: World, observe: Observer, scenario: Scenario, evidence: Evidence, version: str) -> None:
    stage = scenario.last_staging
    payload = only_payload(world, observe, stage, "stg")
    evidence.payload("staging client_payload", payload)
    tags = {name: staging_tags(stage.head_after, version) for name in observe.image_repos()}
    check_payload(world, observe, payload, environment="stg", version=version, tags=tags)
    assert payload["source"]["sha"] == stage.head_after, (
        f"source.sha {payload['source']['sha'][:12]} is not the bump commit {stage.head_after[:12]}")


@then(parsers.parse("the chart repository received one production payload for {version} with the promoted images"))
def production_payload(world: World, observe: Observer, scenario: Scenario, evidence: Evidence, version: str) -> None:
    payload = only_payload(world, observe, scenario.last_production, "prod")
    evidence.payload("production client_payload", payload)
    check_payload(world, observe, payload, environment="prod", version=version,
                  tags={name: [version] for name in observe.image_repos()})
    for name, image in payload["images"].items():
        assert "stg-" not in image["reference"], f"{name}: the production payload references a staging tag"


@then(parsers.parse("the staging and production payloads of {version} name the same images with the same digests"))
def payloads_consistent(observe: Observer, evidence: Evidence, version: str) -> None:
    stg, prod = observe.payload_of("staging", version), observe.payload_of("production", version)
    evidence.add(f"payloads of {version}", {"staging": stg, "production": prod})
    assert stg is not None, f"the chart repository received no staging payload for {version}"
    assert prod is not None, f"the chart repository received no production payload for {version}"
    errors = {"staging": contract_errors(stg), "production": contract_errors(prod)}
    assert not any(errors.values()), f"the payloads do not follow the contract's one schema: {errors}"
    assert set(stg) == set(prod), f"payload keys differ: {sorted(stg)} vs {sorted(prod)}"
    assert set(stg["images"]) == set(prod["images"]), f"images differ: {sorted(stg['images'])} vs {sorted(prod['images'])}"
    for name in stg["images"]:
        a, b = stg["images"][name], prod["images"][name]
        assert set(a) == set(b), f"{name}: image fields differ: {sorted(a)} vs {sorted(b)}"
        assert a["repository"] == b["repository"], f"{name}: repositories differ"
        assert a["digest"] == b["digest"], f"{name}: staging digest {a['digest']} but production {b['digest']}"


@then(parsers.parse("the chart repository received {count:d} {environment} payloads in all"))
def payload_count(world: World, observe: Observer, count: int, environment: str) -> None:
    event_type = world.settings.release_event_type
    found = [d for d in observe.payloads(environment) if d.event_type == event_type]
    assert len(found) == count, f"{len(found)} {environment} payloads: {[d.client_payload for d in found]}"


@then("the chart repository received no payload")
def no_payload(observe: Observer, scenario: Scenario) -> None:
    found = [d.client_payload for d in observe.payloads(since=scenario.latest.mark)]
    assert not found, f"the chart repository received {found}"
