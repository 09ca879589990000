"""GitHub's published GraphQL schema (npm `@octokit/graphql-schema`, pinned in scripts/setup.sh),
loaded with graphql-core so every query is validated against what github.com serves.

The package ships the schema twice: `schema.graphql` (SDL) and `schema.json` (introspection).
The SDL of the pinned version defines two fields of `EnterpriseOwnerInfo` twice, which graphql-core
rightly rejects, so the introspection result is what we build from (0.3 s; see `load`).
"""

from __future__ import annotations

import json
import os
from functools import lru_cache
from pathlib import Path

from graphql import GraphQLSchema, build_client_schema

from testbed.errors import TestbedError

PACKAGE = "@octokit/graphql-schema"
VERSION = "15.26.1"  # keep equal to the pin in scripts/setup.sh
ENV = "RELSUITE_GRAPHQL_SCHEMA"


def schema_path() -> Path:
    """Where the introspection JSON is: `$RELSUITE_GRAPHQL_SCHEMA`, else the project's npm cache."""
    override = os.environ.get(ENV)
    if override:
        return Path(override)
    root = Path(__file__).resolve().parents[3]
    return root / ".cache" / "npm" / "node_modules" / PACKAGE / "schema.json"


def load(path: Path | None = None) -> GraphQLSchema:
    """GitHub's schema, built once per process and path (building it takes about 0.3 s)."""
    return _build(path or schema_path())


@lru_cache(maxsize=2)
def _build(path: Path) -> GraphQLSchema:
    if not path.is_file():
        raise TestbedError(f"GitHub's GraphQL schema is missing at {path}: run scripts/setup.sh "
                           f"(it installs {PACKAGE}@{VERSION} with npm) or set {ENV}")
    try:
        introspection = json.loads(path.read_text())
    except (OSError, json.JSONDecodeError) as error:
        raise TestbedError(f"cannot read GitHub's GraphQL schema at {path}: {error}; "
                           f"reinstall {PACKAGE}@{VERSION} (scripts/setup.sh)") from error
    return build_client_schema(introspection.get("data", introspection))
