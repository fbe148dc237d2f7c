"""Keys and certificates are generated here, per test session; none is committed.

Reference files are read in place from ../shared beside the repository, never copied.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Sequence
from pathlib import Path

import pytest

from signing import Signer, generate_dev_key, gost, load_software_signer

SHARED = Path(__file__).resolve().parents[2].parent / "shared"
DS = "{http://www.w3.org/2000/09/xmldsig#}"
DECLARATION_NS = "urn:customs:declaration:generic:1"


def shared(*parts: str) -> Path:
    """A file under ../shared; the test fails (never skips) when the folder is missing."""
    if not SHARED.is_dir():
        pytest.fail(f"../shared is missing: expected the reference data folder at {SHARED} "
                    "beside the repository (CI provides it)")
    return SHARED.joinpath(*parts)


def xmlsec1(document: bytes, cert: Path, tmp_path: Path,
            id_attr: Sequence[str] = ()) -> subprocess.CompletedProcess[str]:
    """`xmlsec1 --verify` pinning `cert` (and nothing else) over `document`."""
    binary = shutil.which("xmlsec1")
    if binary is None:
        pytest.fail("xmlsec1 is missing: install the Debian package xmlsec1 (scripts/setup.sh)")
    path = tmp_path / "signed.xml"
    path.write_bytes(document)
    ids = [arg for element in id_attr for arg in ("--id-attr:Id", element)]
    return subprocess.run(
        [binary, "--verify", "--pubkey-cert-pem", str(cert), "--enabled-key-data", "key-name",
         "--enabled-reference-uris", "empty,same-doc", *ids, str(path)],
        capture_output=True, text=True, timeout=30, check=False)


@pytest.fixture(scope="session")
def keydir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("keys")


@pytest.fixture(scope="session", params=["ecdsa-p256", "rsa-2048"])
def algorithm(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture(scope="session")
def dev_key(keydir: Path, algorithm: str) -> tuple[Path, Path]:
    return generate_dev_key(algorithm, keydir / algorithm, common_name=f"test {algorithm}")


@pytest.fixture(scope="session")
def signer(dev_key: tuple[Path, Path]) -> Signer:
    return load_software_signer(*dev_key)


@pytest.fixture(scope="session")
def p256(keydir: Path) -> Signer:
    return load_software_signer(*generate_dev_key("ecdsa-p256", keydir / "p256-only"))


def require_gost_engine() -> None:
    """Fail (never skip) with the one line that says what to install."""
    if not gost.available():
        pytest.fail(gost.ENGINE_MISSING + " (scripts/setup.sh installs it)")


def openssl_gost(*args: str) -> subprocess.CompletedProcess[bytes]:
    """The `openssl` command with the GOST engine: the reference implementation outside ours."""
    binary = shutil.which("openssl")
    if binary is None:
        pytest.fail("the openssl command is missing: install the Debian package openssl")
    return subprocess.run([binary, args[0], "-engine", "gost", *args[1:]], capture_output=True,
                          timeout=30, check=False)


@pytest.fixture(scope="session", params=[256, 512], ids=["gost256", "gost512"])
def gost_size(request: pytest.FixtureRequest) -> int:
    require_gost_engine()
    return int(request.param)


@pytest.fixture(scope="session")
def gost_key(keydir: Path, gost_size: int) -> tuple[Path, Path]:
    return generate_dev_key(f"gost2012-{gost_size}", keydir / f"gost{gost_size}",
                            common_name=f"test ГОСТ {gost_size}")


@pytest.fixture(scope="session")
def gost_signer(gost_key: tuple[Path, Path]) -> Signer:
    return load_software_signer(*gost_key)


@pytest.fixture(scope="session")
def gost256(keydir: Path) -> Signer:
    require_gost_engine()
    return load_software_signer(*generate_dev_key("gost2012-256", keydir / "gost256-only"))
