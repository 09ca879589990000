"""What the distribution registry's notifications say: one `RegistryEvent` per push or pull of a
blob or manifest, received by an `EventListener` on 127.0.0.1."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from testbed.asgiserver import ThreadedServer


@dataclass(frozen=True)
class RegistryEvent:
    """One notification of the registry: a push or pull of a blob or a manifest."""

    seq: int
    action: str  # push | pull | mount | delete
    repository: str
    digest: str
    media_type: str
    size: int
    tag: str
    user_agent: str
    actor: str = ""  # who the registry token was issued to (the user name given at login); "" without auth

    @property
    def is_manifest(self) -> bool:
        return "manifest" in self.media_type or "index" in self.media_type


def from_notification(raw: dict[str, Any], seq: int) -> RegistryEvent:
    """The event one entry of a notification envelope describes; `seq` numbers it among those received."""
    target = raw.get("target", {})
    return RegistryEvent(
        seq=seq,
        action=raw.get("action", ""),
        repository=target.get("repository", ""),
        digest=target.get("digest", ""),
        media_type=target.get("mediaType", ""),
        size=int(target.get("size") or target.get("length") or 0),
        tag=target.get("tag", ""),
        user_agent=raw.get("request", {}).get("useragent", ""),
        actor=str(raw.get("actor", {}).get("name") or ""),
    )


class EventListener:
    """The endpoint the registry's `notifications` post to (`/events` on `port`); hands each
    envelope's events to `record`. A body that is not JSON is answered 400 and recorded nowhere."""

    def __init__(self, record: Callable[[list[dict[str, Any]]], None]) -> None:
        self.record = record
        self._server = ThreadedServer(Starlette(routes=[Route("/events", self._post, methods=["POST"])]),
                                      name="the registry's notification listener")

    async def _post(self, request: Request) -> Response:
        try:
            envelope = json.loads(await request.body() or b"{}")
        except json.JSONDecodeError:
            return Response(status_code=400)
        # on a worker thread: `record` takes locks and wakes waiters, which must not block the event loop
        await run_in_threadpool(self.record, envelope.get("events", []))
        return Response(status_code=200)

    def start(self) -> EventListener:
        self._server.start()
        return self

    def stop(self) -> None:
        self._server.stop()

    @property
    def port(self) -> int:
        return self._server.port
