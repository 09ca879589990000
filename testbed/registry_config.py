"""The configuration file of the distribution registry the testbed runs (`docker-registry serve`)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from testbed.tls import TLSFiles


def registry_config(*, storage: Path, port: int, listener_port: int, read_only: bool, tls: TLSFiles | None,
                    auth: dict[str, Any] | None) -> str:
    """The registry's config (JSON, which is YAML): filesystem storage under `storage`, 127.0.0.1:`port`,
    https when `tls`, token `auth` when given, notifications to 127.0.0.1:`listener_port`/events."""
    http: dict[str, Any] = {"addr": f"127.0.0.1:{port}"}
    if tls is not None:
        http["tls"] = {"certificate": str(tls.server_cert), "key": str(tls.server_key)}
    return json.dumps(
        {
            "version": 0.1,
            "log": {"level": "warn", "accesslog": {"disabled": True}},
            "storage": {
                "filesystem": {"rootdirectory": str(storage)},
                "delete": {"enabled": True},
                "maintenance": {"readonly": {"enabled": read_only}, "uploadpurging": {"enabled": False}},
            },
            "http": http,
            **({"auth": auth} if auth is not None else {}),
            "notifications": {
                "endpoints": [
                    {
                        "name": "testbed",
                        "url": f"http://127.0.0.1:{listener_port}/events",
                        "timeout": "2s",
                        "threshold": 3,
                        "backoff": "100ms",
                    }
                ]
            },
        }
    )
