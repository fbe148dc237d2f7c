"""W3C XML-Signature 1.1 for customs documents: a leaf library (imports nothing of customs).

Sign: `sign_enveloped(root, signer, reference_uri="" | "#<Id>")` in place on an lxml tree,
`signed_canonical(root, signer, reference_id=Id)` straight to bytes (quicker), or
`sign_bytes_document(bytes, signer)`, with a `Signer` from `load_signer(config)` (a software
key or a PKCS#11 token). Verify: `Verifier(trusted=[cert], public_keys=[...], ca=[...])
.verify(bytes)` returns what the signature covers, or raises VerificationError (invalid) /
PolicyError (refused by policy) with a reason. Rotation: `KeyRing`; expiry: `certificate_status`.
GOST R 34.10-2012 keys and certificates (signing/gost.py) go the same ways, through the OpenSSL
GOST engine.
"""

from signing.algorithms import (
    ECDSA_SHA256,
    EXC_C14N,
    GOST_256,
    GOST_512,
    RSA_SHA256,
    STREEBOG_256,
    STREEBOG_512,
)
from signing.certificates import (
    DEV_ALGORITHMS,
    EXPIRY_WARNING_DAYS,
    CertificateStatus,
    KeyRing,
    certificate_status,
    fingerprint,
    generate_dev_key,
)
from signing.config import SignerConfig, load_signer
from signing.errors import (
    CertificateExpired,
    CertificateNotValid,
    CertificateNotYetValid,
    KeyLoadError,
    PolicyError,
    SigningError,
    VerificationError,
)
from signing.keys import (
    Signer,
    SoftwareSigner,
    load_certificate,
    load_certificates,
    load_software_signer,
    secret_from,
)
from signing.sign import sign_bytes_document, sign_enveloped, signed_canonical
from signing.verify import Verified, Verifier, parse_untrusted

__all__ = [
    "DEV_ALGORITHMS", "ECDSA_SHA256", "EXC_C14N", "EXPIRY_WARNING_DAYS", "GOST_256", "GOST_512",
    "RSA_SHA256", "STREEBOG_256", "STREEBOG_512", "CertificateExpired",
    "CertificateNotValid", "CertificateNotYetValid", "CertificateStatus", "KeyLoadError",
    "KeyRing", "PolicyError", "Signer", "SignerConfig", "SigningError", "SoftwareSigner",
    "VerificationError", "Verified", "Verifier", "certificate_status", "fingerprint",
    "generate_dev_key", "load_certificate", "load_certificates", "load_signer",
    "load_software_signer", "parse_untrusted", "secret_from", "sign_bytes_document",
    "sign_enveloped", "signed_canonical",
]
