"""The reference's registry client against the real registry as GHCR serves it: https, the bearer
challenge answered with a GitHub token, and plain http only for a local registry without TLS."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from reference import ReleaseError
from reference.registry import RegistryClient
from testbed.registry import Registry
from testbed.registry_auth import RegistryAccess
from testbed.tls import TLSFiles, machine_tls

WRITER, READER = "ghp_writer", "ghp_reader"
# a repository the testbed's registry creates for itself (its notification sentinel)
REPOSITORY, TAG = "relsuite/sentinel", "latest"


def access(token: str, owner: str) -> RegistryAccess | None:
    return {WRITER: RegistryAccess(True, True), READER: RegistryAccess(True, False)}.get(token)


@pytest.fixture
def tls() -> TLSFiles:
    return machine_tls()


@pytest.fixture
def registry(tmp_path: Path, tls: TLSFiles, monkeypatch: pytest.MonkeyPatch) -> Iterator[Registry]:
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(tls.bundle))  # what a job gets
    with Registry(tmp_path / "registry", tls=tls, access=access) as started:
        started.sync()  # writes the sentinel image
        yield started


def test_reads_and_copies_a_manifest_with_a_github_token(registry: Registry) -> None:
    """With a token that may push, the client reads a digest and copies the manifest under a new tag."""
    client = RegistryClient(registry.address, username="octocat", password=WRITER)
    found = client.manifest(REPOSITORY, TAG)
    assert found is not None and found.digest == registry.digest(REPOSITORY, TAG)
    assert client.put_manifest(REPOSITORY, "copy", found) == found.digest
    assert registry.digest(REPOSITORY, "copy") == found.digest


def test_a_read_only_token_cannot_copy_and_a_bad_token_is_refused(registry: Registry) -> None:
    """Pull-only credentials read but cannot push; a token GitHub does not know gets no registry token."""
    reader = RegistryClient(registry.address, username="octocat", password=READER)
    found = reader.manifest(REPOSITORY, TAG)
    assert found is not None
    with pytest.raises(ReleaseError, match="HTTP 401"):
        reader.put_manifest(REPOSITORY, "copy", found)
    with pytest.raises(ReleaseError, match="refused credentials"):
        RegistryClient(registry.address, username="octocat", password="ghp_unknown").digest(REPOSITORY, TAG)


def test_an_untrusted_certificate_is_an_error_not_a_fallback(registry: Registry,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    """Without the CA the client stops with a TLS error; it never retries the registry over plain http."""
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", "/etc/ssl/certs/ca-certificates.crt")
    with pytest.raises(ReleaseError, match="TLS"):
        RegistryClient(registry.address, username="octocat", password=WRITER).digest(REPOSITORY, TAG)


def test_a_local_registry_without_tls_is_used_over_http(tmp_path: Path) -> None:
    """A plain-http registry on 127.0.0.1 (the testbed's debug mode) is reached over http, as Docker does."""
    with Registry(tmp_path / "plain") as plain:
        plain.sync()
        assert RegistryClient(plain.address).digest(REPOSITORY, TAG) == plain.digest(REPOSITORY, TAG)
