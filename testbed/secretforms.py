"""The forms a secret value takes when a job leaks it, and a scan of log text for any of them.

act masks a secret's raw value only; GitHub's runner masks some encoded forms too, so a leak in
an encoded form (`curl -v -u x-access-token:$TOKEN` prints `Authorization: Basic <base64>`) is
still a leak. The scan finds the value raw, base64 (standard and URL-safe alphabets, at any
alignment inside a longer encoded string), URL-encoded (reserved characters, or every byte) and
hex (either case).
"""

from __future__ import annotations

import base64
import urllib.parse
from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Leak:
    """A secret value found in a log: which one (its first 4 characters) and in which form."""

    prefix: str
    form: str

    def __str__(self) -> str:
        return f"{self.prefix}... ({self.form})"


def _base64_pieces(raw: bytes) -> list[str]:
    """Encodings of `raw` that appear inside the base64 of any text containing it.

    Base64 encodes 3 bytes at a time, so the value's bytes line up with the groups in one of three
    ways; for each, the value minus up to 2 leading bytes, cut to whole groups, encodes the same
    wherever it sits.
    """
    pieces = []
    for shift in range(3):
        body = raw[shift:]
        body = body[: len(body) // 3 * 3]
        if len(body) >= 12:
            pieces.append(base64.b64encode(body).decode())
            pieces.append(base64.urlsafe_b64encode(body).decode())
    return pieces


def forms(value: str) -> dict[str, list[str]]:
    """Form name -> the strings that show `value` in that form (hex and URL forms in lower case)."""
    raw = value.encode()
    quoted = {urllib.parse.quote(value, safe="").lower(), urllib.parse.quote_plus(value).lower(),
              "".join(f"%{byte:02x}" for byte in raw)}
    return {
        "raw": [value],
        "base64": _base64_pieces(raw),
        "URL-encoded": sorted(quoted - {value.lower()}),  # a value with no reserved character reads as raw
        "hex": [raw.hex()],
    }


def find_leaks(text: str, values: Iterable[str]) -> list[Leak]:
    """Every secret value that appears in `text`, in any form, once per value and form."""
    lowered = text.lower()
    found = []
    for value in values:
        if not value:
            continue
        for form, needles in forms(value).items():
            haystack = text if form in ("raw", "base64") else lowered
            if any(needle and needle in haystack for needle in needles):
                found.append(Leak(value[:4], form))
    return found
