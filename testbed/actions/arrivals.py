"""A process's output read line by line as it arrives, each line with the moment it came: act stamps
its `--json` lines only to the second, too coarse to tell a job's set-up from its steps."""

from __future__ import annotations

import subprocess
import threading
import time
from dataclasses import dataclass


@dataclass(frozen=True)
class Arrived:
    """What a finished process wrote: stdout lines with their epoch arrival times, stderr, the exit code."""

    lines: tuple[tuple[float, str], ...]
    stderr: str
    code: int
    timed_out: bool

    @property
    def stdout(self) -> str:
        return "".join(line for _, line in self.lines)


def read_arrivals(process: subprocess.Popen[str], timeout: float) -> Arrived:
    """Read `process` (text pipes for stdout and stderr) to its end; kill it after `timeout` seconds."""
    assert process.stdout is not None and process.stderr is not None
    errors: list[str] = []
    stderr = process.stderr
    reader = threading.Thread(target=lambda: errors.append(stderr.read()), daemon=True)
    reader.start()
    expired = threading.Event()

    def kill() -> None:
        expired.set()
        process.kill()

    timer = threading.Timer(timeout, kill)
    timer.daemon = True
    timer.start()
    lines = []
    try:
        for line in process.stdout:
            lines.append((time.time(), line))
        code = process.wait()
    finally:
        timer.cancel()
    reader.join()
    return Arrived(tuple(lines), "".join(errors), code, expired.is_set())
