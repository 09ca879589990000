"""Give every called (reusable) workflow the run's `GITHUB_TOKEN`, as GitHub does.

On GitHub a called workflow always has `secrets.GITHUB_TOKEN` (and rejects declaring it as a
`workflow_call` secret). act 0.2.89 passes a called workflow only the secrets its caller job
lists (`secrets: {A: ...}`), all of them with `secrets: inherit`, and none without `secrets:`, so
`secrets.GITHUB_TOKEN` is empty there. In the run's own clone of the workflows, each caller job
that does not inherit gets `GITHUB_TOKEN: ${{ secrets.GITHUB_TOKEN }}` added to its `secrets:`
(the text is edited in place, so comments, `on:` and everything else stay as written).
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import yaml

TOKEN = "GITHUB_TOKEN"
VALUE = '"${{ secrets.GITHUB_TOKEN }}"'


def pass_token(path: Path) -> bool:
    """Rewrite the workflow file at `path` so its caller jobs pass the token; True if changed."""
    text = path.read_text()
    changed = with_token(text)
    if changed == text:
        return False
    path.write_text(changed)
    return True


def with_token(text: str) -> str:
    """`text` with the token added to the `secrets:` of every caller job; unchanged when the file
    has none, or cannot be edited safely (the result is checked by parsing it again)."""
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
        expected = yaml.safe_load(text)
    except yaml.YAMLError:
        return text
    jobs = _value(root, "jobs")
    if not isinstance(jobs, yaml.MappingNode) or not isinstance(expected, dict):
        return text
    edits: list[tuple[int, str]] = []
    for key, job in jobs.value:
        if not isinstance(job, yaml.MappingNode) or _value(job, "uses") is None:
            continue
        edit = _edit(text, job)
        if edit is None:
            continue
        edits.append(edit)
        secrets = expected["jobs"][key.value].get("secrets")
        expected["jobs"][key.value]["secrets"] = {TOKEN: "${{ secrets.GITHUB_TOKEN }}", **(copy.deepcopy(secrets) or {})}
    if not edits:
        return text
    changed = text
    for index, insert in sorted(edits, reverse=True):
        changed = changed[:index] + insert + changed[index:]
    try:
        ok = yaml.safe_load(changed) == expected
    except yaml.YAMLError:
        ok = False
    return changed if ok else text


def _edit(text: str, job: yaml.MappingNode) -> tuple[int, str] | None:
    """Where to insert what in `text` so that `job` passes the token; None when nothing to do."""
    secrets = _value(job, "secrets")
    if isinstance(secrets, yaml.ScalarNode):
        return None  # `inherit`: act passes every secret, the token included
    if isinstance(secrets, yaml.MappingNode):
        if any(key.value == TOKEN for key, _ in secrets.value):
            return None
        if secrets.flow_style or not secrets.value:
            start = secrets.start_mark.index  # `{` of a flow mapping
            if text[start : start + 1] != "{":
                return None
            return start + 1, f"{TOKEN}: {VALUE}" + (", " if secrets.value else "")
        return _line_before(text, secrets.value[0][0], f"{TOKEN}: {VALUE}")
    if secrets is not None or job.flow_style:
        return None
    uses_key = next(key for key, _ in job.value if key.value == "uses")
    return _line_before(text, uses_key, f"secrets:\n{{indent}}  {TOKEN}: {VALUE}")


def _line_before(text: str, key: yaml.Node, line: str) -> tuple[int, str] | None:
    """Insert `line` (at the key's indentation) on its own line before `key`'s line."""
    start = key.start_mark.index - key.start_mark.column
    indent = text[start : key.start_mark.index]
    if indent.strip():
        return None
    return start, indent + line.replace("{indent}", indent) + "\n"


def _value(node: Any, name: str) -> yaml.Node | None:
    if not isinstance(node, yaml.MappingNode):
        return None
    for key, value in node.value:
        if isinstance(key, yaml.ScalarNode) and key.value == name:
            return value
    return None
