"""Headless Chromium driven over the DevTools protocol on a pipe (`--remote-debugging-pipe`):
open a page, collect console errors and uncaught exceptions, evaluate an expression, take a
full-page screenshot. Used to check the HTML report in a real browser and to picture it."""

from __future__ import annotations

import base64
import fcntl
import json
import os
import select
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any

FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run",
         "--disable-component-update", "--disable-sync", "--disable-extensions", "--mute-audio",
         "--remote-debugging-pipe"]


class BrowserError(RuntimeError):
    """Chromium could not be started or did not answer; the message says what to do."""


@dataclass
class PageVisit:
    """What opening one page showed."""

    errors: list[str] = field(default_factory=list)  # console errors, uncaught exceptions, failed loads
    value: Any = None  # the evaluated expression's result


class Chromium:
    """One headless Chromium process; `with Chromium() as browser: browser.visit(...)`."""

    def __init__(self, binary: str = "chromium", timeout: float = 60.0) -> None:
        found = shutil.which(binary)
        if found is None:
            raise BrowserError(f"{binary} is not installed: apt-get install -y chromium (scripts/setup.sh does)")
        self.binary, self.timeout = found, timeout
        self._ids = 0
        self._buffer = b""
        self.events: list[dict[str, Any]] = []

    def __enter__(self) -> Chromium:
        self._profile = tempfile.TemporaryDirectory(prefix="relsuite-chromium-")
        to_browser, self._to_browser = os.pipe()
        self._from_browser, from_browser = os.pipe()
        # move the child's ends above 9 so that renumbering them to 3 and 4 cannot clobber one another
        to_browser, from_browser = (_above_nine(fd) for fd in (to_browser, from_browser))
        command = [self.binary, *FLAGS, f"--user-data-dir={self._profile.name}", "about:blank"]
        # fd 3: commands in, fd 4: answers out, as --remote-debugging-pipe expects
        wrapper = f'exec "$@" 3<&{to_browser} 4>&{from_browser} {to_browser}<&- {from_browser}>&-'
        self._process = subprocess.Popen(["bash", "-c", wrapper, "chromium", *command], pass_fds=(to_browser, from_browser),
                                         stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        os.close(to_browser)
        os.close(from_browser)
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None) -> None:
        try:
            self.send("Browser.close")
        except BrowserError:
            pass
        try:
            self._process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()
        os.close(self._to_browser)
        os.close(self._from_browser)
        if self._process.stderr is not None:
            self._process.stderr.close()
        self._profile.cleanup()

    # protocol -------------------------------------------------------------------------------------
    def _read_message(self, deadline: float) -> dict[str, Any]:
        while b"\0" not in self._buffer:
            remaining = deadline - time.monotonic()
            ready, _, _ = select.select([self._from_browser], [], [], max(remaining, 0))
            if not ready:
                raise BrowserError(f"Chromium did not answer within {self.timeout:.0f} s")
            chunk = os.read(self._from_browser, 1 << 20)
            if not chunk:
                raise BrowserError("Chromium closed the DevTools pipe (did it start? try `chromium --headless --version`)")
            self._buffer += chunk
        message, self._buffer = self._buffer.split(b"\0", 1)
        return dict(json.loads(message))

    def send(self, method: str, session: str | None = None, **params: Any) -> dict[str, Any]:
        self._ids += 1
        message: dict[str, Any] = {"id": self._ids, "method": method, "params": params}
        if session:
            message["sessionId"] = session
        try:
            os.write(self._to_browser, json.dumps(message).encode() + b"\0")
        except OSError as error:
            raise BrowserError(f"Chromium's DevTools pipe is closed: {error}") from error
        deadline = time.monotonic() + self.timeout
        while True:
            answer = self._read_message(deadline)
            if answer.get("id") == self._ids:
                if "error" in answer:
                    raise BrowserError(f"{method}: {answer['error']}")
                return dict(answer.get("result", {}))
            self.events.append(answer)

    def _wait_event(self, method: str, session: str) -> None:
        deadline = time.monotonic() + self.timeout
        while not any(e.get("method") == method and e.get("sessionId") == session for e in self.events):
            self.events.append(self._read_message(deadline))

    # pages ----------------------------------------------------------------------------------------
    def visit(self, path: Path, expression: str = "null", screenshot: Path | None = None, width: int = 1200,
              max_height: int = 16000) -> PageVisit:
        """Open `path`, wait for it to load, evaluate `expression`, optionally save a full-page PNG."""
        target = self.send("Target.createTarget", url="about:blank")["targetId"]
        session = self.send("Target.attachToTarget", targetId=target, flatten=True)["sessionId"]
        for domain in ("Page", "Runtime", "Log"):
            self.send(f"{domain}.enable", session)
        self.send("Emulation.setDeviceMetricsOverride", session, width=width, height=900, deviceScaleFactor=1,
                  mobile=False)
        navigated = self.send("Page.navigate", session, url=path.resolve().as_uri())
        visit = PageVisit()
        if navigated.get("errorText"):
            visit.errors.append(f"navigation: {navigated['errorText']}")
        self._wait_event("Page.loadEventFired", session)
        result = self.send("Runtime.evaluate", session, expression=expression, returnByValue=True)
        visit.value = result.get("result", {}).get("value")
        if screenshot is not None:
            height = int(self.send("Page.getLayoutMetrics", session)["cssContentSize"]["height"])
            self.send("Emulation.setDeviceMetricsOverride", session, width=width, height=min(height, max_height),
                      deviceScaleFactor=1, mobile=False)
            clip = {"x": 0, "y": 0, "width": width, "height": min(height, max_height), "scale": 1}
            shot = self.send("Page.captureScreenshot", session, format="png", captureBeyondViewport=True, clip=clip)
            screenshot.parent.mkdir(parents=True, exist_ok=True)
            screenshot.write_bytes(base64.b64decode(shot["data"]))
        visit.errors += _errors([e for e in self.events if e.get("sessionId") == session])
        self.send("Target.closeTarget", targetId=target)
        return visit


def _above_nine(fd: int) -> int:
    moved = fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, 10)
    os.close(fd)
    return moved


def _errors(events: list[dict[str, Any]]) -> list[str]:
    found = []
    for event in events:
        method, params = event.get("method"), event.get("params", {})
        if method == "Runtime.exceptionThrown":
            found.append(f"exception: {params.get('exceptionDetails', {}).get('text', '')}")
        elif method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "assert"):
            found.append("console: " + " ".join(str(arg.get("value", arg.get("description", ""))) for arg in params.get("args", [])))
        elif method == "Log.entryAdded" and params.get("entry", {}).get("level") == "error":
            entry = params["entry"]
            found.append(f"log ({entry.get('source')}): {entry.get('text')} {entry.get('url', '')}".strip())
    return found
