"""Trigger matching: the workflow files GitHub would start for an event, filters included."""

from __future__ import annotations

import textwrap

from testbed.triggers import EventFacts, matches_filters, parse_workflow, select, triggers

OPENED_ONLY = textwrap.dedent(
    """
    on:
      pull_request:
        types: [opened]
        branches: [main]
    jobs: {}
    """
)
CLOSED_INTO_STG = textwrap.dedent(
    """
    on:
      pull_request:
        types: [closed]
        branches: [stg]
    jobs: {}
    """
)


def test_types_filter_rejects_other_activity() -> None:
    """A `types: [opened]` workflow does not run when a pull request is closed."""
    workflow = parse_workflow(OPENED_ONLY)
    assert triggers(workflow, EventFacts("pull_request", action="opened", branch="main"))
    assert not triggers(workflow, EventFacts("pull_request", action="closed", branch="main"))


def test_branches_filter_is_on_the_base_branch() -> None:
    """A pull_request `branches` filter matches the base branch, not the head."""
    workflow = parse_workflow(CLOSED_INTO_STG)
    assert triggers(workflow, EventFacts("pull_request", action="closed", branch="stg"))
    assert not triggers(workflow, EventFacts("pull_request", action="closed", branch="main"))


def test_default_pull_request_types_exclude_closed() -> None:
    """Without `types`, pull_request runs on opened/synchronize/reopened only, as on GitHub."""
    workflow = parse_workflow("on: pull_request\njobs: {}\n")
    assert triggers(workflow, EventFacts("pull_request", action="synchronize", branch="x"))
    assert not triggers(workflow, EventFacts("pull_request", action="closed", branch="x"))


def test_push_branch_and_tag_filters() -> None:
    """Branch filters ignore tag pushes and tag filters ignore branch pushes."""
    branches = parse_workflow("on:\n  push:\n    branches: ['feat/**', '!feat/skip']\njobs: {}\n")
    assert triggers(branches, EventFacts("push", branch="feat/a/b"))
    assert not triggers(branches, EventFacts("push", branch="feat/skip"))
    assert not triggers(branches, EventFacts("push", tag="v1.0.0"))
    tags = parse_workflow("on:\n  push:\n    tags: ['v*']\njobs: {}\n")
    assert triggers(tags, EventFacts("push", tag="v1.0.0"))
    assert not triggers(tags, EventFacts("push", branch="main"))


def test_paths_filters() -> None:
    """`paths` needs one matching changed file; `paths-ignore` skips when all changes are ignored."""
    paths = parse_workflow("on:\n  push:\n    paths: ['src/**']\njobs: {}\n")
    assert triggers(paths, EventFacts("push", branch="main", changed_paths=("src/a.py", "README.md")))
    assert not triggers(paths, EventFacts("push", branch="main", changed_paths=("README.md",)))
    ignore = parse_workflow("on:\n  push:\n    paths-ignore: ['docs/**']\njobs: {}\n")
    assert not triggers(ignore, EventFacts("push", branch="main", changed_paths=("docs/a.md",)))
    assert triggers(ignore, EventFacts("push", branch="main", changed_paths=("docs/a.md", "x.py")))


def test_single_star_stays_within_a_path_segment() -> None:
    """`feat/*` matches feat/login but not feat/a/b; `**` crosses segments."""
    assert matches_filters("feat/login", ["feat/*"])
    assert not matches_filters("feat/a/b", ["feat/*"])
    assert matches_filters("feat/a/b", ["feat/**"])


def test_select_picks_only_matching_files() -> None:
    """Of several files only those whose `on` matches the event are chosen; workflow_call never is."""
    files = {
        "a.yml": CLOSED_INTO_STG,
        "b.yml": OPENED_ONLY,
        "c.yml": "on:\n  workflow_call: {}\njobs: {}\n",
        "broken.yml": "on: [",
    }
    assert select(files, EventFacts("pull_request", action="closed", branch="stg")) == ["a.yml"]
    assert select(files, EventFacts("workflow_call")) == []


def test_repository_dispatch_types() -> None:
    """repository_dispatch `types` filter on the event type."""
    workflow = parse_workflow("on:\n  repository_dispatch:\n    types: [helm-release]\njobs: {}\n")
    assert triggers(workflow, EventFacts("repository_dispatch", action="helm-release"))
    assert not triggers(workflow, EventFacts("repository_dispatch", action="other"))


def test_why_not_names_the_filter_that_stopped_the_workflow() -> None:
    """Each refusal names its reason: event not in `on:`, activity type, base branch."""
    from testbed.triggers import why_not

    workflow = parse_workflow("on:\n  pull_request:\n    types: [closed]\n    branches: [stg]\njobs: {}\n")
    assert "not in `on:`" in (why_not(workflow, EventFacts(name="push", branch="stg")) or "")
    assert "'opened' is not in `types:`" in (why_not(workflow, EventFacts("pull_request", "opened", "stg")) or "")
    assert "base branch 'main'" in (why_not(workflow, EventFacts("pull_request", "closed", "main")) or "")
    assert why_not(workflow, EventFacts("pull_request", "closed", "stg")) is None


def test_invalid_workflow_files_are_named_with_the_parsers_message() -> None:
    """Broken YAML, a non-mapping and a file without `on:` each get a reason, never silence."""
    from testbed.triggers import invalid_reason

    assert (invalid_reason("on: [push\njobs: {}\n") or "").startswith("invalid YAML: while parsing")
    assert "not a mapping" in (invalid_reason("- a\n- b\n") or "")
    assert "no `on:` key" in (invalid_reason("jobs: {}\n") or "")
    assert invalid_reason("on: push\njobs: {}\n") is None
