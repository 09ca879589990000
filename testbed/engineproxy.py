"""A unix-socket pass-through for the Docker Engine API, with two hooks.

Requests are HTTP/1.1, one after another on a connection (the engine's clients do not pipeline).
Each request line is passed to `observe`. A request the `shortcut` wants is read whole (head and
body) and offered to it: when it answers, the answer goes back to the client and the engine never
sees the request; otherwise the request goes on to the engine byte for byte. Everything else is
forwarded as it arrives; after a request that upgrades the connection (attach, exec, BuildKit
session) raw bytes flow both ways.

A request that builds an image or removes images (`testbed.enginelock.guarded`) first takes the
machine's engine lock (shared for a build, exclusive for a removal) when it goes on to the engine, and
goes with `Connection: close`: it is its connection's last, and the lock is released when the engine has
answered it and closed. The hold covers the upload of the request's body too (a build's context), so
a body that waits for a removal on the same engine would wait for ever.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import tempfile
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from testbed.enginelock import Held, Mode, guarded, upstream_socket


@dataclass(frozen=True)
class HeldRequest:
    """A request read whole before it is answered or forwarded."""

    method: str
    target: str  # as sent: path (with any /v1.xx prefix) and query
    headers: dict[str, str]  # names lower-cased
    body: bytes  # decoded (chunked framing removed)


class Shortcut(Protocol):
    """What answers some requests without the engine."""

    def wants(self, method: str, target: str) -> bool: ...

    def answer(self, request: HeldRequest) -> bytes | None: ...


Observer = Callable[[str, str], None]


class EngineProxy:
    """A unix socket in a short temporary folder that forwards to the engine."""

    def __init__(self, upstream: str | None = None, observe: Observer | None = None,
                 shortcut: Shortcut | None = None, prefix: str = "relsuite-dock-") -> None:
        self.upstream = upstream or upstream_socket()
        self.observe, self.shortcut = observe, shortcut
        self._dir = Path(tempfile.mkdtemp(prefix=prefix))  # unix socket paths must stay short
        self.path = self._dir / "docker.sock"
        self._server: socket.socket | None = None

    @property
    def uri(self) -> str:
        return f"unix://{self.path}"

    def start(self) -> None:
        server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        server.bind(str(self.path))
        os.chmod(self.path, 0o666)  # job containers may run as another user
        server.listen(64)
        self._server = server
        threading.Thread(target=self._accept, name="docker-proxy", daemon=True).start()

    def stop(self) -> None:
        if self._server is not None:
            with _Quiet():
                self._server.shutdown(socket.SHUT_RDWR)  # wakes the accept() thread
            self._server.close()
            self._server = None
        shutil.rmtree(self._dir, ignore_errors=True)

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
        hold = _Hold(self.upstream)
        answers = threading.Thread(target=_answers, args=(engine, client, hold), daemon=True)
        answers.start()
        try:
            _RequestStream(client, engine, self.observe, self.shortcut, hold).forward()
        finally:
            with _Quiet():
                engine.shutdown(socket.SHUT_WR)
            answers.join()  # the engine may still answer after the client's half-close (exec -i, attach)
            hold.release()
            for end in (client, engine):
                with _Quiet():
                    end.close()


class _Hold:
    """The engine lock hold of a connection's guarded request, if any: at most one at a time."""

    def __init__(self, upstream: str) -> None:
        self.upstream = upstream
        self._held: Held | None = None
        self._lock = threading.Lock()

    def take(self, mode: Mode) -> None:
        self.release()  # an earlier hold of this connection must not stand in the way of this one
        held = Held(self.upstream, mode)  # blocks while a conflicting hold exists
        with self._lock:
            self._held = held

    def release(self) -> None:
        with self._lock:
            held, self._held = self._held, None
        if held is not None:
            held.release()


def _answers(engine: socket.socket, client: socket.socket, hold: _Hold) -> None:
    """The engine's answers to the client; once the engine has closed, the guarded work is over."""
    _pipe(engine, client)
    hold.release()


def http_answer(status: str, headers: dict[str, str], body: bytes = b"") -> bytes:
    """An HTTP/1.1 answer as the proxy sends it to a client in the engine's place."""
    lines = [f"HTTP/1.1 {status}", *(f"{k}: {v}" for k, v in headers.items()), f"Content-Length: {len(body)}"]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


def _closing(head: bytes) -> bytes:
    """A request head that asks the engine to close the connection after its answer."""
    lines = head.split(b"\r\n")
    kept = [line for line in lines[1:] if line.split(b":", 1)[0].strip().lower() not in (b"connection", b"keep-alive")]
    return b"\r\n".join([lines[0], *kept, b"Connection: close"])


