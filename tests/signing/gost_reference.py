"""GOST signatures checked outside the project, from the document with lxml only: the OpenSSL
GOST engine's own command and gostcrypto (pure Python). Shared by the signing tests and the
end-to-end test of the Russian profile. The value is s||r (RFC 4491 2.2.2, RFC 9215)."""

from __future__ import annotations

import base64
import hashlib
from functools import cache
from pathlib import Path

from gostcrypto import gosthash, gostsignature
from lxml import etree

from tests.signing.conftest import DS, openssl_gost

# The curves of the development keys (paramset A): CryptoPro-A is TC26 256 paramSetB.
CURVES = {256: "id-tc26-gost-3410-2012-256-paramSetB", 512: "id-tc26-gost-3410-12-512-paramSetA"}


def canonical(element: etree._Element) -> bytes:
    return bytes(etree.tostring(element, method="c14n", exclusive=True, with_comments=False))


def parts(document: bytes) -> tuple[bytes, bytes, bytes, bytes]:
    """With lxml alone: the canonical content without the signature, the canonical
    SignedInfo, the DigestValue and the SignatureValue."""
    root = etree.fromstring(document)
    signature = root.find(f"{DS}Signature")
    signed_info = signature.find(f"{DS}SignedInfo")
    canonical_info = canonical(signed_info)
    digest = base64.b64decode(signed_info.findtext(f".//{DS}DigestValue"))
    value = base64.b64decode(signature.findtext(f"{DS}SignatureValue"))
    root.remove(signature)
    return canonical(root), canonical_info, digest, value


def openssl_digest(size: int, data: bytes, tmp_path: Path) -> bytes:
    (tmp_path / "data").write_bytes(data)
    done = openssl_gost("dgst", f"-md_gost12_{size}", "-binary", "-out",
                        str(tmp_path / "digest"), str(tmp_path / "data"))
    assert done.returncode == 0, done.stderr
    return (tmp_path / "digest").read_bytes()


@cache
def public_key(cert: Path, tmp_path: Path) -> Path:
    """The certificate's public key as PEM, extracted by the `openssl` command."""
    public = tmp_path / f"public-{hashlib.sha256(str(cert).encode()).hexdigest()[:12]}.pem"
    assert openssl_gost("x509", "-in", str(cert), "-noout", "-pubkey", "-out",
                        str(public)).returncode == 0
    return public


def openssl_verifies(size: int, cert: Path, data: bytes, value: bytes, tmp_path: Path) -> bool:
    public = public_key(cert, tmp_path)
    (tmp_path / "signed").write_bytes(data)
    (tmp_path / "value").write_bytes(value)
    done = openssl_gost("dgst", f"-md_gost12_{size}", "-verify", str(public), "-signature",
                        str(tmp_path / "value"), str(tmp_path / "signed"))
    return done.returncode == 0 and b"Verified OK" in done.stdout


def gostcrypto_verifies(size: int, cert: Path, data: bytes, value: bytes, tmp_path: Path) -> bool:
    """gostcrypto works on big-endian integers: the certificate's key is little-endian X, Y
    (RFC 4491 2.3.2), the digest is read little-endian (as the engine does), and it wants
    r||s where XML-Signature carries s||r."""
    public = public_key(cert, tmp_path)
    spki = base64.b64decode("".join(public.read_text().splitlines()[1:-1]))
    half = size // 8
    point = spki[-2 * half:]  # the OCTET STRING that ends the SubjectPublicKeyInfo
    key = point[:half][::-1] + point[half:][::-1]
    digest = gosthash.new(f"streebog{size}", data=data).digest()
    mode = gostsignature.MODE_256 if size == 256 else gostsignature.MODE_512
    verifier = gostsignature.new(mode, gostsignature.CURVES_R_1323565_1_024_2019[CURVES[size]])
    return bool(verifier.verify(key, digest[::-1], value[half:] + value[:half]))
