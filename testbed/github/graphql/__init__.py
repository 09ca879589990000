"""The local GitHub's GraphQL API (`POST /api/graphql`), answering against GitHub's published schema.

`schema` loads the schema, `execution` validates and runs a request, `errors` shapes failures as
GitHub does; `query`, `mutations` and the type modules (`repository`, `pulls`, `releases`,
`gitobjects`, `users`, `nodes`) resolve fields from the state model through a `context.Context`.
"""

from testbed.github.graphql.context import Context
from testbed.github.graphql.execution import Documents, Outcome, Request, run
from testbed.github.graphql.schema import load

__all__ = ["Context", "Documents", "Outcome", "Request", "load", "run"]
