"""The machine's throwaway certificate authority: every local server (GitHub, registry, token
service) serves https with a certificate it signs, and every client in the testbed trusts it.

Made once per machine with `trustme` and kept under the user's cache directory, so parallel
pytest workers and the Docker engine (which reads `/etc/docker/certs.d`) see the same CA.
"""

from __future__ import annotations

import os
import shutil
import ssl
import tempfile
from dataclasses import dataclass
from pathlib import Path

import trustme

from testbed.errors import TestbedError

# Names every local server is reached by; the certificate is valid for each.
SERVER_NAMES = ("127.0.0.1", "localhost", "::1")
# where the Docker engine looks for the CA of a registry (https://docs.docker.com/engine/security/certificates/)
DOCKER_CERTS = Path("/etc/docker/certs.d")
SYSTEM_BUNDLES = (
    Path("/etc/ssl/certs/ca-certificates.crt"),  # Debian, Ubuntu
    Path("/etc/pki/tls/certs/ca-bundle.crt"),  # Fedora, RHEL
)


@dataclass(frozen=True)
class TLSFiles:
    """PEM files of the machine's CA and of the certificate the local servers present."""

    directory: Path

    @property
    def ca_cert(self) -> Path:
        """The CA certificate alone: what a client is told to trust (certs.d, NODE_EXTRA_CA_CERTS)."""
        return self.directory / "ca.pem"

    @property
    def server_cert(self) -> Path:
        """The servers' certificate chain (leaf first)."""
        return self.directory / "server.pem"

    @property
    def server_key(self) -> Path:
        return self.directory / "server-key.pem"

    @property
    def bundle(self) -> Path:
        """The system's trusted roots plus the CA: for clients whose setting replaces rather than adds
        (REQUESTS_CA_BUNDLE, SSL_CERT_FILE, GIT_SSL_CAINFO)."""
        return self.directory / "bundle.pem"

    def server_context(self) -> ssl.SSLContext:
        """A server-side context presenting the local certificate."""
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(self.server_cert, self.server_key)
        return context

    def client_context(self) -> ssl.SSLContext:
        """A client-side context that trusts the CA (and verifies host names)."""
        return ssl.create_default_context(cafile=str(self.bundle))

    def client_env(self) -> dict[str, str]:
        """Environment that makes Python, git, curl, node and gh trust the CA."""
        bundle = str(self.bundle)
        return {
            "SSL_CERT_FILE": bundle,
            "REQUESTS_CA_BUNDLE": bundle,
            "CURL_CA_BUNDLE": bundle,
            "GIT_SSL_CAINFO": bundle,
            "NODE_EXTRA_CA_CERTS": str(self.ca_cert),
        }


def trust_in_docker(files: TLSFiles, address: str, certs: Path = DOCKER_CERTS) -> Path:
    """Tell the Docker engine to trust the CA for the registry at `address` (host:port): its
    `certs.d/<address>/ca.crt`, read at each connection. Returns the folder, for the caller to remove."""
    folder = certs / address
    try:
        folder.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(files.ca_cert, folder / "ca.crt")
    except PermissionError as error:
        raise TestbedError(f"cannot write {folder}/ca.crt for the Docker engine to trust the registry: {error} "
                           "(run as root, or start the testbed with plain http)") from error
    return folder


def default_directory() -> Path:
    base = os.environ.get("RELSUITE_TLS_DIR")
    if base:
        return Path(base)
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return cache / "release-conformance" / "tls"


def machine_tls(directory: Path | None = None) -> TLSFiles:
    """The machine's CA and server certificate, made on first use (safe under parallel workers)."""
    files = TLSFiles(directory or default_directory())
    if files.bundle.is_file():
        return files
    files.directory.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".tls-", dir=files.directory.parent))
    try:
        _write(TLSFiles(staging))
        try:
            staging.rename(files.directory)  # atomic: a concurrent maker's directory wins
        except OSError:
            if not files.bundle.is_file():
                raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return files


def _write(files: TLSFiles) -> None:
    ca = trustme.CA(organization_name="release-conformance testbed")
    leaf = ca.issue_cert(*SERVER_NAMES)
    ca.cert_pem.write_to_path(str(files.ca_cert))
    leaf.private_key_pem.write_to_path(str(files.server_key))
    with files.server_cert.open("wb") as out:
        for blob in leaf.cert_chain_pems:
            out.write(blob.bytes())
    system = next((path for path in SYSTEM_BUNDLES if path.is_file()), None)
    roots = system.read_bytes() if system else b""
    files.bundle.write_bytes(roots + (b"\n" if roots and not roots.endswith(b"\n") else b"") + ca.cert_pem.bytes())
    files.server_key.chmod(0o600)
