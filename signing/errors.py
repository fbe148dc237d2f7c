"""Errors of the signing library: each carries a reason a person can act on."""


class SigningError(Exception):
    """Base class."""


class KeyLoadError(SigningError):
    """A key or certificate cannot be loaded (missing, unreadable, bad passphrase, unsafe mode)."""


class CertificateExpired(SigningError):
    """Refusing to sign: the signing certificate is not valid at this time."""


class VerificationError(SigningError):
    """The signature does not verify: the document or the signature was altered, or wrong key."""


class PolicyError(VerificationError):
    """Refused by policy before any cryptography: weak algorithm, DTD, wrapping, unknown key."""
