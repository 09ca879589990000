"""A canary for command injection: a name that a hostile input would use to create a Docker
volume. If a volume of that name exists afterwards, the input ran as a command."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import docker


@dataclass(frozen=True)
class Canary:
    """A unique volume name; `fired()` says whether anything created that volume (and removes it)."""

    name: str

    @classmethod
    def new(cls) -> Canary:
        return cls(f"pwned-{uuid.uuid4().hex[:10]}")

    def fired(self) -> bool:
        volumes = docker.from_env().volumes.list(filters={"name": self.name})
        for volume in volumes:  # clean up what the injected command made
            volume.remove(force=True)
        return bool(volumes)
