"""GitHub's GraphQL error shapes, answered with HTTP 200 as github.com does.

Two kinds, as GitHub (graphql-ruby) writes them:
- a document that does not validate against the schema gets no `data`, and per problem
  `{"path": ["query Name", "field", ...], "extensions": {"code": ...}, "locations": [...], "message": ...}`
  with graphql-ruby's wording ("Field 'x' doesn't exist on type 'T'");
- a valid document whose resolution fails gets `data` (null where it failed) and
  `{"type": "NOT_FOUND" | "FORBIDDEN" | "UNPROCESSABLE" | ..., "path": [...], "locations": [...], "message": ...}`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    GraphQLError,
    Node,
    OperationDefinitionNode,
    VariableDefinitionNode,
    print_ast,
)


class GitHubError(Exception):
    """An error a resolver raises; `type` is GitHub's error type (NOT_FOUND, FORBIDDEN, UNPROCESSABLE...)."""

    def __init__(self, type_: str, message: str) -> None:
        super().__init__(message)
        self.type = type_
        self.message = message


def not_found(kind: str, detail: str) -> GitHubError:
    """GitHub's `Could not resolve to a <Kind> with <detail>.`"""
    return GitHubError("NOT_FOUND", f"Could not resolve to a {kind} with {detail}.")


Rewrite = Callable[[re.Match[str]], tuple[str, str, dict[str, str]]]

# graphql-core's validation messages -> graphql-ruby's code, message and extensions (as github.com answers)
REWRITES: list[tuple[re.Pattern[str], Rewrite]] = [
    (re.compile(r"Cannot query field '(?P<f>[^']+)' on type '(?P<t>[^']+)'\."),
     lambda m: ("undefinedField", f"Field '{m['f']}' doesn't exist on type '{m['t']}'",
                {"typeName": m["t"], "fieldName": m["f"]})),
    (re.compile(r"Unknown argument '(?P<a>[^']+)' on field '(?P<t>[^'.]+)\.(?P<f>[^']+)'\."),
     lambda m: ("argumentNotAccepted", f"Field '{m['f']}' doesn't accept argument '{m['a']}'",
                {"name": m["f"], "typeName": "Field", "argumentName": m["a"]})),
    (re.compile(r"Field '(?P<f>[^']+)' argument '(?P<a>[^']+)' of type '[^']+' is required"),
     lambda m: ("missingRequiredArguments", f"Field '{m['f']}' is missing required arguments: {m['a']}",
                {"className": "Field", "name": m["f"], "arguments": m["a"]})),
    (re.compile(r"Variable '\$(?P<v>[^']+)' is never used in operation '(?P<o>[^']+)'\."),
     lambda m: ("variableNotUsed", f"Variable ${m['v']} is declared by {m['o']} but not used",
                {"variableName": m["v"]})),
    (re.compile(r"Variable '\$(?P<v>[^']+)' is not defined"),
     lambda m: ("undefinedVariable", f"Variable ${m['v']} is used but not declared", {"variableName": m["v"]})),
    (re.compile(r"Unknown type '(?P<t>[^']+)'\."),
     lambda m: ("undefinedType", f"No such type {m['t']}, so it can't be a fragment condition or input type",
                {"typeName": m["t"]})),
    (re.compile(r"Field '(?P<f>[^']+)' must not have a selection since type '(?P<t>[^']+)' has no subfields\."),
     lambda m: ("selectionMismatch", (f"Selections can't be made on scalars (field '{m['f']}' returns {m['t']} "
                f"but has selections)"), {"nodeName": f"field '{m['f']}'", "typeName": m["t"]})),
    (re.compile(r"Field '(?P<f>[^']+)' of type '(?P<t>[^']+)' must have a selection of subfields\."),
     lambda m: ("selectionMismatch", (f"Field must have selections (field '{m['f']}' returns {m['t']} but has no "
                f"selections. Did you mean '{m['f']} {{ ... }}'?)"), {"nodeName": f"field '{m['f']}'",
                                                                       "typeName": m["t"]})),
]


