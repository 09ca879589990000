"""A real CNCF distribution registry on 127.0.0.1, with its notifications wired back.

As GHCR: https with the machine's certificate (the Docker engine is told to trust it through
`/etc/docker/certs.d/<host:port>/ca.crt` while the registry runs) and token auth, the bearer
challenge answered by the `TokenService` the `Registry` object runs next to it. Both are optional
(plain http and no auth, for debugging).

The registry posts an event for every blob and manifest push and pull; the `Registry` object runs
the endpoint that receives them, so a test can ask which tags point at which digest and what was
pushed during a run. Its own queries authenticate as the token service's observer account.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import threading
import time
import uuid
from pathlib import Path
from types import TracebackType
from typing import Any

import requests

from testbed.bearer import BearerAuth
from testbed.errors import TestbedError
from testbed.ports import free_port, wait_for_http
from testbed.registry_auth import AccessCheck, TokenService
from testbed.registry_config import registry_config
from testbed.registry_events import EventListener, RegistryEvent, from_notification
from testbed.tls import DOCKER_CERTS, TLSFiles, trust_in_docker

MANIFEST_TYPES = ", ".join(
    (
        "application/vnd.oci.image.index.v1+json",
        "application/vnd.oci.image.manifest.v1+json",
        "application/vnd.docker.distribution.manifest.list.v2+json",
        "application/vnd.docker.distribution.manifest.v2+json",
    )
)


class Registry:
    """`docker-registry serve` on a free port with temporary storage.

    `tls`: serve https with the machine's certificate. `access`: require tokens from a token service
    that asks `access` what a GitHub token may do (GHCR's model); None: no auth.
    """

    def __init__(self, root: Path, *, tls: TLSFiles | None = None, access: AccessCheck | None = None,
                 docker_certs: Path = DOCKER_CERTS) -> None:
        self._root = root
        self._tls = tls
        self._docker_certs = docker_certs
        self._certs_written: Path | None = None
        self.token_service = TokenService(root / "auth", access, tls=tls) if access is not None else None
        self._session = requests.Session()
        self._session.trust_env = False  # REQUESTS_CA_BUNDLE in the environment would replace `verify`
        # the CA alone, not the bundle: it reaches only local servers, and each new connection loads the
        # file (about 100 ms for the system's roots on a busy machine)
        self._verify: str | bool = str(tls.ca_cert) if tls is not None else True
        self._session.verify = self._verify
        if self.token_service is not None:
            self._session.auth = BearerAuth(self.token_service.admin_user, self.token_service.admin_password,
                                            verify=self._verify)
        self._process: subprocess.Popen[bytes] | None = None
        self._listener: EventListener | None = None
        self._events: list[RegistryEvent] = []
        self._changed = threading.Condition()
        self.port = 0
        self._sentinel_ready = False
        self._read_only = False
        self._binary = ""

    # lifecycle -------------------------------------------------------------
    def start(self) -> Registry:
        binary = shutil.which("docker-registry") or shutil.which("registry")
        if binary is None:
            raise TestbedError("the distribution registry is not installed"
                               " (Debian: apt-get install -y docker-registry)")
        self._listener = EventListener(self._record).start()
        self._root.mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        try:
            if self.token_service is not None:
                self.token_service.start()
            if self._tls is not None:
                self._certs_written = trust_in_docker(self._tls, self.address, self._docker_certs)
            self._serve(binary)
        except TestbedError:
            self.stop()
            raise
        return self

    def _serve(self, binary: str) -> None:
        assert self._listener is not None
        config = self._root / "config.yml"
        auth = self.token_service.registry_config() if self.token_service is not None else None
        config.write_text(registry_config(
            storage=self._root / "data", port=self.port, listener_port=self._listener.port,
            read_only=self._read_only, tls=self._tls, auth=auth,
        ))
        log = (self._root / "registry.log").open("ab")
        self._binary = binary
        self._process = subprocess.Popen([binary, "serve", str(config)], stdout=log, stderr=subprocess.STDOUT)
        wait_for_http(f"{self.url}/v2/", process=self._process, what="the registry", log=self._root / "registry.log",
                      verify=self._verify)

    # faults ----------------------------------------------------------------
    def set_read_only(self, read_only: bool) -> None:
        """Restart on the same port and storage, refusing (read_only) or accepting pushes."""
        self._read_only = read_only
        self._halt()
        self._serve(self._binary)

    def halt(self) -> None:
        """Stop answering, as a registry that is down (the event listener stays up)."""
        self._halt()

    def resume(self) -> None:
        self._serve(self._binary)

    def _halt(self) -> None:
        if self._process is not None:
            self._process.terminate()
            try:
                self._process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
            self._process = None

    def stop(self) -> None:
        self._halt()
        if self._listener is not None:
            self._listener.stop()
            self._listener = None
        if self.token_service is not None:
            self.token_service.stop()
        if self._certs_written is not None:
            shutil.rmtree(self._certs_written, ignore_errors=True)
            self._certs_written = None
        self._session.close()

    def __enter__(self) -> Registry:
        return self.start()

    def __exit__(self, *exc: type[BaseException] | BaseException | TracebackType | None) -> None:
        self.stop()

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    # addresses -------------------------------------------------------------
    @property
    def address(self) -> str:
        """Host and port, as it appears in image references."""
        return f"127.0.0.1:{self.port}"

    @property
    def session(self) -> requests.Session:
        """An HTTP session that trusts the registry's certificate and answers its token challenge
        with the testbed's own observer account."""
        return self._session

    @property
    def url(self) -> str:
        return f"{'https' if self._tls is not None else 'http'}://{self.address}"

    def servers(self) -> dict[str, str]:
        """Where each of the registry's parts listens, to tell which one a client's error names."""
        found = {"registry": self.url}
        if self.token_service is not None:
            found["registry token service"] = self.token_service.realm
        if self._listener is not None:
            found["registry notification listener"] = f"http://127.0.0.1:{self._listener.port}/events"
        return found

    def log_tail(self, limit: int = 8000) -> str:
        """The end of the registry's own log (every request with its status and duration)."""
        path = self._root / "registry.log"
        return path.read_text(errors="replace")[-limit:] if path.exists() else ""

    # queries ---------------------------------------------------------------
    def tags(self, repository: str) -> list[str]:
        response = self._session.get(f"{self.url}/v2/{repository}/tags/list", timeout=10)
        if response.status_code == 404:
            return []
        response.raise_for_status()
        return sorted(response.json().get("tags") or [])

    def digest(self, repository: str, tag: str) -> str | None:
        response = self._session.head(
            f"{self.url}/v2/{repository}/manifests/{tag}", headers={"Accept": MANIFEST_TYPES}, timeout=10
        )
        if response.status_code == 404:
            return None
        response.raise_for_status()
        return response.headers["Docker-Content-Digest"]

    def repositories(self) -> list[str]:
        response = self._session.get(f"{self.url}/v2/_catalog", timeout=10)
        response.raise_for_status()
        return sorted(response.json().get("repositories") or [])

    # events ----------------------------------------------------------------
    def _record(self, raw_events: list[dict[str, Any]]) -> None:
        with self._changed:
            for raw in raw_events:
                self._events.append(from_notification(raw, seq=len(self._events) + 1))
            self._changed.notify_all()

    @property
    def seq(self) -> int:
        """Sequence number of the newest event received; a mark for `events(since=...)`."""
        with self._changed:
            return len(self._events)

    def events(self, since: int = 0) -> list[RegistryEvent]:
        """Every event after `since`, once the registry has delivered all it had queued."""
        self.sync()
        with self._changed:
            return [event for event in self._events[since:] if not event.user_agent.startswith("relsuite-sync/")]

    def pushes(self, since: int = 0) -> list[RegistryEvent]:
        return [event for event in self.events(since) if event.action == "push"]

    def sync(self, timeout: float = 15.0) -> None:
        """Wait until every notification queued so far has arrived.

        The registry delivers notifications in order on one queue, so a request made now with a
        unique user agent is delivered after everything before it.
        """
        if not self.running:
            return
        marker = f"relsuite-sync/{uuid.uuid4()}"
        self._ensure_sentinel()
        self._session.get(
            f"{self.url}/v2/relsuite/sentinel/manifests/latest",
            headers={"Accept": MANIFEST_TYPES, "User-Agent": marker},
            timeout=10,
        ).raise_for_status()
        deadline = time.monotonic() + timeout
        with self._changed:
            while not any(event.user_agent == marker for event in self._events):
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise TestbedError(f"the registry did not deliver its notifications within {timeout:.0f} s")
                self._changed.wait(remaining)

    def _ensure_sentinel(self) -> None:
        if self._sentinel_ready:
            return
        headers = {"User-Agent": "relsuite-sync/setup"}
        config = b"{}"
        config_digest = "sha256:" + hashlib.sha256(config).hexdigest()
        start = self._session.post(f"{self.url}/v2/relsuite/sentinel/blobs/uploads/", headers=headers, timeout=10)
        start.raise_for_status()
        location = start.headers["Location"]
        location = location if location.startswith("http") else f"{self.url}{location}"
        separator = "&" if "?" in location else "?"
        self._session.put(
            f"{location}{separator}digest={config_digest}",
            data=config,
            headers={**headers, "Content-Type": "application/octet-stream"},
            timeout=10,
        ).raise_for_status()
        manifest = {
            "schemaVersion": 2,
            "mediaType": "application/vnd.oci.image.manifest.v1+json",
            "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": config_digest, "size": 2},
            "layers": [],
        }
        self._session.put(
            f"{self.url}/v2/relsuite/sentinel/manifests/latest",
            data=json.dumps(manifest),
            headers={**headers, "Content-Type": "application/vnd.oci.image.manifest.v1+json"},
            timeout=10,
        ).raise_for_status()
        self._sentinel_ready = True
