"""Key files: passphrases from the environment or a file, PKCS#12, permissions, key types, the
configuration factory, and the development key generator."""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import pkcs12

from signing import (
    KeyLoadError,
    SignerConfig,
    SoftwareSigner,
    generate_dev_key,
    load_signer,
    load_software_signer,
)
from signing.certificates import self_signed

Material = tuple[Any, x509.Certificate, Path]


def _write_key(path: Path, key: Any, passphrase: bytes | None = None,
               extra: bytes = b"") -> Path:
    encryption = serialization.BestAvailableEncryption(passphrase) if passphrase else \
        serialization.NoEncryption()
    path.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                       serialization.PrivateFormat.PKCS8, encryption) + extra)
    path.chmod(0o600)
    return path


@pytest.fixture
def material(tmp_path: Path) -> Material:
    key = ec.generate_private_key(ec.SECP256R1())
    cert = self_signed(key, "test")
    cert_path = tmp_path / "cert.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return key, cert, cert_path


def test_encrypted_pem_with_passphrase_from_the_environment(
        tmp_path: Path, material: Material, monkeypatch: pytest.MonkeyPatch) -> None:
    key, cert, cert_path = material
    monkeypatch.setenv("TEST_SIGNING_PASSPHRASE", "s3cret")
    signer = load_signer(SignerConfig(key=_write_key(tmp_path / "key.pem", key, b"s3cret"),
                                      certificate=cert_path,
                                      passphrase_env="TEST_SIGNING_PASSPHRASE"))
    assert signer.certificate == cert


def test_encrypted_pem_with_passphrase_from_a_file(tmp_path: Path, material: Material) -> None:
    key, cert, cert_path = material
    secret = tmp_path / "passphrase"
    secret.write_bytes(b"s3cret\n")
    secret.chmod(0o600)
    config = {"key": str(_write_key(tmp_path / "key.pem", key, b"s3cret")),
              "certificate": str(cert_path), "passphrase_file": str(secret)}
    assert load_signer(config).certificate == cert  # a plain mapping works too


def test_a_shared_passphrase_file_is_refused(tmp_path: Path, material: Material) -> None:
    key, _, cert_path = material
    secret = tmp_path / "passphrase"
    secret.write_bytes(b"s3cret\n")
    secret.chmod(0o640)
    with pytest.raises(KeyLoadError, match=f"chmod 600 {secret}"):
        load_signer(SignerConfig(key=_write_key(tmp_path / "key.pem", key, b"s3cret"),
                                 certificate=cert_path, passphrase_file=secret))


@pytest.mark.parametrize(("given", "message"), [
    ("wrong", "check the passphrase"), (None, "encrypted")])
def test_a_wrong_or_missing_passphrase_says_so(
        tmp_path: Path, material: Material, monkeypatch: pytest.MonkeyPatch,
        given: str | None, message: str) -> None:
    key, _, cert_path = material
    if given:
        monkeypatch.setenv("TEST_SIGNING_PASSPHRASE", given)
    config = SignerConfig(key=_write_key(tmp_path / "key.pem", key, b"s3cret"),
                          certificate=cert_path,
                          passphrase_env="TEST_SIGNING_PASSPHRASE" if given else None)
    with pytest.raises(KeyLoadError, match=message):
        load_signer(config)


def test_an_unset_passphrase_variable_is_named(tmp_path: Path, material: Material) -> None:
    key, _, cert_path = material
    with pytest.raises(KeyLoadError, match="NOT_SET_ANYWHERE"):
        load_signer(SignerConfig(key=_write_key(tmp_path / "key.pem", key, b"s3cret"),
                                 certificate=cert_path, passphrase_env="NOT_SET_ANYWHERE"))


def test_pkcs12_file(tmp_path: Path, material: Material) -> None:
    key, cert, _ = material
    path = tmp_path / "signer.p12"
    path.write_bytes(pkcs12.serialize_key_and_certificates(
        b"test", key, cert, None, serialization.BestAvailableEncryption(b"p12pass")))
    path.chmod(0o600)
    assert load_software_signer(path, passphrase=b"p12pass").certificate == cert


def test_pem_with_key_and_certificate_in_one_file(tmp_path: Path, material: Material) -> None:
    key, cert, _ = material
    both = _write_key(tmp_path / "both.pem", key,
                      extra=cert.public_bytes(serialization.Encoding.PEM))
    assert load_software_signer(both).certificate == cert


@pytest.mark.parametrize("mode", [0o644, 0o604, 0o640, 0o660])
def test_a_key_readable_by_others_is_refused(tmp_path: Path, material: Material,
                                             mode: int) -> None:
    key, _, cert_path = material
    path = _write_key(tmp_path / "key.pem", key)
    os.chmod(path, mode)
    with pytest.raises(KeyLoadError, match=rf"{path} is accessible .* chmod 600 {path}"):
        load_software_signer(path, cert_path)


def test_a_key_not_matching_its_certificate_is_refused(tmp_path: Path,
                                                       material: Material) -> None:
    _, _, cert_path = material
    other = _write_key(tmp_path / "key.pem", ec.generate_private_key(ec.SECP256R1()))
    with pytest.raises(KeyLoadError, match="does not match"):
        load_software_signer(other, cert_path)


@pytest.mark.parametrize(("key", "message"), [
    (rsa.generate_private_key(public_exponent=65537, key_size=1024), "at least 2048"),
    (ec.generate_private_key(ec.SECP384R1()), "only P-256"),
])
def test_weak_or_other_keys_are_refused(key: Any, message: str) -> None:
    with pytest.raises(KeyLoadError, match=message):
        SoftwareSigner(key, self_signed(key, "weak"))


def test_unknown_settings_and_kinds_are_errors() -> None:
    with pytest.raises(KeyLoadError, match="unknown signer settings"):
        load_signer({"kind": "software", "keyfile": "x"})
    with pytest.raises(KeyLoadError, match="gost"):
        load_signer({"kind": "gost"})


@pytest.mark.parametrize("algorithm", ["ecdsa-p256", "rsa-2048", "gost2012-256", "gost2012-512"])
def test_generate_dev_key(tmp_path: Path, algorithm: str) -> None:
    key_path, cert_path = generate_dev_key(algorithm, tmp_path / "dev", common_name="dev CN",
                                           days=10)
    assert stat.S_IMODE(key_path.stat().st_mode) == 0o600
    signer = load_software_signer(key_path, cert_path)
    assert signer.certificate.subject.rfc4514_string() == "CN=dev CN"
    validity = signer.certificate.not_valid_after_utc - signer.certificate.not_valid_before_utc
    assert validity.days == 10
    with pytest.raises(FileExistsError, match="not overwriting"):
        generate_dev_key(algorithm, tmp_path / "dev")
    with pytest.raises(ValueError, match="ecdsa-p256, rsa-2048, gost2012-256, gost2012-512"):
        generate_dev_key("dsa-1024", tmp_path / "other")
