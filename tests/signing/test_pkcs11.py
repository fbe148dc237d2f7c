"""The PKCS#11 signer against a real token implementation (SoftHSM 2), verified by us and by
xmlsec1: the key never leaves the token, and callers do not change."""

from __future__ import annotations

import os
import shutil
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from lxml import etree

from signing import SignerConfig, Verifier, load_signer, sign_enveloped

MODULE = Path("/usr/lib/softhsm/libsofthsm2.so")


def _name(cn: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])


@pytest.fixture(scope="module")
def token(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    util = shutil.which("softhsm2-util")
    if util is None or not MODULE.exists():
        pytest.fail("SoftHSM 2 is missing: install the Debian package softhsm2 "
                    "(scripts/setup.sh does)")
    home = tmp_path_factory.mktemp("softhsm")
    (home / "tokens").mkdir()
    conf = home / "softhsm2.conf"
    conf.write_text(f"directories.tokendir = {home / 'tokens'}\nobjectstore.backend = file\n")
    old = os.environ.get("SOFTHSM2_CONF")
    os.environ["SOFTHSM2_CONF"] = str(conf)
    subprocess.run([util, "--init-token", "--free", "--label", "customs-test", "--pin", "1234",
                    "--so-pin", "5678"], check=True, capture_output=True)
    import pkcs11
    from pkcs11 import Attribute, KeyType
    from pkcs11.util.ec import encode_ec_public_key, encode_named_curve_parameters

    lib = pkcs11.lib(str(MODULE))
    with lib.get_token(token_label="customs-test").open(rw=True, user_pin="1234") as session:
        params = session.create_domain_parameters(
            KeyType.EC, {Attribute.EC_PARAMS: encode_named_curve_parameters("secp256r1")},
            local=True)
        public, _ = params.generate_keypair(store=True, label="declarations")
        token_public = serialization.load_der_public_key(encode_ec_public_key(public))
    ca_key = ec.generate_private_key(ec.SECP256R1())
    now = datetime.now(UTC)
    ca = (x509.CertificateBuilder().subject_name(_name("test CA")).issuer_name(_name("test CA"))
          .public_key(ca_key.public_key()).serial_number(1).not_valid_before(now)
          .not_valid_after(now + timedelta(days=30))
          .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
          .sign(ca_key, hashes.SHA256()))
    leaf = (x509.CertificateBuilder().subject_name(_name("HSM signer")).issuer_name(ca.subject)
            .public_key(token_public).serial_number(2).not_valid_before(now)
            .not_valid_after(now + timedelta(days=30)).sign(ca_key, hashes.SHA256()))
    cert_path = home / "hsm-cert.pem"
    cert_path.write_bytes(leaf.public_bytes(serialization.Encoding.PEM))
    pin = home / "pin"
    pin.write_text("1234\n")
    pin.chmod(0o600)
    yield {"cert": cert_path, "ca": ca, "pin": pin}
    if old is None:
        os.environ.pop("SOFTHSM2_CONF", None)
    else:
        os.environ["SOFTHSM2_CONF"] = old


def test_token_signer_signs_and_independent_verifiers_accept(token, tmp_path):
    signer = load_signer(SignerConfig(
        kind="pkcs11", pkcs11_module=MODULE, pkcs11_token="customs-test",
        pkcs11_key_label="declarations", pin_file=token["pin"], certificate=token["cert"]))
    root = etree.fromstring(b'<Declaration xmlns="urn:d" Id="D-1"><Value>12.50</Value>'
                            b"</Declaration>")
    document = etree.tostring(sign_enveloped(root, signer, reference_uri="#D-1"))
    assert Verifier(ca=[token["ca"]]).verify(document).element.findtext("{urn:d}Value") == \
        "12.50"
    path = tmp_path / "hsm.xml"
    path.write_bytes(document)
    result = subprocess.run(
        ["xmlsec1", "--verify", "--pubkey-cert-pem", str(token["cert"]), "--enabled-key-data",
         "key-name", "--id-attr:Id", "urn:d:Declaration", str(path)],
        capture_output=True, text=True, timeout=30)
    assert result.returncode == 0, result.stderr


def test_wrong_pin_is_a_clear_error(token, tmp_path):
    from signing import KeyLoadError

    bad = tmp_path / "bad-pin"
    bad.write_text("0000\n")
    bad.chmod(0o600)
    with pytest.raises(KeyLoadError, match="customs-test"):
        load_signer(SignerConfig(kind="pkcs11", pkcs11_module=MODULE,
                                 pkcs11_token="customs-test", pkcs11_key_label="declarations",
                                 pin_file=bad, certificate=token["cert"]))
