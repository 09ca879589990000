"""The seed's checklist lines and the claims that show each one (features/SEED.md and
features/seed_items.yaml), and the general markers; the report judges claims by their scenarios."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
SEED = ROOT / "features" / "SEED.md"
ITEMS = ROOT / "features" / "seed_items.yaml"
CHECKLIST = re.compile(r"^\s*(?:-|\d+\.)\s*\[( |x)\]\s*(.*)$")
HEADING = re.compile(r"^(#+)\s*(.*)$")
GENERAL_MARKERS = {
    "e2e": "the end-to-end scenario",
    "hardening": "behaviour beyond the seed: re-runs, concurrency, faults, bad input, secrets",
    "selftest": "the spec run against deliberately broken workflows",
}


@dataclass(frozen=True)
class SeedLine:
    number: int
    section: str
    text: str
    checked: bool
    items: tuple[str, ...]


@dataclass
class Catalogue:
    items: dict[str, str]
    hardening: dict[str, str]
    lines: list[SeedLine] = field(default_factory=list)

    @property
    def claims(self) -> dict[str, str]:
        return {**self.items, **self.hardening}


def load_catalogue(seed: Path = SEED, items: Path = ITEMS) -> Catalogue:
    """The seed's checklist lines, each with the claims that show it (features/seed_items.yaml)."""
    data = yaml.safe_load(items.read_text())
    mapped = list(data["lines"])
    catalogue = Catalogue(dict(data["items"]), dict(data.get("hardening") or {}))
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
            raise ValueError(f"{ITEMS.name}: checklist line {number} of {seed.name} is {text!r}, "
                             f"but entry {index + 1} is {expected!r}")
        unknown = [item for item in mapped[index]["items"] if item not in catalogue.items]
        if unknown:
            raise ValueError(f"{ITEMS.name}: line {number} names unknown items {unknown}")
        catalogue.lines.append(SeedLine(number, " / ".join(sections), text, match.group(1) == "x",
                                        tuple(mapped[index]["items"])))
        index += 1
    if index != len(mapped):
        raise ValueError(f"{ITEMS.name} has {len(mapped) - index} entries more than {seed.name} has checklist lines")
    return catalogue
