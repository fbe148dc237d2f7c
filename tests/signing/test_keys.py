"""Key files, passphrases, PKCS#12, permissions, expiry and rotation."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import pkcs12
from lxml import etree

from signing import (
    CertificateExpired,
    KeyLoadError,
    KeyRing,
    SignerConfig,
    Verifier,
    certificate_status,
    load_signer,
    load_software_signer,
    sign_enveloped,
)
from signing.keys import self_signed


def _write_key(path, key, passphrase: bytes | None) -> None:  # type: ignore[no-untyped-def]
    encryption = serialization.BestAvailableEncryption(passphrase) if passphrase else \
        serialization.NoEncryption()
    path.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                       serialization.PrivateFormat.PKCS8, encryption))
    path.chmod(0o600)


@pytest.fixture
def material(tmp_path):  # type: ignore[no-untyped-def]
    key = ec.generate_private_key(ec.SECP256R1())
    cert = self_signed(key, "test")
    cert_path = tmp_path / "cert.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return key, cert, cert_path


def test_encrypted_pem_with_passphrase_from_the_environment(tmp_path, material, monkeypatch):
    key, cert, cert_path = material
    _write_key(tmp_path / "key.pem", key, b"s3cret")
    monkeypatch.setenv("TEST_PASSPHRASE", "s3cret")
    signer = load_signer(SignerConfig(key=tmp_path / "key.pem", certificate=cert_path,
                                      passphrase_env="TEST_PASSPHRASE"))
    assert signer.certificate == cert


def test_encrypted_pem_with_passphrase_from_a_file(tmp_path, material):
    key, _, cert_path = material
    _write_key(tmp_path / "key.pem", key, b"s3cret")
    secret = tmp_path / "pass"
    secret.write_bytes(b"s3cret\n")
    secret.chmod(0o600)
    load_signer(SignerConfig(key=tmp_path / "key.pem", certificate=cert_path,
                             passphrase_file=secret))


def test_wrong_passphrase_says_so(tmp_path, material, monkeypatch):
    key, _, cert_path = material
    _write_key(tmp_path / "key.pem", key, b"s3cret")
    monkeypatch.setenv("TEST_PASSPHRASE", "wrong")
    with pytest.raises(KeyLoadError, match="passphrase"):
        load_signer(SignerConfig(key=tmp_path / "key.pem", certificate=cert_path,
                                 passphrase_env="TEST_PASSPHRASE"))


def test_missing_passphrase_variable_is_named(tmp_path, material):
    key, _, cert_path = material
    _write_key(tmp_path / "key.pem", key, b"s3cret")
    with pytest.raises(KeyLoadError, match="NOT_SET_ANYWHERE"):
        load_signer(SignerConfig(key=tmp_path / "key.pem", certificate=cert_path,
                                 passphrase_env="NOT_SET_ANYWHERE"))


def test_pkcs12_file(tmp_path, material):
    key, cert, _ = material
    path = tmp_path / "signer.p12"
    path.write_bytes(pkcs12.serialize_key_and_certificates(
        b"test", key, cert, None, serialization.BestAvailableEncryption(b"p12pass")))
    path.chmod(0o600)
    assert load_software_signer(path, passphrase=b"p12pass").certificate == cert


def test_key_readable_by_others_is_refused(tmp_path, material):
    key, _, cert_path = material
    _write_key(tmp_path / "key.pem", key, None)
    os.chmod(tmp_path / "key.pem", 0o644)
    with pytest.raises(KeyLoadError, match="chmod 600"):
        load_software_signer(tmp_path / "key.pem", cert_path)


def test_key_not_matching_certificate_is_refused(tmp_path, material):
    _, _, cert_path = material
    _write_key(tmp_path / "key.pem", ec.generate_private_key(ec.SECP256R1()), None)
    with pytest.raises(KeyLoadError, match="does not match"):
        load_software_signer(tmp_path / "key.pem", cert_path)


def test_signing_after_not_after_is_refused(tmp_path):
    key = ec.generate_private_key(ec.SECP256R1())
    start = datetime(2025, 1, 1, tzinfo=UTC)
    cert = self_signed(key, "short", days=30, not_before=start)
    from signing import SoftwareSigner

    signer = SoftwareSigner(key, cert)
    sign_enveloped(etree.fromstring(b"<a/>"), signer, at=start + timedelta(days=29))
    with pytest.raises(CertificateExpired, match="expired"):
        sign_enveloped(etree.fromstring(b"<a/>"), signer, at=start + timedelta(days=31))


def test_days_left_and_warning_within_30_days():
    key = ec.generate_private_key(ec.SECP256R1())
    start = datetime(2026, 1, 1, tzinfo=UTC)
    cert = self_signed(key, "x", days=100, not_before=start)
    early = certificate_status(cert, start + timedelta(days=10))
    late = certificate_status(cert, start + timedelta(days=75))
    assert (early.days_left, early.expiring) == (90, False)
    assert (late.days_left, late.expiring, late.expired) == (25, True, False)
    assert certificate_status(cert, start + timedelta(days=101)).expired


def test_rotation_old_documents_still_verify(tmp_path):
    from signing import SoftwareSigner

    old_key, new_key = ec.generate_private_key(ec.SECP256R1()), \
        ec.generate_private_key(ec.SECP256R1())
    old = SoftwareSigner(old_key, self_signed(old_key, "2025 key"))
    before = etree.tostring(sign_enveloped(etree.fromstring(b"<a>1</a>"), old))
    ring = KeyRing(SoftwareSigner(new_key, self_signed(new_key, "2026 key")),
                   previous=[old.certificate])
    after = etree.tostring(sign_enveloped(etree.fromstring(b"<a>2</a>"), ring.current))
    verifier = Verifier(ring.trusted())
    assert verifier.verify(before).certificate == old.certificate
    assert verifier.verify(after).certificate == ring.current.certificate
    assert b"2026 key" not in before
