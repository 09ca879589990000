"""Where the local GitHub is reached: the base of every URL its answers and payloads carry."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Site:
    """`url` is the web and git base (`https://127.0.0.1:PORT`); the REST API lives under `/api/v3`."""

    url: str

    @property
    def api(self) -> str:
        return f"{self.url}/api/v3"

    @property
    def uploads(self) -> str:
        return f"{self.url}/api/uploads"

    def repo_api(self, full_name: str) -> str:
        return f"{self.api}/repos/{full_name}"

    def repo_web(self, full_name: str) -> str:
        return f"{self.url}/{full_name}"
