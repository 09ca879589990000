"""A small client of the OCI distribution API: read a tag's digest, copy a manifest by digest.

Every registry is spoken to over HTTPS with the bearer-token challenge (GHCR's), using
REGISTRY_USERNAME/REGISTRY_PASSWORD. A local one (127.0.0.1, localhost) that answers plain HTTP is
used over HTTP, as Docker does for its default insecure registries; a certificate it presents that
is not trusted is an error, never a reason to fall back.
"""

from __future__ import annotations

import hashlib
import os
import re
import time
from dataclasses import dataclass

import requests

from reference import ReleaseError

MANIFEST_TYPES = ", ".join((
    "application/vnd.oci.image.index.v1+json",
    "application/vnd.oci.image.manifest.v1+json",
    "application/vnd.docker.distribution.manifest.list.v2+json",
    "application/vnd.docker.distribution.manifest.v2+json",
))


@dataclass(frozen=True)
class Manifest:
    digest: str
    media_type: str
    body: bytes


def is_local(registry: str) -> bool:
    host = registry.split("/")[0].rsplit(":", 1)[0]
    return host in ("127.0.0.1", "localhost", "[::1]")


class RegistryClient:
    def __init__(self, registry: str, *, username: str | None = None, password: str | None = None,
                 attempts: int = 4) -> None:
        self.registry = registry
        self.base = f"https://{registry}/v2"
        self.username = username if username is not None else os.environ.get("REGISTRY_USERNAME", "")
        self.password = password if password is not None else os.environ.get("REGISTRY_PASSWORD", "")
        self.attempts = attempts
        self._tokens: dict[str, str] = {}

    def _request(self, method: str, repository: str, path: str, *, push: bool = False, **kwargs: object) -> requests.Response:
        url = f"{self.base}/{repository}/{path}"
        scope = f"repository:{repository}:{'pull,push' if push else 'pull'}"
        last: Exception | None = None
        for attempt in range(self.attempts):
            headers = dict(kwargs.pop("headers", {}) or {})  # type: ignore[arg-type]
            if scope in self._tokens:
                headers["Authorization"] = f"Bearer {self._tokens[scope]}"
            try:
                response = requests.request(method, url, headers=headers, timeout=30, **kwargs)  # type: ignore[arg-type]
            except requests.exceptions.SSLError as error:
                if not is_local(self.registry) or "CERTIFICATE_VERIFY_FAILED" in str(error) or not url.startswith("https:"):
                    raise ReleaseError(f"registry {self.registry}: TLS failed ({error}); is its CA trusted?") from error
                self.base = f"http://{self.registry}/v2"  # a local registry without TLS
                url = f"{self.base}/{repository}/{path}"
                kwargs["headers"] = headers
                continue
            except requests.ConnectionError as error:
                last = error
                time.sleep(0.2 * 2 ** attempt)
                kwargs["headers"] = headers
                continue
            kwargs["headers"] = headers
            if response.status_code == 401 and scope not in self._tokens and "Bearer" in response.headers.get(
                    "WWW-Authenticate", ""):
                self._tokens[scope] = self._token(response.headers["WWW-Authenticate"], scope)
                continue
            if response.status_code in (502, 503, 504) and attempt + 1 < self.attempts:
                time.sleep(0.2 * 2 ** attempt)
                continue
            return response
        raise ReleaseError(f"registry {self.registry} is unreachable: {last}")

    def _token(self, challenge: str, scope: str) -> str:
        fields = dict(re.findall(r'(\w+)="([^"]*)"', challenge))
        auth = (self.username, self.password) if self.password else None
        answer = requests.get(fields.get("realm", ""), params={"service": fields.get("service", ""), "scope": scope},
                              auth=auth, timeout=30)
        if answer.status_code != 200:
            raise ReleaseError(f"registry {self.registry} refused credentials for {scope} ({answer.status_code})")
        body = answer.json()
        return str(body.get("token") or body.get("access_token") or "")

    def manifest(self, repository: str, reference: str) -> Manifest | None:
        """The manifest (or index) a tag or digest names, as stored, or None when it does not exist."""
        response = self._request("GET", repository, f"manifests/{reference}", headers={"Accept": MANIFEST_TYPES})
        if response.status_code == 404:
            return None
        if response.status_code != 200:
            raise ReleaseError(f"reading {self.registry}/{repository}:{reference} failed: HTTP {response.status_code}")
        digest = "sha256:" + hashlib.sha256(response.content).hexdigest()
        claimed = response.headers.get("Docker-Content-Digest", digest)
        if claimed != digest:
            raise ReleaseError(f"{self.registry}/{repository}:{reference}: digest header {claimed} does not match content")
        return Manifest(digest, response.headers.get("Content-Type", ""), response.content)

    def digest(self, repository: str, tag: str) -> str | None:
        found = self.manifest(repository, tag)
        return found.digest if found else None

    def put_manifest(self, repository: str, tag: str, manifest: Manifest) -> str:
        response = self._request("PUT", repository, f"manifests/{tag}", push=True, data=manifest.body,
                                 headers={"Content-Type": manifest.media_type})
        if response.status_code not in (200, 201):
            raise ReleaseError(f"pushing the manifest {manifest.digest} as {self.registry}/{repository}:{tag} failed: "
                               f"HTTP {response.status_code} {response.text[:200]}")
        stored = response.headers.get("Docker-Content-Digest", manifest.digest)
        if stored != manifest.digest:
            raise ReleaseError(f"{self.registry}/{repository}:{tag} stored {stored}, expected {manifest.digest}")
        return stored
