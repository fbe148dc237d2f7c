"""Keys and certificates are generated here, per test session; none is committed."""

from __future__ import annotations

from pathlib import Path

import pytest

from signing import generate_dev_key, load_software_signer


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
def signer(dev_key: tuple[Path, Path]):  # type: ignore[no-untyped-def]
    return load_software_signer(*dev_key)
