"""act's command line as the runner builds it."""

from __future__ import annotations

from pathlib import Path

from testbed.actions.invocation import RunnerConfig, act_command
from testbed.actions.record import RunRequest


def _request(payload: dict[str, object]) -> RunRequest:
    return RunRequest(repo="acme/app", workflow="w.yml", event_name="push", payload=payload, sha="HEAD",
                      secrets={}, variables={}, env={})


def test_the_actor_is_the_events_sender(tmp_path: Path) -> None:
    """github.actor is the event's sender, as on GitHub; without a sender act's default stays."""
    config = RunnerConfig(image="img")
    command = act_command(config, _request({"sender": {"login": "octo-dev"}}), tmp_path, tmp_path / "cache")
    assert command[command.index("--actor") + 1] == "octo-dev"
    assert "--actor" not in act_command(config, _request({}), tmp_path, tmp_path / "cache")
