"""Who is calling and whether the call is let through: the token behind an `Authorization`
header (any case of the header name and scheme, as HTTP and GitHub have it) and injected faults."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping

from testbed.github.protocol import HTTPError
from testbed.github.ratelimit import ACTIONS_LIMIT, ANONYMOUS_LIMIT, USER_LIMIT
from testbed.github.state import State, Token

RATE_LIMITED = "You have exceeded a secondary rate limit. Please wait a few minutes before you try again."


def credential(headers: Mapping[str, str]) -> str:
    """The token in `Authorization: token|bearer X` or `basic base64(user:X)`, or ""."""
    scheme, _, value = headers.get("authorization", "").strip().partition(" ")
    scheme = scheme.lower()
    if scheme in ("token", "bearer"):
        return value.strip()
    if scheme == "basic":
        try:
            decoded = base64.b64decode(value.strip(), validate=True).decode()
        except (binascii.Error, ValueError, UnicodeDecodeError):
            return ""
        return decoded.partition(":")[2]
    return ""


def authenticate(state: State, headers: Mapping[str, str]) -> Token | None:
    return state.token(credential(headers))


def fault_error(state: State, method: str, path: str) -> HTTPError | None:
    """The answer an armed fault gives this request, if one matches."""
    fault = state.take_fault(method, path)
    if fault is None:
        return None
    if fault.rate_limit:
        return HTTPError(403, RATE_LIMITED, headers={"Retry-After": "1"})
    return HTTPError(fault.status, "Server Error" if fault.status >= 500 else "Injected fault")


def subject(token: Token | None, client: str) -> tuple[str, int]:
    """Who a request is counted against, and that subject's hourly limit."""
    if token is None:
        return f"ip:{client}", ANONYMOUS_LIMIT
    if token.actions:
        return "actions:" + ",".join(sorted(token.repos or ())), ACTIONS_LIMIT
    return f"user:{token.login}", USER_LIMIT
