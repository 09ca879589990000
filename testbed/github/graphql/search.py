"""`search(type: ISSUE, query: ...)` over pull requests, as `gh pr status` and release tools ask it:
GitHub's search qualifiers the local GitHub can answer, and a clear error for any other."""

from __future__ import annotations

import shlex
from collections.abc import Callable
from typing import Any

from testbed.github.graphql.connections import Connection
from testbed.github.graphql.context import Context
from testbed.github.graphql.errors import GitHubError
from testbed.github.records import PullRequest, Repo

Match = Callable[[Repo, PullRequest], bool]
# qualifiers about things the local GitHub has none of: they match nothing, as on a repository without them
NOTHING = {"review-requested", "reviewed-by", "assignee", "label", "milestone", "team-review-requested", "mentions"}
IS = {"pr": lambda r, p: True, "pull-request": lambda r, p: True, "issue": lambda r, p: False,
      "open": lambda r, p: p.state == "open", "closed": lambda r, p: p.state == "closed",
      "merged": lambda r, p: p.merged, "unmerged": lambda r, p: not p.merged, "draft": lambda r, p: False}


def _qualifier(name: str, value: str) -> Match:
    value_lower = value.lower()
    if name == "repo":
        return lambda r, p: r.full_name.lower() == value_lower
    if name in ("user", "org"):
        return lambda r, p: r.owner.lower() == value_lower
    if name in ("is", "type"):
        if value_lower not in IS:
            raise GitHubError("UNPROCESSABLE", f"search qualifier '{name}:{value}' is not served by the local GitHub")
        return IS[value_lower]
    if name == "state":
        if value_lower not in ("open", "closed"):
            raise GitHubError("UNPROCESSABLE", f"'{value}' is not a valid state for search (open or closed)")
        return lambda r, p: p.state == value_lower
    if name == "author":
        return lambda r, p: p.user.lower() == value_lower
    if name == "head":
        return lambda r, p: p.head == value
    if name == "base":
        return lambda r, p: p.base == value
    if name in NOTHING:
        return lambda r, p: False
    raise GitHubError("UNPROCESSABLE", f"search qualifier '{name}:' is not served by the local GitHub "
                      f"(served: repo, user, org, is, type, state, author, head, base)")


def _matches(query: str) -> list[Match]:
    try:
        words = shlex.split(query)
    except ValueError as error:
        raise GitHubError("UNPROCESSABLE", f"cannot read the search query {query!r}: {error}") from error
    matches: list[Match] = []
    text = []
    for word in words:
        name, colon, value = word.partition(":")
        if colon and name and name.lower() != "sort":
            matches.append(_qualifier(name.lower(), value))
        elif not colon:
            text.append(word.lower())
    if text:
        needle = " ".join(text)
        matches.append(lambda r, p: needle in f"{p.title}\n{p.body or ''}".lower())
    return matches


class SearchResults(Connection):
    """A search's connection with GitHub's per-kind counts (only pull requests are ever found here)."""

    def __init__(self, items: list[Any], *, first: int | None, last: int | None, after: str | None,
                 before: str | None) -> None:
        super().__init__(items, first=first, last=last, after=after, before=before, name="search")
        self.issue_count = len(items)
        self.code_count = self.discussion_count = self.repository_count = self.user_count = self.wiki_count = 0


def search(ctx: Context, *, query: str, kind: str, first: int | None, last: int | None, after: str | None,
           before: str | None) -> SearchResults:
    """Pull requests the caller can see that match every qualifier of `query`, newest first."""
    if kind != "ISSUE":
        raise GitHubError("UNPROCESSABLE", f"search of type {kind} is not served by the local GitHub (ISSUE is)")
    matches = _matches(query)
    found = [(repo, pull) for repo in ctx.repos() for pull in repo.pulls
             if all(match(repo, pull) for match in matches)]
    found.sort(key=lambda rp: (rp[1].created_at, rp[1].id), reverse=True)  # newest first
    items = [ctx.make("PullRequest", repo, pull) for repo, pull in found]
    return SearchResults(items, first=first, last=last, after=after, before=before)

