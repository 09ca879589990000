"""The CPU breakdown reads perf's per-cgroup, per-command report into the groups of its table."""

from __future__ import annotations

from benchmarks.cpu import group_of, groups, table

REPORT = """# Samples: 100
#
    40.00%  /docker/3f2a  python3
    20.00%  /             dockerd
    10.00%  /             swapper
    10.00%  /             python3
    10.00%  /docker/3f2a  runc:[2:INIT]
     5.00%  /             act
     5.00%  /             git-remote-http
"""


def test_a_job_containers_python_is_told_apart_from_the_testbeds() -> None:
    """python3 in a job container's cgroup is the workflows' work, on the host the testbed's; idle apart."""
    found, idle = groups(REPORT)
    assert idle == 10.0
    assert found["job containers: Python (the steps' CLIs)"] == 40.0
    assert found[group_of("/", "python3")] == 10.0
    assert found["job containers: runc init"] == 10.0
    assert found["Docker engine: dockerd and its helpers"] == 20.0
    assert found[group_of("/", "git-remote-http")] == 5.0
    assert sum(found.values()) == 90.0


def test_the_table_shares_busy_seconds_in_proportion() -> None:
    """Each row's CPU seconds are its share of the busy samples times the busy seconds measured."""
    rows = table({"a": 30.0, "b": 60.0}, busy=90.0)
    assert rows[2] == "| b | 66.7 % | 60 |"
    assert rows[3] == "| a | 33.3 % | 30 |"
