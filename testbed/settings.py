"""The target as configuration: what the contract promises an implementation (repositories,
repository variables, secret names, images, the dispatch's event type), read from one file,
`features/contract/settings.yaml`, and checked on load against a JSON Schema."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jsonschema
import yaml

from testbed.errors import TestbedError

SETTINGS = Path(__file__).resolve().parent.parent / "features" / "contract" / "settings.yaml"
_NAME = {"type": "string", "pattern": r"^[A-Za-z_][A-Za-z0-9_]*$"}
_REPOSITORY = {"type": "string", "pattern": r"^[A-Za-z0-9][A-Za-z0-9._-]*/[A-Za-z0-9][A-Za-z0-9._-]*$"}
_VARIABLES = ("registry", "image_namespace", "images", "chart_repository", "release_event_type")
SCHEMA: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "required": ["app_repository", "chart_repository", "image_namespace", "images", "release_event_type",
                 "variables", "secrets"],
    "properties": {
        "app_repository": _REPOSITORY,
        "chart_repository": _REPOSITORY,
        "image_namespace": {"type": "string", "pattern": r"^[a-z0-9][a-z0-9._-]*$"},
        "images": {"type": "object", "minProperties": 1,
                   "propertyNames": {"pattern": r"^[a-z0-9][a-z0-9._-]*$"},
                   "additionalProperties": {"type": "string", "minLength": 1}},
        "release_event_type": {"type": "string", "minLength": 1, "maxLength": 100},
        "variables": {"type": "object", "additionalProperties": False,
                      "required": list(_VARIABLES),
                      "properties": dict.fromkeys(_VARIABLES, _NAME)},
        "secrets": {"type": "object", "additionalProperties": False, "required": ["release_token"],
                    "properties": {"release_token": _NAME}},
    },
}


class SettingsError(TestbedError):
    """The settings file does not say what the contract needs."""


@dataclass(frozen=True)
class ContractSettings:
    """What the app repository gives its workflows, and where their effects must land."""

    app_repository: str
    chart_repository: str
    image_namespace: str
    images: tuple[tuple[str, str], ...]  # (image name, Dockerfile), in the file's order
    release_event_type: str
    variable_names: tuple[tuple[str, str], ...]  # (meaning, repository variable name)
    release_token_secret: str
    source: str = ""  # the file they came from

    @property
    def image_names(self) -> list[str]:
        return [name for name, _ in self.images]

    def image_repository(self, name: str) -> str:
        """`<namespace>/<name>`: the image's repository in the registry."""
        return f"{self.image_namespace}/{name}"

    @property
    def images_variable(self) -> str:
        """The value of the IMAGES variable: `name=Dockerfile,...`."""
        return ",".join(f"{name}={dockerfile}" for name, dockerfile in self.images)

    def variables(self, registry: str) -> dict[str, str]:
        """The repository variables (name -> value) for a world whose registry is at `registry`."""
        names = dict(self.variable_names)
        return {names["registry"]: registry, names["image_namespace"]: self.image_namespace,
                names["images"]: self.images_variable, names["chart_repository"]: self.chart_repository,
                names["release_event_type"]: self.release_event_type}

    def summary(self) -> str:
        """One line for the report's "What was judged"."""
        variables = ", ".join(f"{name}={value}" for name, value in self.variables("<registry>").items())
        return (f"{self.app_repository} -> {self.chart_repository}; vars {variables}; "
                f"secret {self.release_token_secret}")


def _message(error: jsonschema.ValidationError) -> str:
    where = "/".join(str(part) for part in error.absolute_path) or "the top level"
    if error.validator == "additionalProperties":
        return f"{where}: {error.message} (known keys: {', '.join(sorted(error.schema.get('properties', {})))})"
    return f"{where}: {error.message}"


def load_settings(path: Path = SETTINGS) -> ContractSettings:
    """Read and check the settings file; a bad or missing key is an error naming it."""
    try:
        data = yaml.safe_load(path.read_text())
    except (OSError, yaml.YAMLError) as error:
        raise SettingsError(f"cannot read the contract settings {path}: {error}") from error
    errors = sorted(jsonschema.Draft7Validator(SCHEMA).iter_errors(data), key=lambda e: list(e.absolute_path))
    if errors:
        raise SettingsError(f"{path}: " + "; ".join(_message(error) for error in errors)
                            + ": fix the file (features/contract/settings.yaml documents every key)")
    return ContractSettings(
        app_repository=data["app_repository"], chart_repository=data["chart_repository"],
        image_namespace=data["image_namespace"], images=tuple((str(k), str(v)) for k, v in data["images"].items()),
        release_event_type=data["release_event_type"],
        variable_names=tuple((str(k), str(v)) for k, v in data["variables"].items()),
        release_token_secret=data["secrets"]["release_token"], source=str(path))
