"""Runs one GraphQL request against GitHub's schema: parse, validate (graphql-core, every rule of
the spec), execute with the served objects as resolvers, and shape errors as GitHub does.

Resolution is by name: a field `fooBar(someArg:)` is answered by the source's attribute or
method `foo_bar(some_arg=...)` (a dict answers by its camelCase key). A field the local GitHub
does not model answers what GitHub answers for an unused feature (an empty list or connection,
null) when the schema allows it, and otherwise a clear error naming the field.
"""

from __future__ import annotations

import inspect
import re
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import Any

from graphql import (
    DocumentNode,
    GraphQLError,
    GraphQLResolveInfo,
    GraphQLSchema,
    OperationType,
    execute_sync,
    get_named_type,
    get_nullable_type,
    get_operation_ast,
    is_abstract_type,
    is_list_type,
    is_non_null_type,
    is_object_type,
    parse,
    validate,
)

from testbed.github.graphql import errors
from testbed.github.graphql.comments import CommitComment
from testbed.github.graphql.connections import empty
from testbed.github.graphql.context import Context
from testbed.github.graphql.errors import GitHubError
from testbed.github.graphql.mutations import Mutation
from testbed.github.graphql.pulls import PullRequest
from testbed.github.graphql.query import Query
from testbed.github.graphql.repository import Repository
from testbed.github.permissions import Permissions
from testbed.github.protocol import HTTPError
from testbed.github.required import check_graphql_read, check_mutation, graphql_read_scopes

MISSING = object()
# connections where the local GitHub has data it does not show through GraphQL: an empty answer would mislead
NOT_MODELLED = frozenset({"PullRequest.timelineItems", "PullRequest.timeline", "Commit.checkSuites"})


@dataclass(frozen=True)
class Request:
    """A GraphQL request body: `query`, optional `variables` and `operationName`."""

    query: str
    variables: Mapping[str, Any] | None = None
    operation_name: str | None = None


@dataclass
class Outcome:
    """The JSON body to answer (always with HTTP 200) and what happened, for logs and tests."""

    body: dict[str, Any]
    operation: str = ""
    error_codes: list[str] = field(default_factory=list)


@lru_cache(maxsize=1024)
def snake(name: str) -> str:
    """`headRefName` -> `head_ref_name`, `descriptionHTML` -> `description_html`."""
    return re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1_\2", name)).lower()


@lru_cache(maxsize=1024)
def _parameters(function: Callable[..., Any]) -> tuple[frozenset[str], bool]:
    signature = inspect.signature(function)
    keywords = any(p.kind is inspect.Parameter.VAR_KEYWORD for p in signature.parameters.values())
    return frozenset(signature.parameters), keywords


def _call(function: Callable[..., Any], args: Mapping[str, Any], info: GraphQLResolveInfo) -> Any:
    """Call a field's method with the arguments it takes; an argument it does not take is an error when
    the query gives it a value other than the schema's default (ignoring it would answer wrongly)."""
    names, keywords = _parameters(getattr(function, "__func__", function))
    given = {snake(k): v for k, v in args.items()}
    ignored = [k for k, v in args.items() if not keywords and snake(k) not in names and v is not None
               and v != _default(info, k)]
    if ignored:
        raise errors.GitHubError("UNPROCESSABLE", f"The local GitHub does not serve the argument(s) "
                                 f"{', '.join(ignored)} of {info.parent_type.name}.{info.field_name}")
    return function(**{k: v for k, v in given.items() if keywords or k in names})


def _default(info: GraphQLResolveInfo, argument: str) -> Any:
    definition = info.parent_type.fields[info.field_name].args.get(argument)
    return getattr(definition, "default_value", None)


def _unserved(info: GraphQLResolveInfo) -> Any:
    """What a field the local GitHub does not model answers (a mutation it does not serve always fails:
    answering null would claim a change that never happened)."""
    if info.parent_type.name == "Mutation":
        raise errors.GitHubError("UNPROCESSABLE", f"The mutation {info.field_name} is not served by the local "
                                 f"GitHub (a limit of the testbed)")
    where = f"{info.parent_type.name}.{info.field_name}"
    if where in NOT_MODELLED:
        raise errors.GitHubError("UNPROCESSABLE", f"{where} is not served by the local GitHub (a limit of the "
                                 f"testbed; the REST API shows this data)")
    nullable = get_nullable_type(info.return_type)  # type: ignore[arg-type]
    named = get_named_type(info.return_type)
    if is_list_type(nullable):
        return []
    if is_object_type(named) and named.name.endswith("Connection"):
        return empty()
    if not is_non_null_type(info.return_type):
        return None
    raise errors.GitHubError("INTERNAL", f"The local GitHub does not serve {info.parent_type.name}.{info.field_name} "
                             f"(a limit of the testbed; leave the field out of the query)")