class _Quiet:
    """Swallows any exception: for best-effort socket shutdowns and closes."""

    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: object) -> bool:
        return True


def _pipe(source: socket.socket, target: socket.socket) -> None:
    """Bytes from `source` to `target` until `source` ends, then a half-close of `target` (the caller
    closes both sockets once both directions are done)."""
    with _Quiet():
        while data := source.recv(65536):
            target.sendall(data)
    with _Quiet():
        target.shutdown(socket.SHUT_WR)


class _RequestStream:
    """Client -> engine, one request after another."""

    def __init__(self, client: socket.socket, engine: socket.socket, observe: Observer | None,
                 shortcut: Shortcut | None, hold: _Hold) -> None:
        self.client, self.engine = client, engine
        self.observe, self.shortcut, self.hold = observe, shortcut, hold
        self.buffer = b""

    def _fill(self) -> bool:
        data = self.client.recv(65536)
        self.buffer += data
        return bool(data)

    def _each(self, size: int, emit: Callable[[bytes], None]) -> None:
        """The next `size` bytes from the client, handed to `emit` as they come."""
        while size > 0:
            if not self.buffer and not self._fill():
                raise EOFError
            chunk, self.buffer = self.buffer[:size], self.buffer[size:]
            emit(chunk)
            size -= len(chunk)

    def _take(self, size: int) -> bytes:
        """The next `size` bytes from the client (collected in parts: large bodies stay linear)."""
        parts: list[bytes] = []
        self._each(size, parts.append)
        return b"".join(parts)

    def _line(self) -> bytes:
        while b"\r\n" not in self.buffer:
            if not self._fill():
                raise EOFError
        line, self.buffer = self.buffer.split(b"\r\n", 1)
        return line + b"\r\n"

    def _chunked(self, raw: Callable[[bytes], None], data: Callable[[bytes], None] | None = None) -> None:
        """A chunked body: every byte as sent handed to `raw` as it comes, the decoded data to `data`."""

        def both(part: bytes) -> None:
            raw(part)
            if data is not None:
                data(part)

        while (size := int((line := self._line()).split(b";")[0].strip() or b"0", 16)) > 0:
            raw(line)
            self._each(size, both)
            raw(self._take(2))  # the CRLF that ends the chunk
        raw(line)
        while (trailer := self._line()) != b"\r\n":
            raw(trailer)
        raw(b"\r\n")

    def _guard(self, method: str, target: str, head: bytes) -> bytes | None:
        """The head to send on to the engine: as it came, or, for a build or a removal, with
        `Connection: close` once the engine lock is held. None when the lock cannot be taken (the client
        has its answer then, a 500 naming why)."""
        if (mode := guarded(method, target)) is None:
            return head
        try:
            self.hold.take(mode)
        except OSError as error:
            message = json.dumps({"message": f"the testbed's engine proxy could not take the engine lock "
                                             f"({error}); check that every user can read its file"}).encode()
            self.client.sendall(http_answer("500 Internal Server Error",
                                            {"Content-Type": "application/json", "Connection": "close"}, message))
            return None
        return _closing(head)

    def forward(self) -> None:
        with _Quiet():
            while True:
                while b"\r\n\r\n" not in self.buffer:
                    if not self._fill():
                        return
                head, self.buffer = self.buffer.split(b"\r\n\r\n", 1)
                lines = head.decode("latin-1").split("\r\n")
                method, target = [*lines[0].split(" "), "", ""][:2]
                if self.observe is not None:
                    self.observe(method, target)
                headers = {k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:])}
                chunked = "chunked" in headers.get("transfer-encoding", "").lower()
                if self.shortcut is not None and self.shortcut.wants(method, target):
                    if chunked:
                        sent: list[bytes] = []
                        decoded: list[bytes] = []
                        self._chunked(sent.append, decoded.append)
                        raw, body = b"".join(sent), b"".join(decoded)
                    else:
                        raw = body = self._take(int(headers.get("content-length", "0") or 0))
                    answer = self.shortcut.answer(HeldRequest(method, target, headers, body))
                    if answer is not None:
                        self.client.sendall(answer)
                    elif (sent_head := self._guard(method, target, head)) is not None:
                        self.engine.sendall(sent_head + b"\r\n\r\n" + raw)
                    else:
                        return
                    continue
                if (sent_head := self._guard(method, target, head)) is None:
                    return
                self.engine.sendall(sent_head + b"\r\n\r\n")
                if "upgrade" in headers.get("connection", "").lower() or "upgrade" in headers:
                    self.engine.sendall(self.buffer)
                    _pipe(self.client, self.engine)
                    return
                if chunked:
                    self._chunked(self.engine.sendall)
                else:
                    self._each(int(headers.get("content-length", "0") or 0), self.engine.sendall)
