"""Free ports on 127.0.0.1 and waiting for a server to answer, without fixed sleeps."""

from __future__ import annotations

import socket
import subprocess
import time
from pathlib import Path

import requests

from testbed.errors import TestbedError


def free_port() -> int:
    """A port nobody listens on right now (the kernel picks it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for_http(
    url: str, *, process: subprocess.Popen[bytes] | None, what: str, log: Path | None = None, timeout: float = 20.0,
    verify: str | bool = True,
) -> None:
    """Poll `url` until it answers, failing early if `process` exits (`verify`: CA bundle for https)."""
    deadline = time.monotonic() + timeout
    delay = 0.01
    while True:
        if process is not None and process.poll() is not None:
            tail = log.read_text(errors="replace")[-2000:] if log and log.exists() else ""
            raise TestbedError(f"{what} exited with code {process.returncode} before answering {url}\n{tail}")
        try:
            requests.get(url, timeout=1, verify=verify)
            return
        except requests.exceptions.SSLError as error:
            raise TestbedError(f"{what} answers {url} with a certificate the testbed does not trust: {error}") from error
        except requests.ConnectionError:
            pass
        if time.monotonic() > deadline:
            raise TestbedError(f"{what} did not answer {url} within {timeout:.0f} s")
        time.sleep(delay)
        delay = min(delay * 2, 0.2)
