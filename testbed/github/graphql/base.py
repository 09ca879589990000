"""The base of every served GraphQL object: a Python object whose snake_case attributes and
methods answer the schema's camelCase fields (`execution` maps the names), and whose `typename`
names its GraphQL type for interfaces and unions (`Node`, `Actor`, `GitObject`...)."""

from __future__ import annotations

from testbed.github.graphql.context import Context
from testbed.github.records import PullRequest


class Served:
    """A value of one GraphQL object type; private attributes (leading `_`) are never fields."""

    typename = ""

    def __init__(self, ctx: Context) -> None:
        self._ctx = ctx


def pull_state(pull: PullRequest) -> str:
    """GraphQL's `PullRequestState` of a pull request record: OPEN, CLOSED or MERGED."""
    return "MERGED" if pull.merged else pull.state.upper()
