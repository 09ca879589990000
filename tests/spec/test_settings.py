"""The target is configuration: features/contract/settings.yaml is checked on load, documented once
(the contract table in features/README.md agrees with it), and the reference CLI's action is
given only when the reference itself is judged."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from testbed.settings import SETTINGS, ContractSettings, SettingsError, load_settings
from testbed.world import reference_action

ROOT = Path(__file__).resolve().parents[2]
ROW = re.compile(r"^\| (env|secret|var|action) \| (.+?) \| (.+?) \| (.+?) \|$")


def contract_rows() -> list[tuple[str, list[str], str]]:
    """(kind, names, value) of each row of the table "Inputs the repository provides"."""
    rows = []
    for line in (ROOT / "features" / "README.md").read_text().splitlines():
        match = ROW.match(line)
        if match:
            rows.append((match.group(1), re.findall(r"`([^`]+)`", match.group(2)), match.group(3)))
    return rows


def test_the_contract_table_is_the_settings_file() -> None:
    """Every variable and secret the settings name is a row of the README's table with its value, and no other."""
    settings = load_settings()
    rows = contract_rows()
    variables = {names[0]: value for kind, names, value in rows if kind == "var"}
    expected = settings.variables("<registry>")
    assert set(variables) == set(expected), f"README vars {sorted(variables)}, settings vars {sorted(expected)}"
    for name, value in expected.items():
        if value != "<registry>":
            assert variables[name] == f"`{value}`", f"README says {name} is {variables[name]}, settings say {value!r}"
    secrets = {names[0] for kind, names, _ in rows if kind == "secret"}
    assert secrets == {"GITHUB_TOKEN", settings.release_token_secret}
    env = next(value for kind, _, value in rows if kind == "env")
    assert f"`{settings.app_repository}`" in env


def test_the_settings_give_the_variables_the_workflows_read() -> None:
    """The repository variables come from the file: names, the IMAGES form, the registry filled in."""
    settings = load_settings()
    assert settings.variables("127.0.0.1:5000") == {
        "IMAGE_REGISTRY": "127.0.0.1:5000", "IMAGE_NAMESPACE": "acme",
        "IMAGES": "app=Dockerfile,worker=worker.Dockerfile",
        "HELM_CHART_REPOSITORY": "acme/helm-charts", "HELM_RELEASE_EVENT_TYPE": "helm-release"}
    assert settings.image_repository("worker") == "acme/worker"
    assert "HELM_RELEASE_TOKEN" in settings.summary()


def write(tmp_path: Path, change: dict[str, object], drop: str = "") -> Path:
    data = yaml.safe_load(SETTINGS.read_text())
    data.update(change)
    data.pop(drop, None)
    path = tmp_path / "settings.yaml"
    path.write_text(yaml.safe_dump(data))
    return path


@pytest.mark.parametrize(("change", "drop", "named"), [
    ({"image_namspace": "acme"}, "", r"'image_namspace' was unexpected\) \(known keys: .*image_namespace"),
    ({}, "release_event_type", r"'release_event_type' is a required property"),
    ({"chart_repository": "helm-charts"}, "", r"chart_repository: 'helm-charts' does not match"),
    ({"variables": {"registry": "IMAGE REGISTRY", "image_namespace": "A", "images": "B", "chart_repository": "C",
                    "release_event_type": "D"}}, "", r"variables/registry: 'IMAGE REGISTRY' does not match"),
    ({"images": {}}, "", r"images: \{\} should be non-empty"),
])
def test_a_bad_settings_file_is_an_error_naming_the_key(tmp_path: Path, change: dict[str, object], drop: str,
                                                        named: str) -> None:
    """A misspelt, missing or malformed key stops the suite with a message naming it."""
    with pytest.raises(SettingsError, match=named):
        load_settings(write(tmp_path, change, drop))


def test_the_settings_file_is_read_as_it_is(tmp_path: Path) -> None:
    """Another target (another namespace and images) is a different file, not a code change."""
    path = write(tmp_path, {"image_namespace": "other", "images": {"api": "api.Dockerfile"}})
    settings: ContractSettings = load_settings(path)
    assert settings.variables("r")["IMAGES"] == "api=api.Dockerfile"
    assert settings.image_repository("api") == "other/api"


def test_the_reference_action_is_given_only_when_judging_the_reference(tmp_path: Path) -> None:
    """The reference's workflows/ get the reference CLI's action; a foreign implementation does not, unless asked."""
    assert reference_action(None, (ROOT / "workflows").resolve()) == ROOT
    assert reference_action(None, tmp_path) is None
    assert reference_action(tmp_path, tmp_path) == tmp_path
