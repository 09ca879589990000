"""A process's output read with each line's arrival time, and killed when it outlives its timeout."""

from __future__ import annotations

import subprocess
import sys

from testbed.actions.arrivals import read_arrivals


def _python(script: str) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def test_each_line_carries_the_moment_it_arrived() -> None:
    """A line written 0.3 s after the first arrives about 0.3 s later; stderr and the exit code are kept."""
    script = "import sys, time; print('a', flush=True); time.sleep(0.3); print('b'); sys.stderr.write('e'); sys.exit(3)"
    output = read_arrivals(_python(script), timeout=30)
    assert [line for _, line in output.lines] == ["a\n", "b\n"]
    assert output.lines[1][0] - output.lines[0][0] >= 0.25
    assert (output.stdout, output.stderr, output.code, output.timed_out) == ("a\nb\n", "e", 3, False)


def test_a_process_past_its_timeout_is_killed() -> None:
    """A process that outlives the timeout is killed, and the output says it timed out."""
    script = "import time; print('started', flush=True); time.sleep(30)"
    output = read_arrivals(_python(script), timeout=0.5)
    assert output.timed_out and output.code != 0
    assert output.stdout == "started\n"