def resolve_field(source: Any, info: GraphQLResolveInfo, **args: Any) -> Any:
    name = info.field_name
    if isinstance(source, Mutation):
        _guard(source, name)
    permissions: Permissions | None = info.context.token.permissions if isinstance(info.context, Context) else None
    named = get_named_type(info.return_type)
    scopes = None
    if permissions is not None:  # a workflow token: the field needs read of what it returns
        item = named.name.removesuffix("Connection").removesuffix("Edge")
        scopes = graphql_read_scopes(info.parent_type.name, name, item)
        _forbid(permissions, scopes)
    value = source.get(name, MISSING) if isinstance(source, Mapping) else getattr(source, snake(name), MISSING)
    if value is MISSING:
        return _unserved(info)
    result = _call(value, args, info) if callable(value) else value
    if permissions is not None and scopes is None and is_abstract_type(named):  # `node`, `nodes`, `search`...
        return _readable(permissions, result)
    return result


def _forbid(permissions: Permissions, scopes: tuple[str, ...] | None) -> None:
    try:
        check_graphql_read(permissions, scopes)
    except HTTPError as refused:
        raise GitHubError("FORBIDDEN", str(refused.message)) from refused


def _readable(permissions: Permissions, value: Any) -> Any:
    """A value of an interface or union type as the token may read it: an object of a type it may not read is
    GitHub's FORBIDDEN (in a list, that item alone: null with its error)."""
    if isinstance(value, list):
        return [_readable_item(permissions, item) for item in value]
    failed = _readable_item(permissions, value)
    if isinstance(failed, GitHubError):
        raise failed
    return value


def _readable_item(permissions: Permissions, item: Any) -> Any:
    typename = item.get("__typename") if isinstance(item, Mapping) else getattr(item, "typename", None)
    try:
        _forbid(permissions, graphql_read_scopes("", "", typename or ""))
    except GitHubError as refused:
        return refused
    return item


def _guard(root: Mutation, field: str) -> None:
    """A mutation needs the same token permission as its REST twin (GitHub: FORBIDDEN, same message)."""
    try:
        check_mutation(root.token_permissions(), field)
    except HTTPError as refused:
        raise GitHubError("FORBIDDEN", str(refused.message)) from refused


def resolve_type(value: Any, info: GraphQLResolveInfo, abstract_type: Any) -> str | None:
    return value.get("__typename") if isinstance(value, Mapping) else getattr(value, "typename", None)


class Documents:
    """GitHub's schema and the documents already checked against it: clients such as gh send the same
    few documents again and again, and validating one of them costs tens of milliseconds."""

    MAX_KEPT = 256

    def __init__(self, schema: GraphQLSchema) -> None:
        self.schema = schema
        self._checked: dict[str, DocumentNode | Outcome] = {}
        self._lock = threading.Lock()

    def check(self, query: str) -> DocumentNode | Outcome:
        """The parsed document if it is valid, else the answer that reports why."""
        with self._lock:
            found = self._checked.get(query)
        if found is None:
            found = _check(self.schema, query)
            with self._lock:
                if len(self._checked) >= self.MAX_KEPT:
                    self._checked.pop(next(iter(self._checked)))
                self._checked[query] = found
        return found


def _check(schema: GraphQLSchema, query: str) -> DocumentNode | Outcome:
    try:
        document = parse(query)
    except GraphQLError as error:
        return Outcome({"errors": [errors.syntax_error(error)]}, error_codes=["parse"])
    problems = validate(schema, document)
    if problems:
        shaped = [errors.validation_error(e, document) for e in problems]
        return Outcome({"errors": shaped}, error_codes=[e.get("extensions", {}).get("code", "invalid") for e in shaped])
    return document


def run(documents: Documents, request: Request, ctx: Context) -> Outcome:
    """Answer one request; never raises for anything a client can send."""
    document = documents.check(request.query)
    if isinstance(document, Outcome):
        return document
    operation = get_operation_ast(document, request.operation_name)
    if operation is None:
        message = (f"No operation named \"{request.operation_name}\"" if request.operation_name
                   else "An operation name is required")
        return Outcome({"errors": [errors.request_error(message)]}, error_codes=["operation"])
    ctx = replace(ctx, types={"Repository": Repository, "PullRequest": PullRequest, "CommitComment": CommitComment})
    root = Mutation(ctx) if operation.operation is OperationType.MUTATION else Query(ctx)
    result = execute_sync(documents.schema, document, root_value=root, variable_values=dict(request.variables or {}),
                          operation_name=request.operation_name, field_resolver=resolve_field, context_value=ctx,
                          type_resolver=resolve_type)
    name = operation.name.value if operation.name else ""
    if result.data is None and result.errors and all(e.path is None for e in result.errors):
        # the variables did not fit their declared types: nothing ran
        shaped = [errors.variable_error(e, request.variables or {}) for e in result.errors]
        return Outcome({"errors": shaped}, name, ["variables"])
    body: dict[str, Any] = {"data": result.data}
    if result.errors:
        body["errors"] = [errors.execution_error(e) for e in result.errors]
    return Outcome(body, name, [e["type"] for e in body.get("errors", [])])
