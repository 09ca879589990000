"""The Docker engine's image `tag` events, followed on a thread (docker SDK).

A tag event is not a build (`docker pull` + `docker tag` makes one too), so the spec no longer
counts builds here: `testbed/dockerproxy.py` records the image-making requests that reach the
engine socket the jobs are given. This follower stays a session fixture for a view of the
engine's own tags.
"""

from __future__ import annotations

import threading
import time
import uuid
from dataclasses import dataclass
from types import TracebackType
from typing import Any

import docker
import docker.errors

from testbed.enginelock import engine_lock
from testbed.errors import TestbedError


@dataclass(frozen=True)
class ImageBuild:
    """An image the engine tagged (built, or re-tagged locally) while the testbed watched."""

    seq: int
    image_id: str
    tag: str


class DockerWatch:
    """Follows the engine's image events on a thread."""

    def __init__(self) -> None:
        try:
            self._client = docker.from_env()
            self._client.ping()
        except docker.errors.DockerException as error:
            raise TestbedError(f"no Docker engine answers ({error}); run scripts/setup.sh") from error
        self._builds: list[ImageBuild] = []
        self._sentinels: set[str] = set()
        self._cond = threading.Condition()
        self._stream: Any = None
        self._thread: threading.Thread | None = None

    def start(self) -> DockerWatch:
        self._stream = self._client.events(decode=True, filters={"type": "image", "event": "tag"})
        self._thread = threading.Thread(target=self._follow, name="docker-events", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._stream is not None:
            self._stream.close()
            self._stream = None
        self._client.close()

    def __enter__(self) -> DockerWatch:
        return self.start()

    def __exit__(self, *exc: type[BaseException] | BaseException | TracebackType | None) -> None:
        self.stop()

    def _follow(self) -> None:
        try:
            for event in self._stream:
                self._handle(event)
        except Exception:
            return

    def _handle(self, event: dict[str, Any]) -> None:
        tag = str(event.get("Actor", {}).get("Attributes", {}).get("name", ""))
        image_id = str(event.get("id", ""))
        if tag.startswith("relsuite-sync:"):
            with self._cond:
                self._sentinels.add(tag)
                self._cond.notify_all()
            return
        with self._cond:
            self._builds.append(ImageBuild(len(self._builds) + 1, image_id, tag))
            self._cond.notify_all()

    @property
    def seq(self) -> int:
        with self._cond:
            return len(self._builds)

    def builds(self, since: int = 0, timeout: float = 15.0) -> list[ImageBuild]:
        """Builds after `since`, once every event the engine emitted so far has been read."""
        self._sync(timeout)
        with self._cond:
            return list(self._builds[since:])

    def _sync(self, timeout: float) -> None:
        # Events arrive in order: tag a tiny image now and wait until that event is read.
        marker = f"relsuite-sync:{uuid.uuid4().hex[:12]}"
        # Only an image that keeps another tag: untagging the marker from an image whose only tag it
        # was deletes that image, which may be a build's result not yet tagged (the build then fails
        # with "unable to find image"). Another process may remove an image between the listing and
        # the tag: try the next one.
        for image in self._client.images.list():
            if not any(not tag.startswith("relsuite-sync:") for tag in image.tags):
                continue
            try:
                image.tag(marker)
                break
            except docker.errors.ImageNotFound:
                continue  # removed meanwhile by someone else sharing the engine: tag another one
        else:
            return
        deadline = time.monotonic() + timeout
        with self._cond:
            while marker not in self._sentinels:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise TestbedError(f"Docker events stalled: no event for {marker} within {timeout:.0f} s")
                self._cond.wait(remaining)
        with engine_lock("remove"):  # an untag deletes the image if its other tag was removed meanwhile
            self._client.images.remove(marker, noprune=True)

