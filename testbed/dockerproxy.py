"""A recording pass-through for the Docker Engine API socket that workflow jobs are given.

Every request a job (or act on its behalf) sends to the engine goes through this unix socket to the
real one, byte for byte; the request lines are recorded on the way. "Nothing was built" is then an
effect: no request that makes an image reached the engine, whichever client or builder sent it
(`docker build`, BuildKit's session, the Python SDK, `docker commit`, `docker import`, `docker load`).
Pulling, tagging and pushing an existing image are not builds.
"""

from __future__ import annotations

import re
import threading
import urllib.parse
from dataclasses import dataclass
from types import TracebackType

from testbed.enginelock import api_path
from testbed.engineproxy import EngineProxy

# requests that make an image in the engine (paths without the /v1.xx prefix)
IMAGE_MAKING = (
    ("POST", re.compile(r"^/build$"), "build"),
    ("POST", re.compile(r"^/session$"), "buildkit session"),
    ("POST", re.compile(r"^/grpc$"), "buildkit grpc"),
    ("POST", re.compile(r"^/commit$"), "commit"),
    ("POST", re.compile(r"^/images/load$"), "load"),
)


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


class DockerApiRecorder:
    """A unix socket in a short temporary folder that forwards to the engine and records requests."""

    def __init__(self, upstream: str | None = None) -> None:
        self._proxy = EngineProxy(upstream, observe=self._record)
        self.upstream, self.path = self._proxy.upstream, self._proxy.path
        self._requests: list[EngineRequest] = []
        self._lock = threading.Lock()

    @property
    def uri(self) -> str:
        return self._proxy.uri

    def start(self) -> DockerApiRecorder:
        self._proxy.start()
        return self

    def stop(self) -> None:
        self._proxy.stop()

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
        path, query = api_path(target)
        with self._lock:
            self._requests.append(EngineRequest(len(self._requests) + 1, method, path, query))
