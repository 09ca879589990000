"""act's command line as the runner builds it."""

from __future__ import annotations

from pathlib import Path

from testbed.actions.invocation import RunnerConfig, act_command, act_environment
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


def test_act_talks_to_the_engine_through_its_own_socket_and_jobs_through_theirs(tmp_path: Path) -> None:
    """act's DOCKER_HOST is its own engine socket in container mode, the jobs' socket in host mode."""
    container = RunnerConfig(image="img", docker_socket="unix:///jobs.sock", engine_socket="unix:///act.sock")
    assert act_environment(container, tmp_path)["DOCKER_HOST"] == "unix:///act.sock"
    command = act_command(container, _request({}), tmp_path, tmp_path / "cache")
    assert command[command.index("--container-daemon-socket") + 1] == "unix:///jobs.sock"
    host = RunnerConfig(image="img", mode="host", docker_socket="unix:///jobs.sock", engine_socket="unix:///act.sock")
    assert act_environment(host, tmp_path)["DOCKER_HOST"] == "unix:///jobs.sock"
