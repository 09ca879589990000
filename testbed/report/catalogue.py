"""The claims of the spec and the seed's checklist lines that each claim shows.

A claim is a `Rule:` of a feature file: its one tag names the claim, its sentence says what the
claim means, and the scenarios under it show it (a scenario may carry further claim tags for what
it also shows). `features/seed_items.yaml` maps every checklist line of `features/SEED.md` to the
claims that show it; claims no seed line names are beyond the seed (hardening).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from pytest_bdd.parser import FeatureParser

ROOT = Path(__file__).resolve().parents[2]
FEATURES = ROOT / "features"
SEED = FEATURES / "SEED.md"
ITEMS = FEATURES / "seed_items.yaml"
CHECKLIST = re.compile(r"^\s*(?:-|\d+\.)\s*\[( |x)\]\s*(.*)$")
HEADING = re.compile(r"^(#+)\s*(.*)$")
GENERAL_MARKERS = {
    "e2e": "the end-to-end scenario",
    "hardening": "behaviour beyond the seed: re-runs, concurrency, faults, bad input, secrets",
    "selftest": "the spec run against deliberately broken workflows",
}


class CatalogueError(ValueError):
    """The feature files or seed_items.yaml do not describe the claims consistently."""


@dataclass(frozen=True)
class SeedLine:
    number: int
    section: str
    text: str
    checked: bool
    items: tuple[str, ...]


@dataclass(frozen=True)
class Claim:
    """One `Rule:` of a feature file: the claim's tag, its sentence, and the scenarios under it."""

    tag: str
    sentence: str
    feature: str  # the feature file's name
    scenarios: tuple[str, ...]


@dataclass(frozen=True)
class SpecScenario:
    """A scenario as its feature file states it: the claims it carries (Rule tags included)."""

    feature: str
    name: str
    line: int
    rule: str  # the claim of the Rule it sits under, "" for none
    tags: frozenset[str]


@dataclass
class Catalogue:
    items: dict[str, str]  # claims the seed's lines name -> sentence
    hardening: dict[str, str]  # claims beyond the seed -> sentence
    lines: list[SeedLine] = field(default_factory=list)
    rules: dict[str, Claim] = field(default_factory=dict)
    scenarios: list[SpecScenario] = field(default_factory=list)

    @property
    def claims(self) -> dict[str, str]:
        return {**self.items, **self.hardening}


def read_rules(features: Path = FEATURES) -> tuple[dict[str, Claim], list[SpecScenario]]:
    """Every Rule of the feature files (by claim tag) and every scenario, read by pytest-bdd's parser."""
    rules: dict[str, tuple[str, str, list[str]]] = {}
    scenarios: list[SpecScenario] = []
    for path in sorted(features.glob("*.feature")):
        feature = FeatureParser(str(path.parent), path.name).parse()
        for template in feature.scenarios.values():
            rule = template.rule
            claim = ""
            if rule is not None:
                tags = sorted(set(rule.tags) - set(GENERAL_MARKERS))
                if len(tags) != 1:
                    raise CatalogueError(f"{path.name}: the Rule {rule.name!r} carries the claim tags {tags}; "
                                         "tag each Rule with exactly one claim")
                claim = tags[0]
                known = rules.setdefault(claim, (rule.name.strip(), path.name, []))
                if known[0] != rule.name.strip() or known[1] != path.name:
                    raise CatalogueError(f"{path.name}: the claim @{claim} has a second Rule {rule.name!r}; "
                                         f"it is stated in {known[1]} as {known[0]!r}")
                known[2].append(template.name)
            scenarios.append(SpecScenario(path.name, template.name, template.line_number, claim,
                                          frozenset(template.tags | feature.tags | (rule.tags if rule else set()))))
    return ({tag: Claim(tag, sentence, name, tuple(found)) for tag, (sentence, name, found) in rules.items()},
            scenarios)


def load_catalogue(seed: Path = SEED, items: Path = ITEMS, features: Path = FEATURES) -> Catalogue:
    """The claims (from the features' Rules) and the seed's checklist lines, each with its claims."""
    rules, scenarios = read_rules(features)
    mapped = list(yaml.safe_load(items.read_text())["lines"])
    lines: list[SeedLine] = []
    sections: list[str] = []
    index = 0
    for number, line in enumerate(seed.read_text().splitlines(), 1):
        heading = HEADING.match(line)
        if heading:
            level = len(heading.group(1))
            sections = [*sections[: max(level - 2, 0)], heading.group(2).strip()]
            continue
        match = CHECKLIST.match(line)
        if not match:
            continue
        text = match.group(2).strip()
        if index >= len(mapped) or mapped[index]["seed"].strip() != text:
            expected = mapped[index]["seed"] if index < len(mapped) else "nothing (seed_items.yaml ends)"
            raise CatalogueError(f"{items.name}: checklist line {number} of {seed.name} is {text!r}, "
                                 f"but entry {index + 1} is {expected!r}")
        unknown = [item for item in mapped[index]["items"] if item not in rules]
        if unknown:
            raise CatalogueError(
                f"{items.name}: line {number} names claims no feature file states as a Rule: {unknown}")
        lines.append(SeedLine(number, " / ".join(sections), text, match.group(1) == "x", tuple(mapped[index]["items"])))
        index += 1
    if index != len(mapped):
        raise CatalogueError(
            f"{items.name} has {len(mapped) - index} entries more than {seed.name} has checklist lines")
    named = list(dict.fromkeys(item for line in lines for item in line.items))
    return Catalogue(items={tag: rules[tag].sentence for tag in named},
                     hardening={tag: claim.sentence for tag, claim in rules.items() if tag not in named},
                     lines=lines, rules=rules, scenarios=scenarios)