def _locations(error: GraphQLError) -> list[dict[str, int]]:
    return [{"line": loc.line, "column": loc.column} for loc in error.locations or []]


def _document_path(document: DocumentNode | None, target: Node | None) -> list[str]:
    """graphql-ruby's static path of a node: its operation or fragment ("query Name"), then field names."""
    if document is None or target is None:
        return []

    def walk(node: Any, trail: list[str]) -> list[str] | None:
        if node is target:
            return trail
        selection_set = getattr(node, "selection_set", None)
        for child in (selection_set.selections if selection_set else ()):
            name = [(child.alias or child.name).value] if isinstance(child, FieldNode) else []
            found = walk(child, trail + name)
            if found is not None:
                return found
        for argument in getattr(node, "arguments", None) or ():
            if argument is target or argument.value is target:
                return trail + [argument.name.value]
        return None

    for definition in document.definitions:
        if isinstance(definition, OperationDefinitionNode):
            head = definition.operation.value + (f" {definition.name.value}" if definition.name else "")
        elif isinstance(definition, FragmentDefinitionNode):
            head = f"fragment {definition.name.value}"
        else:
            continue
        if definition is target:
            return [head]
        for variable in getattr(definition, "variable_definitions", None) or ():
            if variable is target or variable.type is target:
                return [head]
        found = walk(definition, [head])
        if found is not None:
            return found
    return []


def validation_error(error: GraphQLError, document: DocumentNode | None) -> dict[str, Any]:
    """A schema validation problem in graphql-ruby's shape (no `type`; `extensions.code`)."""
    body: dict[str, Any] = {"path": _document_path(document, error.nodes[0] if error.nodes else None)}
    for pattern, rewrite in REWRITES:
        match = pattern.match(error.message)
        if match:
            code, message, extra = rewrite(match)
            body["extensions"] = {"code": code, **extra}
            break
    else:
        message = error.message
    body["locations"] = _locations(error)
    body["message"] = message
    return body


def variable_error(error: GraphQLError, variables: Mapping[str, Any]) -> dict[str, Any]:
    """A variable whose value does not fit its declared type, as graphql-ruby reports it."""
    definition = error.nodes[0] if error.nodes else None
    if not isinstance(definition, VariableDefinitionNode):
        return {"locations": _locations(error), "message": error.message}
    name = definition.variable.name.value
    explanation = error.message.split("; ", 1)[1] if "; " in error.message else error.message
    return {"extensions": {"value": variables.get(name), "problems": [{"path": [], "explanation": explanation}]},
            "locations": _locations(error),
            "message": f"Variable ${name} of type {print_ast(definition.type)} was provided invalid value"}


def syntax_error(error: GraphQLError) -> dict[str, Any]:
    """A document that does not parse (graphql-ruby says "Parse error on ... at [line, column]")."""
    where = error.locations[0] if error.locations else None
    at = f" at [{where.line}, {where.column}]" if where else ""
    detail = error.message.removeprefix("Syntax Error: ")
    return {"message": f"Parse error: {detail}{at}", "locations": _locations(error)}


def execution_error(error: GraphQLError) -> dict[str, Any]:
    """A resolver's failure: GitHub's `type` when it raised a `GitHubError`, else an internal error."""
    original = error.original_error
    if isinstance(original, GitHubError):
        kind, message = original.type, original.message
    elif original is None:  # graphql-core's own: null in a non-null field, bad variable values
        kind, message = "INTERNAL", error.message
    else:
        kind, message = "INTERNAL", f"local GitHub error while resolving: {original!r}"
    body: dict[str, Any] = {"type": kind}
    if error.path:
        body["path"] = list(error.path)
    body["locations"] = _locations(error)
    body["message"] = message
    return body


def request_error(message: str) -> dict[str, Any]:
    """A request the GraphQL layer cannot start on (no query, bad variables JSON)."""
    return {"message": message}
