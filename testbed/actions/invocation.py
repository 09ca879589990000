"""How act is invoked: the runner's configuration, act's command line and the environment it runs in.

Secrets and vars go through files in the run's own folder, never the command line, so they do not
show in `ps`.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from testbed.actions.isolation import RUN_LABEL
from testbed.actions.record import RunRequest
from testbed.actions.store import ActionStore
from testbed.actions.uses import ActionSources
from testbed.jobimage import TRUST_ENV_IN_IMAGE
from testbed.node import host_node_dir
from testbed.tls import TLSFiles

# `runs-on` labels served by the job image; act skips a job whose label has no image, and the run passes
RUNNER_LABELS = ("ubuntu-latest", "ubuntu-24.04", "ubuntu-22.04")


@dataclass(frozen=True)
class RunnerConfig:
    """How act is invoked: which job image, container or host mode, where actions come from.

    Actions come from `local_repositories` (`owner/repo@ref` -> folder), then the action store;
    the rest is downloaded from github.com when `action_downloads`, else the run fails at once.
    """

    image: str
    mode: str = "container"  # container | host
    local_repositories: Mapping[str, Path] = field(default_factory=dict)
    action_store: ActionStore | None = None
    action_downloads: bool = True
    act: str = "act"
    timeout: float = 600.0
    # the machine's CA: the job image must trust it already (jobimage.trusting_image); host mode gets env
    tls: TLSFiles | None = None

    def trust_env(self) -> dict[str, str]:
        """Environment that makes the jobs' clients trust the testbed's CA."""
        if self.tls is None:
            return {}
        return self.tls.client_env() if self.mode == "host" else dict(TRUST_ENV_IN_IMAGE)
    docker_socket: str = ""  # unix://PATH given to jobs as their Docker engine socket ("" = act's default)
    engine_socket: str = ""  # unix://PATH act itself talks to in container mode ("" = DOCKER_HOST)


def act_command(config: RunnerConfig, request: RunRequest, files: Path, action_cache: Path,
                sources: ActionSources | None = None, secrets: Mapping[str, str] | None = None) -> list[str]:
    """act's command line for `request`; writes the event, secrets and vars it reads into `files`."""
    event_file = files / "event.json"
    event_file.write_text(json.dumps(request.payload))
    secret_file = files / "secrets"
    given = {**request.secrets, **(secrets or {})}
    secret_file.write_text("".join(f"{key}={value}\n" for key, value in given.items()))
    secret_file.chmod(0o600)
    var_file = files / "vars"
    var_file.write_text("".join(f"{key}={value}\n" for key, value in request.variables.items()))
    platform = "-self-hosted" if config.mode == "host" else config.image
    command = [
        config.act, request.event_name,
        "--eventpath", str(event_file),
        "--workflows", f".github/workflows/{request.workflow}",
        *(option for label in RUNNER_LABELS for option in ("--platform", f"{label}={platform}")),
        "--pull=false", "--json", "--no-cache-server",
        "--secret-file", str(secret_file),
        "--var-file", str(var_file),
        "--env-file", str(files / "env"),
        "--input-file", str(files / "inputs"),
        "--action-cache-path", str(action_cache),
        "--container-options", f"--label {RUN_LABEL}={files.name}",
    ]
    sender = (request.payload.get("sender") or {}).get("login")
    if sender:  # github.actor is the user whose action caused the event (act's default: nektos/act)
        command += ["--actor", str(sender)]
    if config.docker_socket:
        command += ["--container-daemon-socket", config.docker_socket]
    # host mode: a docker config of the run's own, as a fresh runner has (docker login writes there)
    own = {"DOCKER_CONFIG": str(files / "docker-config")} if config.mode == "host" else {}
    for key, value in {**config.trust_env(), **own, **request.env}.items():
        command += ["--env", f"{key}={value}"]
    mapped = {**config.local_repositories, **(sources.local_repositories if sources else {})}
    for spec, path in mapped.items():
        command += ["--local-repository", f"{spec}={path}"]
    for repository in sources.downloads if sources else ():
        # act fetches actions from GITHUB_SERVER_URL (the local GitHub), as a GitHub Enterprise Server would
        command += ["--replace-ghe-action-with-github-com", repository]
    return command


def act_environment(config: RunnerConfig, files: Path) -> dict[str, str]:
    """The environment act itself runs in (host-mode steps inherit it)."""
    host_trust = config.tls.client_env() if config.tls is not None else {}
    env = {**os.environ, "HOME": os.environ.get("HOME", str(files)), **host_trust}
    if config.mode == "host":  # node 24 for node24 actions, as the job image has it
        env["PATH"] = f"{host_node_dir()}{os.pathsep}{env.get('PATH', '')}"
    if config.docker_socket and config.mode == "host":
        env["DOCKER_HOST"] = config.docker_socket  # host-mode steps talk to the engine as act does
    if config.engine_socket and config.mode == "container":
        env["DOCKER_HOST"] = config.engine_socket
    return env
