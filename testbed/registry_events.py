"""What the distribution registry's notifications say: one `RegistryEvent` per push or pull of a
blob or manifest, received by an `EventListener` on 127.0.0.1."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


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


class EventListener(ThreadingHTTPServer):
    """The endpoint the registry's `notifications` post to; hands each envelope's events to `record`."""

    daemon_threads = True

    def __init__(self, record: Callable[[list[dict[str, Any]]], None]) -> None:
        super().__init__(("127.0.0.1", 0), _ListenerHandler)
        self.record = record


class _ListenerHandler(BaseHTTPRequestHandler):
    server: EventListener

    def do_POST(self) -> None:  # noqa: N802 - http.server's naming
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        try:
            envelope = json.loads(body or b"{}")
        except json.JSONDecodeError:
            self.send_response(400)
            self.end_headers()
            return
        self.server.record(envelope.get("events", []))
        self.send_response(200)
        self.end_headers()

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - silence access logs
        return
