"""The PKCS#11 signer against a real token implementation (SoftHSM 2), verified by us and by
xmlsec1: the key never leaves the token, and callers do not change (same factory, same
sign_enveloped)."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from lxml import etree

from signing import (
    KeyLoadError,
    Signer,
    Verifier,
    generate_dev_key,
    load_signer,
    sign_enveloped,
)
from signing.certificates import self_signed
from tests.signing.conftest import require_gost_engine, xmlsec1

MODULE = Path("/usr/lib/softhsm/libsofthsm2.so")
TOKEN, PIN = "customs-test", "1234"


def _issue(ca_key: ec.EllipticCurvePrivateKey, ca: x509.Certificate, public: Any,
           name: str) -> x509.Certificate:
    now = datetime.now(UTC) - timedelta(minutes=5)
    return (x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)]))
            .issuer_name(ca.subject).public_key(public).serial_number(x509.random_serial_number())
            .not_valid_before(now).not_valid_after(now + timedelta(days=30))
            .sign(ca_key, hashes.SHA256()))


def _generate(session: Any, kind: str) -> Any:
    """A key pair generated inside the token; its public key as a cryptography object."""
    from pkcs11 import Attribute, KeyType
    from pkcs11.util.ec import encode_ec_public_key, encode_named_curve_parameters
    from pkcs11.util.rsa import encode_rsa_public_key

    if kind == "ec":
        parameters = session.create_domain_parameters(
            KeyType.EC, {Attribute.EC_PARAMS: encode_named_curve_parameters("secp256r1")},
            local=True)
        public, _ = parameters.generate_keypair(store=True, label=kind)
        return serialization.load_der_public_key(encode_ec_public_key(public))
    public, _ = session.generate_keypair(KeyType.RSA, 2048, store=True, label=kind)
    return serialization.load_der_public_key(encode_rsa_public_key(public))


def _store_certificate(session: Any, label: str, cert: x509.Certificate) -> None:
    from pkcs11 import Attribute, CertificateType, ObjectClass

    session.create_object({
        Attribute.CLASS: ObjectClass.CERTIFICATE, Attribute.CERTIFICATE_TYPE:
        CertificateType.X_509, Attribute.TOKEN: True, Attribute.LABEL: label,
        Attribute.SUBJECT: cert.subject.public_bytes(),
        Attribute.VALUE: cert.public_bytes(serialization.Encoding.DER)})


@pytest.fixture(scope="module")
def token(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    util = shutil.which("softhsm2-util")
    if util is None or not MODULE.is_file():
        pytest.skip("SoftHSM 2 is not installed: install the Debian package softhsm2 "
                    "(scripts/setup.sh does; CI has it)")
    home = tmp_path_factory.mktemp("softhsm")
    (home / "tokens").mkdir()
    conf = home / "softhsm2.conf"
    conf.write_text(f"directories.tokendir = {home / 'tokens'}\nobjectstore.backend = file\n")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SOFTHSM2_CONF", str(conf))
        subprocess.run([util, "--init-token", "--free", "--label", TOKEN, "--pin", PIN,
                        "--so-pin", "5678"], check=True, capture_output=True)
        ca, certs = _populate()
        pin = home / "pin"
        pin.write_text(f"{PIN}\n")
        pin.chmod(0o600)
        paths = {kind: home / f"{kind}.pem" for kind in certs}
        for kind, cert in certs.items():
            paths[kind].write_bytes(cert.public_bytes(serialization.Encoding.PEM))
        yield {"ca": ca, "certs": certs, "paths": paths, "pin": pin}


def _populate() -> tuple[x509.Certificate, dict[str, x509.Certificate]]:
    """An EC and an RSA key generated in the token, certificates for both issued by a test
    CA, and the EC certificate stored on the token too."""
    import pkcs11

    library = pkcs11.lib(str(MODULE))
    library.reinitialize()  # read this configuration even if loaded before
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca = self_signed(ca_key, "test CA")
    with library.get_token(token_label=TOKEN).open(rw=True, user_pin=PIN) as session:
        certs = {kind: _issue(ca_key, ca, _generate(session, kind), f"HSM {kind}")
                 for kind in ("ec", "rsa")}
        _store_certificate(session, "ec", certs["ec"])
    return ca, certs


def _config(token: dict[str, Any], label: str, **extra: Any) -> dict[str, Any]:
    return {"kind": "pkcs11", "pkcs11_module": MODULE, "pkcs11_token": TOKEN,
            "pkcs11_key_label": label, "pin_file": token["pin"], **extra}


@pytest.mark.parametrize("kind", ["ec", "rsa"])
def test_token_signer_signs_and_independent_verifiers_accept(
        token: dict[str, Any], kind: str, tmp_path: Path) -> None:
    signer = load_signer(_config(token, kind, certificate=token["paths"][kind]))
    assert isinstance(signer, Signer)
    root = etree.fromstring(b'<Declaration xmlns="urn:d" Id="D-1"><Value>12.50</Value>'
                            b"</Declaration>")
    document = etree.tostring(sign_enveloped(root, signer, reference_uri="#D-1"))
    verified = Verifier(ca=[token["ca"]]).verify(document)
    assert verified.element.findtext("{urn:d}Value") == "12.50"
    assert verified.certificate == token["certs"][kind]
    result = xmlsec1(document, token["paths"][kind], tmp_path, ["urn:d:Declaration"])
    assert result.returncode == 0, result.stderr


def test_the_certificate_can_come_from_the_token(token: dict[str, Any]) -> None:
    signer = load_signer(_config(token, "ec"))
    assert signer.certificate == token["certs"]["ec"]


def test_a_wrong_pin_is_a_clear_error(token: dict[str, Any], tmp_path: Path) -> None:
    bad = tmp_path / "bad-pin"
    bad.write_text("0000\n")
    bad.chmod(0o600)
    with pytest.raises(KeyLoadError, match=f"{TOKEN}.*PIN"):
        load_signer(_config(token, "ec", pin_file=bad))


def test_a_missing_key_or_module_is_a_clear_error(token: dict[str, Any]) -> None:
    with pytest.raises(KeyLoadError, match="'nope'"):
        load_signer(_config(token, "nope", certificate=token["paths"]["ec"]))
    with pytest.raises(KeyLoadError, match="softhsm2"):
        load_signer(_config(token, "ec", pkcs11_module="/nonexistent/module.so"))


def test_a_certificate_of_another_key_is_refused(token: dict[str, Any]) -> None:
    with pytest.raises(KeyLoadError, match="does not match"):
        load_signer(_config(token, "ec", certificate=_other_ec_certificate(token)))


def _other_ec_certificate(token: dict[str, Any]) -> Path:
    key = ec.generate_private_key(ec.SECP256R1())
    path = token["pin"].parent / "other.pem"
    path.write_bytes(self_signed(key, "other").public_bytes(serialization.Encoding.PEM))
    return path


def test_softhsm_has_no_gost_mechanisms_and_a_gost_certificate_is_refused(
        token: dict[str, Any], tmp_path: Path) -> None:
    """docs/signing.md says GOST tokens are not supported for want of a token to test with:
    SoftHSM here has none of the GOST mechanisms (CKM_GOSTR3410_KEY_PAIR_GEN 0x1200 to
    CKM_GOSTR3411_HMAC 0x1211); should it gain them, this fails and asks for the signer."""
    import pkcs11

    mechanisms = pkcs11.lib(str(MODULE)).get_token(token_label=TOKEN).slot.get_mechanisms()
    assert mechanisms
    assert not [m for m in mechanisms if 0x1200 <= int(m) <= 0x1211]
    require_gost_engine()
    _, gost_cert = generate_dev_key("gost2012-256", tmp_path / "gost")
    with pytest.raises(KeyLoadError, match="GOST keys on PKCS#11 tokens are not supported"):
        load_signer(_config(token, "ec", certificate=gost_cert))
