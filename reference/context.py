"""What a job knows from the standard Actions environment, and how results leave the CLI."""

from __future__ import annotations

import json
import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import github

from reference import ReleaseError


@dataclass(frozen=True)
class Context:
    api_url: str
    server_url: str
    repository: str
    token: str

    @classmethod
    def from_env(cls, *, token_env: str = "GITHUB_TOKEN") -> Context:
        env = os.environ
        repository = env.get("GITHUB_REPOSITORY", "")
        if "/" not in repository:
            raise ReleaseError("GITHUB_REPOSITORY is not set (owner/name): run inside GitHub Actions or set it")
        token = env.get(token_env, "")
        if not token:
            raise ReleaseError(f"{token_env} is not set: pass the token through the step's env")
        return cls(
            api_url=env.get("GITHUB_API_URL", "https://api.github.com").rstrip("/"),
            server_url=env.get("GITHUB_SERVER_URL", "https://github.com").rstrip("/"),
            repository=repository,
            token=token,
        )

    @property
    def owner(self) -> str:
        return self.repository.split("/")[0]

    def client(self, token: str | None = None) -> github.Github:
        """PyGithub with retries on 5xx and on (secondary) rate limits, as GitHub advises.

        Requests are made one at a time; writes stay at least a second apart (GitHub's advice against
        secondary rate limits, PyGithub's default), reads are not held back: a command makes a handful.
        """
        # creates are safe to retry: releases, comments and pull requests are looked up before they are made
        retry = github.GithubRetry(total=6, backoff_factor=0.2, status_forcelist=[500, 502, 503, 504],
                                   allowed_methods=None)
        return github.Github(base_url=self.api_url, auth=github.Auth.Token(token or self.token), retry=retry,
                             timeout=30, seconds_between_requests=None, seconds_between_writes=1.0)

    def repo(self, name: str | None = None, token: str | None = None) -> Any:
        return self.client(token).get_repo(name or self.repository)


def write_outputs(values: Mapping[str, Any]) -> None:
    """Print the results and append them to $GITHUB_OUTPUT (multi-line safe) when it is set."""
    lines = []
    for key, value in values.items():
        text = value if isinstance(value, str) else json.dumps(value, separators=(",", ":"))
        print(f"{key}={text}")
        if "\n" in text:
            delimiter = f"ghadelimiter_{secrets.token_hex(8)}"
            lines.append(f"{key}<<{delimiter}\n{text}\n{delimiter}\n")
        else:
            lines.append(f"{key}={text}\n")
    target = os.environ.get("GITHUB_OUTPUT")
    if target:
        with open(target, "a", encoding="utf-8") as handle:
            handle.writelines(lines)
