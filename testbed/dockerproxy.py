"""A recording pass-through for the Docker Engine API socket that workflow jobs are given.

Every request a job (or act on its behalf) sends to the engine goes through this unix socket to the
real one, byte for byte; the request lines are recorded on the way. "Nothing was built" is then an
effect: no request that makes an image reached the engine, whichever client or builder sent it
(`docker build`, BuildKit's session, the Python SDK, `docker commit`, `docker import`, `docker load`).
Pulling, tagging and pushing an existing image are not builds.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import tempfile
import threading
import urllib.parse
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

from testbed.errors import TestbedError

# requests that make an image in the engine (API paths may carry a /v1.xx prefix)
IMAGE_MAKING = (
    ("POST", re.compile(r"^/build$"), "build"),
    ("POST", re.compile(r"^/session$"), "buildkit session"),
    ("POST", re.compile(r"^/grpc$"), "buildkit grpc"),
    ("POST", re.compile(r"^/commit$"), "commit"),
    ("POST", re.compile(r"^/images/load$"), "load"),
)
VERSION_PREFIX = re.compile(r"^/v\d+(\.\d+)?(?=/)")


@dataclass(frozen=True)
class EngineRequest:
    """One API request that reached the engine through the recorder."""

    seq: int
    method: str
    path: str  # without the /v1.xx prefix and the query
    query: str


@dataclass(frozen=True)
class ImageBuild:
    """A request that makes an image: which kind, and the tags it asks for (may be none)."""

    seq: int
    kind: str
    tags: tuple[str, ...]

    @property
    def tag(self) -> str:
        return self.tags[0] if self.tags else f"({self.kind}, untagged)"


def image_build(request: EngineRequest) -> ImageBuild | None:
    """The image-making request this is, if any (`docker import` is POST /images/create?fromSrc=)."""
    params = urllib.parse.parse_qs(request.query)
    if request.method == "POST" and request.path == "/images/create" and params.get("fromSrc"):
        return ImageBuild(request.seq, "import", tuple(params.get("repo", [])))
    for method, pattern, kind in IMAGE_MAKING:
        if request.method == method and pattern.match(request.path):
            return ImageBuild(request.seq, kind, tuple(params.get("t", []) + params.get("repo", [])))
    return None


def _upstream_path() -> str:
    host = os.environ.get("DOCKER_HOST", "unix:///var/run/docker.sock")
    if not host.startswith("unix://"):
        raise TestbedError(f"DOCKER_HOST={host}: the build recorder forwards to a unix socket only")
    return host.removeprefix("unix://")


class DockerApiRecorder:
    """A unix socket in a short temporary folder that forwards to the engine and records requests."""

    def __init__(self, upstream: str | None = None) -> None:
        self.upstream = upstream or _upstream_path()
        self._dir = Path(tempfile.mkdtemp(prefix="relsuite-dock-"))  # unix socket paths must stay short
        self.path = self._dir / "docker.sock"
        self._server: socket.socket | None = None
        self._requests: list[EngineRequest] = []
        self._lock = threading.Lock()

    @property
    def uri(self) -> str:
        return f"unix://{self.path}"

    def start(self) -> DockerApiRecorder:
        server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        server.bind(str(self.path))
        os.chmod(self.path, 0o666)  # job containers may run as another user
        server.listen(64)
        self._server = server
        threading.Thread(target=self._accept, name="docker-recorder", daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            self._server = None
        shutil.rmtree(self._dir, ignore_errors=True)

    def __enter__(self) -> DockerApiRecorder:
        return self.start()

    def __exit__(self, *exc: type[BaseException] | BaseException | TracebackType | None) -> None:
        self.stop()

    # records ---------------------------------------------------------------
    @property
    def seq(self) -> int:
        with self._lock:
            return len(self._requests)

    def requests(self, since: int = 0) -> list[EngineRequest]:
        with self._lock:
            return list(self._requests[since:])

    def builds(self, since: int = 0) -> list[ImageBuild]:
        """Image-making requests after `since` (recorded before the engine saw them, so never late)."""
        return [build for request in self.requests(since) if (build := image_build(request)) is not None]

    def _record(self, method: str, target: str) -> None:
        path, _, query = target.partition("?")
        path = VERSION_PREFIX.sub("", path)
        with self._lock:
            self._requests.append(EngineRequest(len(self._requests) + 1, method, path, query))

    # forwarding ------------------------------------------------------------
    def _accept(self) -> None:
        while self._server is not None:
            try:
                client, _ = self._server.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(client,), daemon=True).start()

    def _serve(self, client: socket.socket) -> None:
        engine = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            engine.connect(self.upstream)
        except OSError:
            client.close()
            return
        threading.Thread(target=_pipe, args=(engine, client), daemon=True).start()
        try:
            _RequestStream(client, engine, self._record).forward()
        finally:
            with _quiet():
                engine.shutdown(socket.SHUT_WR)


class _quiet:
    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: object) -> bool:
        return True


def _pipe(source: socket.socket, target: socket.socket) -> None:
    with _quiet():
        while data := source.recv(65536):
            target.sendall(data)
    with _quiet():
        target.shutdown(socket.SHUT_WR)
    with _quiet():
        source.close()


class _RequestStream:
    """Client -> engine: forwards HTTP/1.1 requests one after another, recording each request line;
    after a request that upgrades the connection (attach, exec, BuildKit session) it forwards raw bytes."""

    def __init__(self, client: socket.socket, engine: socket.socket, record: object) -> None:
        self.client, self.engine, self.record = client, engine, record
        self.buffer = b""

    def _fill(self) -> bool:
        data = self.client.recv(65536)
        self.buffer += data
        return bool(data)

    def _take(self, size: int) -> None:
        """Forward exactly `size` bytes of body."""
        while size > 0:
            if not self.buffer and not self._fill():
                raise EOFError
            chunk, self.buffer = self.buffer[:size], self.buffer[size:]
            self.engine.sendall(chunk)
            size -= len(chunk)

    def _line(self) -> bytes:
        while b"\r\n" not in self.buffer:
            if not self._fill():
                raise EOFError
        line, self.buffer = self.buffer.split(b"\r\n", 1)
        self.engine.sendall(line + b"\r\n")
        return line

    def forward(self) -> None:
        with _quiet():
            while True:
                while b"\r\n\r\n" not in self.buffer:
                    if not self._fill():
                        return
                head, self.buffer = self.buffer.split(b"\r\n\r\n", 1)
                self.engine.sendall(head + b"\r\n\r\n")
                lines = head.decode("latin-1").split("\r\n")
                method, target = (lines[0].split(" ") + ["", ""])[:2]
                self.record(method, target)  # type: ignore[operator]
                headers = {k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:])}
                if "upgrade" in headers.get("connection", "").lower() or "upgrade" in headers:
                    self.engine.sendall(self.buffer)
                    _pipe(self.client, self.engine)
                    return
                if "chunked" in headers.get("transfer-encoding", "").lower():
                    while (size := int(self._line().split(b";")[0] or b"0", 16)) > 0:
                        self._take(size + 2)
                    while self._line():
                        pass  # trailers end with an empty line
                else:
                    self._take(int(headers.get("content-length", "0") or 0))
