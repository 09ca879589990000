"""The client side of a registry's bearer-token challenge, for the testbed's own observers: a
`requests` auth that fetches a token from the challenge's realm with Basic credentials and retries."""

from __future__ import annotations

import threading
import urllib.parse
from typing import Any

import requests

from testbed.errors import TestbedError


class BearerAuth(requests.auth.AuthBase):
    """requests auth that answers a registry's Bearer challenge with a token from its realm (Basic
    credentials), and reuses it for later requests to the same repository until it is refused."""

    def __init__(self, user: str, password: str, *, verify: str | bool = True) -> None:
        self._basic = (user, password)
        self._verify = verify
        self._tokens: dict[str, str] = {}  # repository (or "_catalog") -> token
        self._lock = threading.Lock()

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        with self._lock:
            token = self._tokens.get(_repository_of(request.url or ""))
        if token:
            request.headers["Authorization"] = f"Bearer {token}"
        request.register_hook("response", self._on_response)  # type: ignore[no-untyped-call]
        return request

    def _on_response(self, response: requests.Response, **kwargs: Any) -> requests.Response:
        challenge = response.headers.get("WWW-Authenticate", "")
        if response.status_code != 401 or not challenge.startswith("Bearer ") or response.request.headers.get(
                "X-Relsuite-Retried"):
            return response
        fields = dict(item.split("=", 1) for item in _challenge_fields(challenge.removeprefix("Bearer ")))
        answer = requests.get(fields.get("realm", ""), params={"service": fields.get("service", ""),
                              "scope": fields.get("scope", "")}, auth=self._basic, verify=self._verify, timeout=10)
        if answer.status_code != 200:
            raise TestbedError(f"the registry token service refused the testbed's observer ({answer.status_code}): "
                               f"{answer.text[:200]}")
        token = str(answer.json()["token"])
        with self._lock:
            self._tokens[_repository_of(response.request.url or "")] = token
        retry = response.request.copy()
        retry.headers["Authorization"] = f"Bearer {token}"
        retry.headers["X-Relsuite-Retried"] = "1"
        response.content  # noqa: B018 - read the body so the connection can be reused
        response.close()
        again = response.connection.send(retry, **kwargs)
        again.history.append(response)
        return again


def _repository_of(url: str) -> str:
    path = urllib.parse.urlsplit(url).path.removeprefix("/v2/")
    for marker in ("/manifests/", "/blobs/", "/tags/"):
        if marker in path:
            return path.split(marker)[0]
    return path


def _challenge_fields(text: str) -> list[str]:
    """`realm="a",service="b",scope="c,d"` -> ['realm=a', 'service=b', 'scope=c,d'] (commas inside quotes kept)."""
    fields, current, quoted = [], "", False
    for char in text:
        if char == '"':
            quoted = not quoted
        elif char == "," and not quoted:
            fields.append(current.strip())
            current = ""
        else:
            current += char
    if current.strip():
        fields.append(current.strip())
    return [field for field in fields if "=" in field]
