"""Relay connections as GitHub pages them: `first`/`last`/`after`/`before`, opaque cursors,
`nodes`, `edges`, `totalCount`, `pageInfo`; `first`/`last` capped at 100 as on GitHub."""

from __future__ import annotations

import base64
from collections.abc import Sequence
from typing import Any

from testbed.github.graphql.errors import GitHubError

MAX_PAGE = 100


def cursor(index: int) -> str:
    return base64.b64encode(f"cursor:v2:{index}".encode()).decode()


def _position(value: str | None) -> int | None:
    if value is None:
        return None
    try:
        kind, _, number = base64.b64decode(value, validate=True).decode().rpartition(":")
        if kind != "cursor:v2":
            raise ValueError(kind)
        return int(number)
    except (ValueError, UnicodeDecodeError) as error:
        raise GitHubError("INVALID_CURSOR_ARGUMENTS", f"`{value}` does not appear to be a valid cursor.") from error


class Connection:
    """One page of items as a connection; asking for `nodes`/`edges` without `first`/`last` is
    GitHub's MISSING_PAGINATION_BOUNDARIES (a bare `totalCount` needs no bounds, as on GitHub)."""

    def __init__(self, items: Sequence[Any], *, first: int | None, last: int | None, after: str | None,
                 before: str | None, name: str) -> None:
        for argument, value in (("first", first), ("last", last)):
            if value is not None and value > MAX_PAGE:
                raise GitHubError("EXCESSIVE_PAGINATION", f"Requesting {value} records on the `{name}` connection "
                                  f"exceeds the `{argument}` limit of {MAX_PAGE} records.")
            if value is not None and value < 0:
                raise GitHubError("INVALID_PAGINATION", f"`{argument}` on the `{name}` connection cannot be less "
                                  f"than zero.")
        self._bounded = first is not None or last is not None
        self._name = name
        self._items = items
        start, end = 0, len(items)
        begin = _position(after)
        if begin is not None:
            start = min(begin + 1, end)
        stop = _position(before)
        if stop is not None:
            end = max(min(stop, end), start)
        window = list(range(start, end))
        if first is not None:
            window = window[:first]
        if last is not None:
            window = window[max(len(window) - last, 0):]
        self._window = window
        self.total_count = len(items)
        self.page_info = {
            "hasNextPage": bool(window) and window[-1] < len(items) - 1,
            "hasPreviousPage": bool(window) and window[0] > 0,
            "startCursor": cursor(window[0]) if window else None,
            "endCursor": cursor(window[-1]) if window else None,
        }

    def _check(self) -> None:
        if not self._bounded and self._items:
            raise GitHubError("MISSING_PAGINATION_BOUNDARIES", f"You must provide a `first` or `last` value to "
                              f"properly paginate the `{self._name}` connection.")

    def nodes(self) -> list[Any]:
        self._check()
        return [self._items[i] for i in self._window]

    def edges(self) -> list[dict[str, Any]]:
        self._check()
        return [{"node": self._items[i], "cursor": cursor(i)} for i in self._window]


def connection(items: Sequence[Any], *, first: int | None = None, last: int | None = None,
               after: str | None = None, before: str | None = None, connection_name: str = "connection") -> Connection:
    """One page of `items` (already in the order the field defines)."""
    return Connection(items, first=first, last=last, after=after, before=before, name=connection_name)


def empty() -> Connection:
    """A connection with nothing in it: what GitHub answers for a feature no one used here."""
    return Connection([], first=None, last=None, after=None, before=None, name="")
