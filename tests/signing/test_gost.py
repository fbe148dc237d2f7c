"""GOST R 34.10-2012 signatures interoperate: ours verify with the OpenSSL GOST engine's own
command and with gostcrypto (pure Python), each recomputing from the document with lxml only;
a signature made by the `openssl` command, in XML the test assembles, verifies here; a
tampered copy fails in all three. The value is s||r (RFC 4491 2.2.2, RFC 9215)."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest
from gostcrypto import gosthash
from lxml import etree

from signing import (
    GOST_256,
    GOST_512,
    STREEBOG_256,
    STREEBOG_512,
    KeyLoadError,
    Signer,
    VerificationError,
    Verifier,
    generate_dev_key,
    load_certificate,
    load_software_signer,
    sign_enveloped,
    signed_canonical,
)
from tests.signing.conftest import DS, openssl_gost
from tests.signing.documents import declaration, tamper
from tests.signing.gost_reference import (
    canonical,
    gostcrypto_verifies,
    openssl_digest,
    openssl_verifies,
    parts,
)

METHODS = {256: (GOST_256, STREEBOG_256), 512: (GOST_512, STREEBOG_512)}


def signed(signer: Signer, how: str) -> bytes:
    if how == "canonical":
        return signed_canonical(declaration(), signer, reference_id="D-42")
    root = sign_enveloped(declaration(), signer, reference_uri="#D-42")
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8"))


@pytest.mark.parametrize("how", ["canonical", "tree"])
def test_ours_verify_with_the_openssl_engine_and_a_tampered_copy_does_not(
        gost_signer: Signer, gost_key: tuple[Path, Path], gost_size: int, how: str,
        tmp_path: Path) -> None:
    document = signed(gost_signer, how)
    assert [e.get("Algorithm") for e in etree.fromstring(document).iter(
        f"{DS}SignatureMethod", f"{DS}DigestMethod")] == list(METHODS[gost_size])
    content, signed_info, digest, value = parts(document)
    assert len(value) == gost_size // 4
    assert openssl_digest(gost_size, content, tmp_path) == digest
    assert openssl_verifies(gost_size, gost_key[1], signed_info, value, tmp_path)
    changed, _, _, _ = parts(tamper(document))
    assert openssl_digest(gost_size, changed, tmp_path) != digest
    other_info = signed_info.replace(b"#D-42", b"#D-43")
    assert not openssl_verifies(gost_size, gost_key[1], other_info, value, tmp_path)
    ours = Verifier([gost_signer.certificate])  # and ours, the third verifier
    assert ours.verify(document).data == content
    with pytest.raises(VerificationError, match="digest mismatch"):
        ours.verify(tamper(document))


def test_ours_verify_with_gostcrypto_and_a_tampered_copy_does_not(
        gost_signer: Signer, gost_key: tuple[Path, Path], gost_size: int,
        tmp_path: Path) -> None:
    document = signed(gost_signer, "canonical")
    content, signed_info, digest, value = parts(document)
    assert gosthash.new(f"streebog{gost_size}", data=content).digest() == digest
    assert gostcrypto_verifies(gost_size, gost_key[1], signed_info, value, tmp_path)
    changed, _, _, _ = parts(tamper(document))
    assert gosthash.new(f"streebog{gost_size}", data=changed).digest() != digest
    assert not gostcrypto_verifies(gost_size, gost_key[1], signed_info.replace(b"D-42", b"D-4"),
                                   value, tmp_path)


def test_the_value_is_s_then_r(gost_signer: Signer, gost_size: int) -> None:
    """r||s (the other order) verifies nowhere: not here, nor (above) in the references."""
    document = signed(gost_signer, "canonical")
    _, _, _, value = parts(document)
    half = gost_size // 8
    swapped = base64.b64encode(value[half:] + value[:half])
    broken = document.replace(base64.b64encode(value), swapped)
    with pytest.raises(VerificationError, match="does not verify"):
        Verifier([gost_signer.certificate]).verify(broken)


def _outside_signature(size: int, key: Path, cert: Path, tmp_path: Path) -> bytes:
    """A declaration signed the way another GOST signer would: default-namespace Signature,
    whitespace between its elements, every value computed by the `openssl` command."""
    root = declaration()
    digest = openssl_digest(size, canonical(root), tmp_path)
    method, digest_method = METHODS[size]
    der = base64.b64decode("".join(cert.read_text().splitlines()[1:-1]))
    root.append(etree.fromstring(
        f'<Signature xmlns="http://www.w3.org/2000/09/xmldsig#">\n <SignedInfo>\n'
        f'  <CanonicalizationMethod Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"/>\n'
        f'  <SignatureMethod Algorithm="{method}"/>\n  <Reference URI="#D-42"><Transforms>'
        '<Transform Algorithm="http://www.w3.org/2000/09/xmldsig#enveloped-signature"/>'
        '<Transform Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"/></Transforms>'
        f'<DigestMethod Algorithm="{digest_method}"/><DigestValue>'
        f'{base64.b64encode(digest).decode()}</DigestValue></Reference>\n </SignedInfo>\n'
        f' <SignatureValue/>\n <KeyInfo><X509Data><X509Certificate>'
        f'{base64.b64encode(der).decode()}</X509Certificate></X509Data></KeyInfo>\n'
        '</Signature>'))
    signed_info = canonical(root.find(f".//{DS}SignedInfo"))
    (tmp_path / "info").write_bytes(signed_info)
    done = openssl_gost("dgst", f"-md_gost12_{size}", "-sign", str(key), "-binary", "-out",
                        str(tmp_path / "value"), str(tmp_path / "info"))
    assert done.returncode == 0, done.stderr
    root.find(f".//{DS}SignatureValue").text = base64.b64encode(
        (tmp_path / "value").read_bytes()).decode()
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8"))


def test_a_signature_made_by_the_openssl_engine_verifies_here(gost_size: int,
                                                              tmp_path: Path) -> None:
    key, cert = tmp_path / "key.pem", tmp_path / "cert.pem"
    made = openssl_gost("req", "-x509", "-newkey", f"gost2012_{gost_size}", "-pkeyopt",
                        "paramset:A", "-nodes", "-subj", "/CN=outside signer", "-days", "2",
                        "-keyout", str(key), "-out", str(cert))
    assert made.returncode == 0, made.stderr
    document = _outside_signature(gost_size, key, cert, tmp_path)
    verified = Verifier([load_certificate(cert)]).verify(document)
    assert verified.signature_method == METHODS[gost_size][0]
    assert etree.QName(verified.element).localname == "Declaration"
    with pytest.raises(VerificationError, match="digest mismatch"):
        Verifier([load_certificate(cert)]).verify(tamper(document))


def test_a_gost_certificate_is_pinned_like_any_other(gost_signer: Signer, p256: Signer) -> None:
    document = signed(gost_signer, "canonical")
    assert Verifier([p256.certificate, gost_signer.certificate]).verify(document).certificate \
        == gost_signer.certificate
    with pytest.raises(VerificationError, match="not trusted"):
        Verifier([p256.certificate]).verify(document)


def test_an_encrypted_gost_key_loads_with_its_passphrase_only(
        gost_key: tuple[Path, Path], gost_size: int, tmp_path: Path) -> None:
    encrypted = tmp_path / "encrypted.pem"
    made = openssl_gost("pkcs8", "-topk8", "-v2", "aes-256-cbc", "-in", str(gost_key[0]),
                        "-out", str(encrypted), "-passout", "pass:secret")
    assert made.returncode == 0, made.stderr
    encrypted.chmod(0o600)
    signer = load_software_signer(encrypted, gost_key[1], b"secret")
    assert signer.algorithm == METHODS[gost_size][0]
    for wrong in (b"wrong", None):
        with pytest.raises(KeyLoadError, match=r"encrypted\.pem: cannot load the GOST private key"):
            load_software_signer(encrypted, gost_key[1], wrong)


def test_a_gost_key_with_another_certificate_is_refused(gost_key: tuple[Path, Path],
                                                        tmp_path: Path) -> None:
    for algorithm in ("gost2012-256", "gost2012-512"):
        _, other = generate_dev_key(algorithm, tmp_path / algorithm)
        with pytest.raises(KeyLoadError, match="does not match the certificate"):
            load_software_signer(gost_key[0], other)
    gost_key[0].chmod(0o644)
    try:
        with pytest.raises(KeyLoadError, match="chmod 600"):
            load_software_signer(*gost_key)
    finally:
        gost_key[0].chmod(0o600)


def test_a_method_that_does_not_fit_the_key_is_refused(gost_signer: Signer,
                                                       gost_size: int) -> None:
    """The other GOST size, or ECDSA, named over a GOST key: no verification is attempted."""
    document = signed(gost_signer, "canonical")
    own = METHODS[gost_size][0].encode()
    for other in (METHODS[768 - gost_size][0], "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256"):
        with pytest.raises(VerificationError, match="GostPublicKey cannot verify"):
            Verifier([gost_signer.certificate]).verify(document.replace(own, other.encode()))
