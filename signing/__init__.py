"""W3C XML-Signature 1.1 for customs documents: a leaf library (imports nothing of customs).

Sign: `sign_enveloped(root, signer, reference_uri="" | "#Id")` with a `Signer` from
`load_software_signer(...)`, `Pkcs11Signer(...)` or `load_signer(config)`.
Verify: `Verifier(trusted=[cert], public_keys=[...], ca=[...]).verify(bytes)` returns what the
signature covers, or raises VerificationError / PolicyError with a reason.
"""

from signing.algorithms import ECDSA_SHA256, EXC_C14N, RSA_SHA256
from signing.config import SignerConfig, load_signer
from signing.errors import (
    CertificateExpired,
    KeyLoadError,
    PolicyError,
    SigningError,
    VerificationError,
)
from signing.keys import (
    CertificateStatus,
    KeyRing,
    Signer,
    SoftwareSigner,
    certificate_status,
    fingerprint,
    generate_dev_key,
    load_certificate,
    load_software_signer,
    secret_from,
)
from signing.sign import sign_bytes_document, sign_enveloped
from signing.verify import Verified, Verifier

__all__ = [
    "ECDSA_SHA256", "EXC_C14N", "RSA_SHA256", "CertificateExpired", "CertificateStatus",
    "KeyLoadError", "KeyRing", "PolicyError", "Signer", "SignerConfig", "SigningError",
    "SoftwareSigner", "VerificationError", "Verified", "Verifier", "certificate_status",
    "fingerprint", "generate_dev_key", "load_certificate", "load_signer",
    "load_software_signer", "secret_from", "sign_bytes_document", "sign_enveloped",
]
