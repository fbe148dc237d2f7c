"""Errors of the signing library: each carries a reason a person can act on.

    SigningError
    ├── KeyLoadError            key, certificate, passphrase or token cannot be used
    ├── CertificateNotValid     refusing to sign outside the certificate's validity
    │   ├── CertificateExpired      after notAfter
    │   └── CertificateNotYetValid  before notBefore
    └── VerificationError       the signature is invalid (altered, wrong key, malformed)
        └── PolicyError             refused by policy (weak algorithm, DTD, wrapping, untrusted)
"""


class SigningError(Exception):
    """Base class of every error raised by `signing`."""


class KeyLoadError(SigningError):
    """A key or certificate cannot be loaded (missing, unreadable, bad passphrase, unsafe mode)."""


class CertificateNotValid(SigningError):
    """Refusing to sign: the signing certificate is not valid at this time."""


class CertificateExpired(CertificateNotValid):
    """Refusing to sign: the signing certificate's notAfter has passed."""


class CertificateNotYetValid(CertificateNotValid):
    """Refusing to sign: the signing certificate's notBefore has not come yet."""


class VerificationError(SigningError):
    """The signature does not verify: the document or the signature was altered, or wrong key."""


class PolicyError(VerificationError):
    """Refused by policy, before or instead of cryptography: weak algorithm, DTD, wrapping,
    untrusted certificate, unsupported transform or reference."""
