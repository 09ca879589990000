"""Response schemas from GitHub's official OpenAPI description (npm @octokit/openapi), as JSON Schema."""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any

import jsonschema

SPEC = Path(__file__).resolve().parents[2] / ".cache/npm/node_modules/@octokit/openapi/generated/api.github.com.json"


@functools.cache
def spec() -> dict[str, Any]:
    if not SPEC.exists():
        raise FileNotFoundError(f"{SPEC} missing: run scripts/setup.sh (it installs @octokit/openapi)")
    return dict(json.loads(SPEC.read_text()))


def _json_schema(node: Any) -> Any:
    """OpenAPI 3.0 schema -> JSON Schema: `nullable: true` becomes "or null"."""
    if isinstance(node, list):
        return [_json_schema(item) for item in node]
    if not isinstance(node, dict):
        return node
    dropped = ("nullable", "example", "examples")
    converted = {key: _json_schema(value) for key, value in node.items() if key not in dropped}
    if node.get("nullable"):
        return {"anyOf": [converted, {"type": "null"}]}
    return converted


@functools.cache
def _components() -> dict[str, Any]:
    return dict(_json_schema(spec()["components"]))


def response_schema(method: str, template: str, status: int) -> dict[str, Any]:
    operation = spec()["paths"][template][method.lower()]
    response = operation["responses"][str(status)]
    if "$ref" in response:
        response = spec()["components"]["responses"][response["$ref"].rsplit("/", 1)[-1]]
    schema = response["content"]["application/json"]["schema"]
    return {**_json_schema(schema), "components": _components()}


def errors(method: str, template: str, status: int, body: Any) -> list[str]:
    """Where `body` breaks GitHub's documented response for this operation."""
    validator = jsonschema.Draft4Validator(response_schema(method, template, status))
    found = sorted(validator.iter_errors(body), key=lambda error: list(error.absolute_path))
    return [f"{'/'.join(map(str, e.absolute_path)) or '<root>'}: {e.message[:160]}" for e in found[:8]]


def empty_errors(method: str, template: str, status: int, content: bytes) -> list[str]:
    """Where an answer without a JSON body (204, a bare 404) breaks GitHub's description of the operation:
    a status it does not document, a body where it documents none."""
    operation = spec()["paths"].get(template, {}).get(method.lower())
    if operation is None:
        return [f"{method} {template} is not in GitHub's description"]
    response = operation["responses"].get(str(status))
    if response is None:
        return [f"{method} {template} does not answer {status} (documented: {', '.join(operation['responses'])})"]
    if "content" in response:
        return [f"{method} {template} {status} has a documented body: {list(response['content'])}"]
    return [f"{status} answered with a body: {content[:80]!r}"] if content.strip() else []
