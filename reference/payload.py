"""The dispatch payload sent to the Helm chart repository, checked against its JSON Schema."""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

import jsonschema

from reference import ReleaseError

MAX_PROPERTIES = 10
MAX_BYTES = 65536
IMAGE_KEYS = ("repository", "tag", "tags", "digest", "reference")  # what the payload keeps of each image


def schema() -> dict[str, Any]:
    return dict(json.loads(resources.files("reference").joinpath("payload.schema.json").read_text()))


def build(*, environment: str, version: str, repository: str, sha: str, ref: str,
          images: dict[str, dict[str, Any]]) -> dict[str, Any]:
    payload = {
        "environment": environment,
        "version": version,
        "source": {"repository": repository, "sha": sha, "ref": ref},
        "images": {name: {key: image[key] for key in IMAGE_KEYS if key in image} for name, image in images.items()},
    }
    check(payload)
    return payload


def check(payload: dict[str, Any]) -> None:
    errors = sorted(jsonschema.Draft7Validator(schema()).iter_errors(payload), key=lambda e: list(e.path))
    if errors:
        where = "/".join(map(str, errors[0].path)) or "payload"
        raise ReleaseError(f"dispatch payload does not match payload.schema.json at {where}: {errors[0].message[:200]}")
    if len(payload) > MAX_PROPERTIES:
        raise ReleaseError(f"dispatch payload has {len(payload)} top-level properties; GitHub allows {MAX_PROPERTIES}")
    size = len(json.dumps(payload, separators=(",", ":")).encode())
    if size > MAX_BYTES:
        raise ReleaseError(f"dispatch payload is {size} bytes; GitHub allows {MAX_BYTES}")
