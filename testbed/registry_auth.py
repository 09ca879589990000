"""The registry's token service, as GHCR's `https://ghcr.io/token`: a GitHub token in, a registry token out.

The distribution registry runs with `auth: token` (docs/spec/auth/token.md of distribution): it answers
401 with a `Bearer realm=...,service=...,scope=...` challenge, the client asks this service for a token
for that scope, authenticating with HTTP Basic (any user name, password = a GitHub token) or a bearer
GitHub token, and the service answers with a JWT signed by a key whose certificate is the registry's
`rootcertbundle`. The header names the key by its libtrust key id (`kid`), which distribution 2.8 looks
up among the bundle's keys. Which actions a GitHub token gets is asked of the local GitHub through
`AccessCheck`; the service itself only parses scopes and signs.
"""

from __future__ import annotations

import base64
import datetime
import hashlib
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jwt
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from testbed.asgiserver import ThreadedServer
from testbed.errors import TestbedError
from testbed.tls import TLSFiles

SERVICE = "relsuite-registry"
ISSUER = "relsuite-token-service"
TOKEN_SECONDS = 300  # GHCR's tokens are short-lived too; clients fetch a new one on 401


@dataclass(frozen=True)
class RegistryAccess:
    """What a GitHub token may do with the packages (images) of one owner."""

    read: bool
    write: bool


# (GitHub token, owner) -> its access to that owner's packages, or None when the token is not valid
AccessCheck = Callable[[str, str], RegistryAccess | None]


@dataclass(frozen=True)
class Scope:
    """One `scope` of a token request: `repository:acme/app:pull,push`."""

    type: str
    name: str
    actions: tuple[str, ...]

    @classmethod
    def parse(cls, text: str) -> Scope | None:
        kind, _, rest = text.partition(":")
        name, _, actions = rest.rpartition(":")
        if not kind or not name:
            return None
        return cls(kind, name, tuple(action for action in actions.split(",") if action))


def libtrust_key_id(key: ec.EllipticCurvePublicKey) -> str:
    """The key id distribution 2.8 (libtrust) computes for a public key: base32 of the first 240 bits
    of the SHA-256 of its DER SubjectPublicKeyInfo, in colon-separated groups of four."""
    der = key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    text = base64.b32encode(hashlib.sha256(der).digest()[:30]).decode()
    return ":".join(text[i : i + 4] for i in range(0, len(text), 4))


def _application(service: TokenService) -> Starlette:
    """GET /token, answered by `service`; anything else distribution's JSON 404."""

    def token(request: Request) -> Response:
        status, body = service.answer(request.headers.get("Authorization", ""),
                                      request.query_params.getlist("scope"))
        headers = {"WWW-Authenticate": 'Basic realm="registry token service"'} if status == 401 else None
        return JSONResponse(body, status_code=status, headers=headers)

    def missing(request: Request) -> Response:
        return JSONResponse({"errors": [{"code": "NOT_FOUND", "message": f"no such endpoint: {request.url.path}"}]},
                            status_code=404)

    return Starlette(routes=[Route("/token", token, methods=["GET"]),
                             Route("/{rest:path}", missing, methods=["GET", "POST", "PUT", "DELETE"])])


