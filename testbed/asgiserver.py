"""An ASGI application served by uvicorn on 127.0.0.1 (a free port) in a thread of its own: the one
way the testbed's own HTTP servers (the local GitHub, the registry's token service and its
notification listener) listen. https when TLS files are given.

uvicorn, not `http.server`: asyncio accepts and handshakes without a thread per connection, keeps
a backlog of 2048 (http.server's is 5) and times out idle keep-alive connections.
"""

from __future__ import annotations

import socket
import threading
from typing import Any

import uvicorn

from testbed.errors import TestbedError
from testbed.tls import TLSFiles

START_TIMEOUT = 30.0
STOP_GRACE = 0.3  # seconds in-flight requests get to finish on stop()


class ThreadedServer:
    """`start()` listens and serves `application`; `stop()` ends it; `port` and `url` say where."""

    def __init__(self, application: Any, *, name: str, tls: TLSFiles | None = None) -> None:
        self._application = application
        self.name = name
        self.tls = tls
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self.port = 0

    def start(self) -> ThreadedServer:
        # proto IPPROTO_TCP, not 0: asyncio sets TCP_NODELAY only on sockets that say they are TCP,
        # and without it every keep-alive answer waits for the client's delayed ACK (about 40 ms)
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", 0))
        self.port = listener.getsockname()[1]
        # log_config=None: uvicorn would otherwise dictConfig the process's logging on every start
        config = uvicorn.Config(self._application, log_config=None, log_level="warning", access_log=False,
                                lifespan="off", timeout_graceful_shutdown=2, timeout_keep_alive=30,
                                server_header=False,
                                ssl_certfile=str(self.tls.server_cert) if self.tls else None,
                                ssl_keyfile=str(self.tls.server_key) if self.tls else None)
        server = uvicorn.Server(config)
        self._server = server
        self._thread = threading.Thread(target=server.run, kwargs={"sockets": [listener]}, name=self.name,
                                        daemon=True)
        self._thread.start()
        waiting = threading.Event()
        for _ in range(int(START_TIMEOUT / 0.01)):
            if server.started or not self._thread.is_alive():
                break
            waiting.wait(0.01)
        if not server.started:
            self.stop()
            listener.close()
            raise TestbedError(f"{self.name} did not start on 127.0.0.1:{self.port} within {START_TIMEOUT:.0f} s")
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.should_exit = True
            if self._thread is not None:
                self._thread.join(timeout=STOP_GRACE)
                # idle keep-alive connections (a TLS one waits for the client's close_notify) would
                # hold the shutdown for its whole timeout: past a short grace, stop without them
                self._server.force_exit = True
                self._thread.join(timeout=10)
            self._server = None
            self._thread = None

    @property
    def url(self) -> str:
        """`https://127.0.0.1:PORT` with TLS, else `http://...`."""
        if self._server is None:
            raise TestbedError(f"{self.name} is not started")
        return f"{'https' if self.tls else 'http'}://127.0.0.1:{self.port}"
