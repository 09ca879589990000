"""Which workflow files GitHub would start for an event.

act 0.2.89 runs whatever it is given, ignoring `types`, `branches` and `paths` filters, so the
testbed decides as GitHub does: event name, activity types, branch and tag filters, path filters.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import yaml

# Activity types GitHub uses when a workflow names the event without `types`.
DEFAULT_TYPES: Mapping[str, frozenset[str]] = {
    "pull_request": frozenset({"opened", "synchronize", "reopened"}),
    "pull_request_target": frozenset({"opened", "synchronize", "reopened"}),
}


@dataclass(frozen=True)
class EventFacts:
    """What trigger matching needs to know about one event."""

    name: str
    action: str = ""  # activity type (pull_request.action, repository_dispatch event_type)
    branch: str = ""  # push: pushed branch; pull_request: base branch
    tag: str = ""  # push of a tag
    changed_paths: tuple[str, ...] | None = None  # None: unknown, path filters then match
    extra: Mapping[str, Any] = field(default_factory=dict)


def parse_workflow(text: str) -> dict[str, Any]:
    """The workflow YAML as a dict; `on` stays a string key (YAML 1.1 reads it as True)."""
    loaded = yaml.safe_load(text) or {}
    if not isinstance(loaded, dict):
        return {}
    if True in loaded and "on" not in loaded:
        loaded["on"] = loaded.pop(True)
    return loaded


def _triggers(workflow: Mapping[str, Any]) -> dict[str, Any]:
    on = workflow.get("on")
    if isinstance(on, str):
        return {on: None}
    if isinstance(on, list):
        return {str(name): None for name in on}
    if isinstance(on, dict):
        return {str(name): config for name, config in on.items()}
    return {}


@lru_cache(maxsize=512)
def _glob_regex(pattern: str) -> re.Pattern[str]:
    """GitHub's filter pattern syntax: `*` within a path segment, `**` across, `?`, `+`, `[...]`."""
    out = []
    i = 0
    while i < len(pattern):
        char = pattern[i]
        if pattern.startswith("**", i):
            out.append(".*")
            i += 2
            continue
        if char == "*":
            out.append("[^/]*")
        elif char == "?":
            out.append(".?")
        elif char == "+":
            out.append("+")
        elif char == "[":
            end = pattern.find("]", i)
            if end == -1:
                out.append(re.escape(char))
            else:
                out.append(pattern[i : end + 1])
                i = end
        else:
            out.append(re.escape(char))
        i += 1
    return re.compile("".join(out) + r"\Z")


def matches_filters(value: str, patterns: Iterable[str]) -> bool:
    """GitHub's rule: patterns apply in order, a `!pattern` excludes what earlier ones included."""
    matched = False
    for pattern in patterns:
        pattern = str(pattern)
        if pattern.startswith("!"):
            if _glob_regex(pattern[1:]).match(value):
                matched = False
        elif _glob_regex(pattern).match(value):
            matched = True
    return matched


def _as_list(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, (str, int, float)):
        return [str(value)]
    return [str(item) for item in value]


def _ref_filters_pass(config: Mapping[str, Any], name: str, kind: str) -> bool:
    include, exclude = config.get(kind), config.get(f"{kind}-ignore")
    if include is not None:
        return matches_filters(name, _as_list(include))
    if exclude is not None:
        return not matches_filters(name, _as_list(exclude))
    return True


def _paths_pass(config: Mapping[str, Any], changed: tuple[str, ...] | None) -> bool:
    include, exclude = config.get("paths"), config.get("paths-ignore")
    if changed is None or (include is None and exclude is None):
        return True
    if include is not None:
        return any(matches_filters(path, _as_list(include)) for path in changed)
    return not all(matches_filters(path, _as_list(exclude)) for path in changed)


def triggers(workflow: Mapping[str, Any], event: EventFacts) -> bool:
    """True when GitHub would start this workflow for this event."""
    return why_not(workflow, event) is None


def _event_label(event: EventFacts) -> str:
    return f"{event.name}.{event.action}" if event.action else event.name


def why_not(workflow: Mapping[str, Any], event: EventFacts) -> str | None:
    """None when GitHub would start this workflow for this event, else the reason it would not."""
    on = _triggers(workflow)
    if event.name not in on:
        return f"{event.name!r} is not in `on:` (it lists {sorted(on) or 'nothing'})"
    config = on[event.name] or {}
    if not isinstance(config, Mapping):
        return None
    if event.name in ("workflow_call",):
        return "workflow_call runs only when another workflow calls it"
    types = config.get("types")
    allowed = frozenset(_as_list(types)) if types is not None else DEFAULT_TYPES.get(event.name)
    if allowed is not None and event.action not in allowed:
        source = "`types:`" if types is not None else "the default types"
        return f"activity type {event.action!r} is not in {source} {sorted(allowed)}"
    if event.name in ("push", "create", "delete"):
        has_branch_filter = any(key in config for key in ("branches", "branches-ignore"))
        has_tag_filter = any(key in config for key in ("tags", "tags-ignore"))
        if event.tag:
            # A tag push runs a workflow only if it filters on tags, or on nothing at all.
            if has_branch_filter and not has_tag_filter:
                return f"tag {event.tag!r} pushed, but the workflow filters on branches only"
            if not _ref_filters_pass(config, event.tag, "tags"):
                return f"tag {event.tag!r} does not pass the `tags`/`tags-ignore` filters"
        else:
            if has_tag_filter and not has_branch_filter:
                return f"branch {event.branch!r} pushed, but the workflow filters on tags only"
            if not _ref_filters_pass(config, event.branch, "branches"):
                return f"branch {event.branch!r} does not pass the `branches`/`branches-ignore` filters"
        return None if _paths_pass(config, event.changed_paths) else _paths_reason(event)
    if event.name in ("pull_request", "pull_request_target"):
        if not _ref_filters_pass(config, event.branch, "branches"):
            return f"base branch {event.branch!r} does not pass the `branches`/`branches-ignore` filters"
        return None if _paths_pass(config, event.changed_paths) else _paths_reason(event)
    return None


def _paths_reason(event: EventFacts) -> str:
    changed = list(event.changed_paths or ())
    return f"no changed path passes the `paths`/`paths-ignore` filters (changed: {changed[:10]})"


def invalid_reason(text: str) -> str | None:
    """None for a workflow file GitHub can read, else what is wrong with it (the parser's message)."""
    try:
        loaded = yaml.safe_load(text)
    except yaml.YAMLError as error:
        return f"invalid YAML: {' '.join(str(error).split())}"
    if not isinstance(loaded, dict):
        return f"invalid workflow: the document is a {type(loaded).__name__}, not a mapping"
    if "on" not in loaded and True not in loaded:
        return "invalid workflow: no `on:` key"
    if "jobs" not in loaded:
        return "invalid workflow: no `jobs:` key"
    return None


def select(workflows: Mapping[str, str], event: EventFacts) -> list[str]:
    """Names of the workflow files (name -> YAML text) that this event starts, sorted."""
    chosen = []
    for name, text in sorted(workflows.items()):
        problem = invalid_reason(text)
        if problem is not None:  # GitHub reports an invalid workflow file and runs nothing for it
            logging.getLogger("testbed.triggers").warning("%s: %s", name, problem)
            continue
        parsed = parse_workflow(text)
        if triggers(parsed, event):
            chosen.append(name)
    return chosen
