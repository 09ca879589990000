"""The log scan finds a secret in every form a job can leak it: raw, base64, URL-encoded, hex."""

from __future__ import annotations

import base64
import urllib.parse

import pytest

from testbed.secretforms import find_leaks

TOKEN = "ghs_0123456789abcdef0123456789abcdef0123"
ODD = "p@ss/w+rd:0123456789abcdefXYZ"


def forms_found(text: str, value: str = TOKEN) -> set[str]:
    return {leak.form for leak in find_leaks(text, [value])}


def test_raw_value_is_found() -> None:
    """A raw token in a log line is a leak."""
    assert forms_found(f"token is {TOKEN}.") == {"raw"}


@pytest.mark.parametrize("user", ["x-access-token", "x", "ab", "abc", ""])
def test_basic_auth_header_is_found_at_any_alignment(user: str) -> None:
    """`Authorization: Basic base64(user:token)` leaks the token whatever the user name's length."""
    header = base64.b64encode(f"{user}:{TOKEN}".encode()).decode()
    assert "base64" in forms_found(f"> Authorization: Basic {header}")


def test_url_safe_base64_is_found() -> None:
    """The URL-safe base64 alphabet counts too."""
    encoded = base64.urlsafe_b64encode(f"k={ODD}".encode()).decode()
    assert "base64" in forms_found(encoded, ODD)


@pytest.mark.parametrize("encoded", [urllib.parse.quote(ODD, safe=""), urllib.parse.quote_plus(ODD),
                                     "".join(f"%{b:02X}" for b in ODD.encode())])
def test_url_encoded_value_is_found(encoded: str) -> None:
    """URL-encoded forms (reserved characters, or every byte, either case) are leaks."""
    assert "URL-encoded" in forms_found(f"GET /?t={encoded} HTTP/1.1", ODD)


@pytest.mark.parametrize("encoded", [TOKEN.encode().hex(), TOKEN.encode().hex().upper()])
def test_hex_value_is_found(encoded: str) -> None:
    """Hex in either case is a leak."""
    assert "hex" in forms_found(f"dump: {encoded}")


def test_masked_and_unrelated_text_is_clean() -> None:
    """A masked value and other text are not leaks."""
    assert find_leaks("token is *** and sha 0123456789abcdef", [TOKEN, ODD]) == []
