"""What a step observed, attached to the scenario's report: `evidence.add(title, value)` with
typed shortcuts for the things the spec looks at (versions, image tags and digests, releases,
payloads, pull requests). Each item belongs to the step that was running when it was added."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from typing import Any

from testbed.report.model import EvidenceItem

# GitHub's token formats: a second net behind the world's own list of secret values
TOKEN = re.compile(r"\bgh[pousr]_[A-Za-z0-9_]{20,}")

Value = str | int | float | bool | None | Mapping[str, Any] | Sequence[Any]


def _plain(value: Any) -> Any:
    """A JSON-able copy of `value` (unknown objects become their text)."""
    return json.loads(json.dumps(value, default=str))


class Evidence:
    """The evidence of one scenario; the report plugin moves `step` along as steps start."""

    def __init__(self) -> None:
        self.step = -1
        self.items: list[EvidenceItem] = []

    def add(self, title: str, value: Value) -> None:
        """Attach `value` (text, number, mapping or list) under `title` to the running step."""
        self.items.append(EvidenceItem(self.step, title, _plain(value)))

    def version(self, where: str, version: str | None) -> None:
        self.add(f"VERSION on {where}", version if version is not None else "(no VERSION file)")

    def image(self, name: str, tags: Mapping[str, str | None]) -> None:
        """An image's tags and the digest each one points at (None: the tag is missing)."""
        self.add(f"image {name}: tags and digests", {tag: digest or "(missing)" for tag, digest in tags.items()})

    def release(self, tag: str, *, prerelease: bool, target: str, body: str) -> None:
        self.add(f"release {tag}", {"prerelease": prerelease, "target": target, "body": body})

    def payload(self, title: str, payload: Mapping[str, Any]) -> None:
        self.add(title, payload)

    def pull_request(self, number: int, *, head: str, base: str, title: str, state: str = "") -> None:
        self.add(f"pull request #{number}", {"head": head, "base": base, "title": title, "state": state})

    def redacted(self, secrets: Sequence[str]) -> list[EvidenceItem]:
        """The items with every secret value replaced by `***`."""
        return [EvidenceItem(item.step, item.title, _plain(redact_value(item.value, secrets))) for item in self.items]


def redact(text: str, secrets: Sequence[str]) -> str:
    """`text` with each secret value, and anything shaped like a GitHub token, replaced by `***`."""
    for secret in secrets:
        if secret:
            text = text.replace(secret, "***")
    return TOKEN.sub("***", text)


def redact_value(value: Any, secrets: Sequence[str]) -> Any:
    if isinstance(value, str):
        return redact(value, secrets)
    if isinstance(value, Mapping):
        return {redact(str(key), secrets): redact_value(item, secrets) for key, item in value.items()}
    if isinstance(value, list):
        return [redact_value(item, secrets) for item in value]
    return value
