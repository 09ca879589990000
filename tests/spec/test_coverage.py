"""The spec covers the seed: every checklist line maps to claims, every claim has a scenario, and
every scenario tag is a known claim. Also: the reference's payload schema is the contract's."""

from __future__ import annotations

import json
import re
from pathlib import Path

from steps.traceability import GENERAL_MARKERS, load_catalogue

ROOT = Path(__file__).resolve().parents[2]
FEATURES = sorted((ROOT / "features").glob("*.feature"))
SEED = Path("/work/shared/seeds/000_4f3d4449bf2171cd.txt")


def scenario_tags() -> dict[str, set[str]]:
    """Tags per scenario (feature-level tags included)."""
    found: dict[str, set[str]] = {}
    for path in FEATURES:
        feature_tags: set[str] = set()
        pending: set[str] = set()
        for line in path.read_text().splitlines():
            stripped = line.strip()
            if stripped.startswith("@"):
                pending |= {tag.lstrip("@") for tag in stripped.split()}
            elif stripped.startswith("Feature:"):
                feature_tags, pending = pending, set()
            elif re.match(r"Scenario( Outline)?:", stripped):
                found[f"{path.name}: {stripped}"] = feature_tags | pending
                pending = set()
    return found


def test_every_seed_checklist_line_is_mapped_to_claims() -> None:
    catalogue = load_catalogue()
    assert len(catalogue.lines) == 65
    assert all(line.items for line in catalogue.lines)
    unchecked = [line.text for line in catalogue.lines if not line.checked]
    assert unchecked == ["Test the full workflow with a new feature branch."]


def test_features_seed_is_the_shared_seed() -> None:
    if SEED.exists():  # the shared seed is outside the repository; CI machines may not have it
        assert (ROOT / "features" / "SEED.md").read_text() == SEED.read_text()


def test_every_claim_has_a_scenario_and_every_tag_is_known() -> None:
    catalogue = load_catalogue()
    tags = scenario_tags()
    used = set().union(*tags.values())
    assert set(catalogue.claims) - used == set(), "claims without a scenario"
    unknown = used - set(catalogue.claims) - set(GENERAL_MARKERS)
    assert unknown == set(), f"scenario tags that are no claim: {unknown}"
    untagged = [name for name, found in tags.items() if not found & set(catalogue.claims)]
    assert untagged == [], f"scenarios that assert no claim: {untagged}"


def test_the_reference_payload_schema_is_the_contract() -> None:
    contract = json.loads((ROOT / "features/contract/dispatch-payload.schema.json").read_text())
    reference = json.loads((ROOT / "reference/payload.schema.json").read_text())
    contract.pop("$id")
    reference.pop("$id")
    assert contract == reference


def test_scenarios_speak_of_effects_not_implementation() -> None:
    """No shell commands, no file paths of the implementation, no sleeps in the Gherkin."""
    banned = re.compile(r"release-cli|\.ya?ml\b|reference/|workflows/|\bsleep\b|\bwait \d|docker (build|push|tag)")
    offenders = [f"{path.name}:{n}: {line.strip()}" for path in FEATURES
                 for n, line in enumerate(path.read_text().splitlines(), 1) if banned.search(line)]
    assert offenders == []