class TokenService:
    """Issues registry tokens for GitHub tokens, on 127.0.0.1 (https when given TLS files)."""

    def __init__(self, root: Path, access: AccessCheck, *, tls: TLSFiles | None = None) -> None:
        self._root = root
        self._access = access
        self._tls = tls
        self._server: ThreadedServer | None = None
        self._key = ec.generate_private_key(ec.SECP256R1())
        self.key_id = libtrust_key_id(self._key.public_key())
        # credentials of the testbed's own observers (tags, digests, catalog): every action
        self.admin_user = "relsuite-observer"
        self.admin_password = secrets.token_hex(16)

    # lifecycle -------------------------------------------------------------
    def start(self) -> TokenService:
        self._root.mkdir(parents=True, exist_ok=True)
        self.root_cert_bundle.write_bytes(self._certificate())
        self._server = ThreadedServer(_application(self), name="the registry's token service", tls=self._tls).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.stop()
            self._server = None

    def __enter__(self) -> TokenService:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def realm(self) -> str:
        if self._server is None:
            raise TestbedError("the registry token service is not started")
        return f"{self._server.url}/token"

    @property
    def root_cert_bundle(self) -> Path:
        """The certificate of the signing key: the registry's `auth.token.rootcertbundle`."""
        return self._root / "token-signing.pem"

    def registry_config(self) -> dict[str, Any]:
        """The registry's `auth` section that makes it trust this service."""
        return {
            "token": {
                "realm": self.realm,
                "service": SERVICE,
                "issuer": ISSUER,
                "rootcertbundle": str(self.root_cert_bundle),
            }
        }

    # issuing ---------------------------------------------------------------
    def answer(self, authorization: str, scopes: list[str]) -> tuple[int, dict[str, Any]]:
        """Status and JSON body for a token request with this Authorization header and these scopes."""
        subject, grant = self._caller(authorization)
        if grant is None:
            return 401, {"errors": [{"code": "DENIED", "message": "requested access to the resource is denied: "
                                     "the password is not a valid GitHub token", "detail": None}]}
        access = []
        refused = []
        for text in scopes:
            for item in text.split(" "):
                scope = Scope.parse(item)
                if scope is not None:
                    allowed = grant(scope)
                    access.append({"type": scope.type, "name": scope.name,
                                   "actions": [a for a in scope.actions if a in allowed]})
                    refused += [f"{a} {scope.name}" for a in scope.actions if a not in allowed]
        if refused and authorization:
            # GHCR refuses a valid GitHub token what its permissions do not allow (`packages: write` to
            # push, `packages: read` to pull) with DENIED, where distribution's own service would
            # hand out a token with fewer actions and leave the 401 to the registry
            return 403, {"errors": [{"code": "DENIED", "message": "requested access to the resource is denied: "
                                     f"the GitHub token may not {', '.join(refused)}", "detail": None}]}
        token = self._sign(subject, access)
        issued = datetime.datetime.now(datetime.UTC).replace(microsecond=0).isoformat()
        return 200, {"token": token, "access_token": token, "expires_in": TOKEN_SECONDS, "issued_at": issued}

    def _caller(self, authorization: str) -> tuple[str, Callable[[Scope], set[str]] | None]:
        """Who is asking, and what each scope grants them (None: bad credentials)."""
        scheme, _, credential = authorization.partition(" ")
        user, password = "", ""
        if scheme.lower() == "basic":
            try:
                user, _, password = base64.b64decode(credential.strip()).decode().partition(":")
            except (ValueError, UnicodeDecodeError):
                return "", None
        elif scheme.lower() == "bearer":
            password = credential.strip()
        elif authorization:
            return "", None
        if not password:
            return "", lambda scope: set()  # anonymous: a token that grants nothing, as GHCR for a private package
        if user == self.admin_user and secrets.compare_digest(password, self.admin_password):
            return user, lambda scope: set(scope.actions)
        grants: dict[str, RegistryAccess | None] = {}

        def grant(scope: Scope) -> set[str]:
            if scope.type != "repository":
                return set()
            owner = scope.name.split("/")[0]
            if owner not in grants:
                grants[owner] = self._access(password, owner)
            found = grants[owner]
            allowed = set()
            if found is not None and found.read:
                allowed.add("pull")
            if found is not None and found.write:
                allowed.add("push")
            return allowed

        # a valid token is needed even for a request without scopes (`docker login`)
        if self._access(password, "") is None:
            return user, None
        return user or "token", grant

    def _sign(self, subject: str, access: list[dict[str, Any]]) -> str:
        now = int(time.time())
        claims = {"iss": ISSUER, "sub": subject, "aud": SERVICE, "iat": now, "nbf": now - 5,
                  "exp": now + TOKEN_SECONDS, "jti": secrets.token_hex(12), "access": access}
        return jwt.encode(claims, self._key, algorithm="ES256", headers={"kid": self.key_id})

    def _certificate(self) -> bytes:
        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "relsuite registry token signer")])
        now = datetime.datetime.now(datetime.UTC)
        cert = (
            x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(self._key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(minutes=5))
            .not_valid_after(now + datetime.timedelta(days=30)).sign(self._key, hashes.SHA256())
        )
        return cert.public_bytes(serialization.Encoding.PEM)
