"""Keys and certificates are generated here, per test session; none is committed.

Reference files are read in place from ../shared beside the repository, never copied.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Sequence
from pathlib import Path

import pytest

from signing import SoftwareSigner, generate_dev_key, load_software_signer

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
def signer(dev_key: tuple[Path, Path]) -> SoftwareSigner:
    return load_software_signer(*dev_key)


@pytest.fixture(scope="session")
def p256(keydir: Path) -> SoftwareSigner:
    return load_software_signer(*generate_dev_key("ecdsa-p256", keydir / "p256-only"))
