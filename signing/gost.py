"""GOST R 34.10-2012 signatures and GOST R 34.11-2012 (Streebog) digests through the OpenSSL
GOST engine (Debian: libengine-gost-openssl), reached with ctypes in the system libcrypto.

`cryptography` has no GOST, and the engine package's provider (gostprov) has no GOST keys on
OpenSSL 3.0, so the engine it is; it is loaded once, on first use, for its digests and key
methods only, so nothing else in the process changes. The values are the engine's: a
signature is s||r, each big-endian, the width of the curve order (RFC 4491 2.2.2, RFC 9215),
and a Streebog digest the octets the engine (and gostcrypto) return.
"""

from __future__ import annotations

import ctypes
import threading
from ctypes import POINTER, byref, c_char_p, c_int, c_long, c_size_t, c_uint, c_void_p

from signing.errors import KeyLoadError, VerificationError

ENGINE_MISSING = ("GOST needs the OpenSSL GOST provider: apt-get install "
                  "libengine-gost-openssl")
# GOST R 34.10-2012 public key algorithms (RFC 9215 section 3) -> key size in bits
KEY_OIDS = {"1.2.643.7.1.1.1.1": 256, "1.2.643.7.1.1.1.2": 512}
_DIGESTS = {256: b"md_gost12_256", 512: b"md_gost12_512"}
_KEY_TYPES = {256: b"gost2012_256", 512: b"gost2012_512"}
# ENGINE_METHOD_DIGESTS | ENGINE_METHOD_PKEY_METHS | ENGINE_METHOD_PKEY_ASN1_METHS
_ENGINE_METHODS = 0x80 | 0x200 | 0x400
_VOID = c_void_p
_PROTOTYPES: dict[str, tuple[object, list[object]]] = {
    "ENGINE_by_id": (_VOID, [c_char_p]),
    "ENGINE_init": (c_int, [_VOID]),
    "ENGINE_set_default": (c_int, [_VOID, c_uint]),
    "EVP_get_digestbyname": (_VOID, [c_char_p]),
    "EVP_Digest": (c_int, [c_char_p, c_size_t, c_char_p, POINTER(c_uint), _VOID, _VOID]),
    "EVP_MD_CTX_new": (_VOID, []),
    "EVP_MD_CTX_free": (None, [_VOID]),
    "EVP_DigestSignInit": (c_int, [_VOID, _VOID, _VOID, _VOID, _VOID]),
    "EVP_DigestSign": (c_int, [_VOID, c_char_p, POINTER(c_size_t), c_char_p, c_size_t]),
    "EVP_DigestVerifyInit": (c_int, [_VOID, _VOID, _VOID, _VOID, _VOID]),
    "EVP_DigestVerify": (c_int, [_VOID, c_char_p, c_size_t, c_char_p, c_size_t]),
    "EVP_PKEY_free": (None, [_VOID]),
    "EVP_PKEY_CTX_new_id": (_VOID, [c_int, _VOID]),
    "EVP_PKEY_CTX_free": (None, [_VOID]),
    "EVP_PKEY_keygen_init": (c_int, [_VOID]),
    "EVP_PKEY_keygen": (c_int, [_VOID, POINTER(_VOID)]),
    "EVP_PKEY_CTX_ctrl_str": (c_int, [_VOID, c_char_p, c_char_p]),
    "OBJ_txt2nid": (c_int, [c_char_p]),
    "BIO_new_mem_buf": (_VOID, [c_char_p, c_int]),
    "BIO_new": (_VOID, [_VOID]),
    "BIO_s_mem": (_VOID, []),
    "BIO_ctrl_pending": (c_size_t, [_VOID]),
    "BIO_read": (c_int, [_VOID, c_char_p, c_int]),
    "BIO_free": (c_int, [_VOID]),
    "PEM_read_bio_PrivateKey": (_VOID, [_VOID, _VOID, _VOID, c_char_p]),
    "PEM_write_bio_PrivateKey": (c_int, [_VOID, _VOID, _VOID, _VOID, c_int, _VOID, _VOID]),
    "d2i_X509": (_VOID, [_VOID, POINTER(c_char_p), c_long]),
    "X509_free": (None, [_VOID]),
    "X509_get_pubkey": (_VOID, [_VOID]),
    "X509_verify": (c_int, [_VOID, _VOID]),
    "i2d_PUBKEY": (c_int, [_VOID, POINTER(c_char_p)]),
    "ERR_clear_error": (None, []),
}


class GostUnavailable(KeyLoadError):
    """The OpenSSL GOST engine is not installed (or libcrypto 3 is missing)."""


class _Crypto:
    """libcrypto with the GOST engine registered for its algorithms."""

    def __init__(self) -> None:
        try:
            lib = ctypes.CDLL("libcrypto.so.3")
        except OSError:
            raise GostUnavailable(ENGINE_MISSING + " (and libcrypto 3)") from None
        for name, (restype, argtypes) in _PROTOTYPES.items():
            function = getattr(lib, name)
            function.restype, function.argtypes = restype, argtypes
        engine = lib.ENGINE_by_id(b"gost")
        lib.ERR_clear_error()
        if not engine or lib.ENGINE_init(engine) != 1 or \
                lib.ENGINE_set_default(engine, _ENGINE_METHODS) != 1:
            raise GostUnavailable(ENGINE_MISSING)
        self.lib, self.engine = lib, engine
        self.digests = {bits: lib.EVP_get_digestbyname(name) for bits, name in _DIGESTS.items()}
        if not all(self.digests.values()):
            raise GostUnavailable(ENGINE_MISSING + " (the engine has no Streebog)")


_lock = threading.Lock()
_loaded: _Crypto | None = None


def crypto() -> _Crypto:
    """The loaded library; GostUnavailable with the one-line fix when the engine is absent
    (tried again on the next call: it may be installed meanwhile)."""
    global _loaded
    if _loaded is None:
        with _lock:
            if _loaded is None:
                _loaded = _Crypto()
    return _loaded


def available() -> bool:
    try:
        crypto()
    except GostUnavailable:
        return False
    return True


def streebog(bits: int, data: bytes) -> bytes:
    """GOST R 34.11-2012 with a 256- or 512-bit result."""
    loaded = crypto()
    out, size = ctypes.create_string_buffer(64), c_uint()
    if loaded.lib.EVP_Digest(data, len(data), out, byref(size), loaded.digests[bits], None) != 1:
        raise VerificationError("the Streebog digest failed in the GOST engine")
    return out.raw[:size.value]


class _Key:
    """An EVP_PKEY held by the engine, freed with this object."""

    def __init__(self, pointer: int, bits: int) -> None:
        self._crypto = crypto()
        self.pointer, self.bits = pointer, bits

    def __del__(self) -> None:
        if getattr(self, "pointer", None):
            self._crypto.lib.EVP_PKEY_free(self.pointer)
            self.pointer = 0

    def _digest_context(self, sign: bool) -> int:
        lib = self._crypto.lib
        context = lib.EVP_MD_CTX_new()
        init = lib.EVP_DigestSignInit if sign else lib.EVP_DigestVerifyInit
        if not context or init(context, None, self._crypto.digests[self.bits], None,
                               self.pointer) != 1:
            lib.EVP_MD_CTX_free(context)
            lib.ERR_clear_error()
            raise VerificationError(f"the GOST engine cannot use this {self.bits}-bit key")
        return int(context)


class GostPrivateKey(_Key):
    def sign(self, data: bytes) -> bytes:
        """Streebog over `data`, then GOST R 34.10-2012: s||r, big-endian (the engine's)."""
        lib = self._crypto.lib
        context = self._digest_context(sign=True)
        try:
            out, size = ctypes.create_string_buffer(128), c_size_t(128)
            if lib.EVP_DigestSign(context, out, byref(size), data, len(data)) != 1:
                lib.ERR_clear_error()
                raise VerificationError("GOST signing failed in the engine")
            return out.raw[:size.value]
        finally:
            lib.EVP_MD_CTX_free(context)


class GostPublicKey(_Key):
    """The public key of a GOST certificate; `public_bytes` gives its SubjectPublicKeyInfo,
    so pinning compares it like any other key."""

    def verify(self, signature: bytes, data: bytes) -> None:
        """VerificationError unless `signature` (s||r) over `data` verifies."""
        if len(signature) != self.bits // 4:
            raise VerificationError(f"a GOST {self.bits}-bit signature value is "
                                    f"{self.bits // 4} bytes (s||r), got {len(signature)}")
        lib = self._crypto.lib
        context = self._digest_context(sign=False)
        try:
            ok = lib.EVP_DigestVerify(context, signature, len(signature), data, len(data))
        finally:
            lib.EVP_MD_CTX_free(context)
        if ok != 1:
            lib.ERR_clear_error()
            raise VerificationError("the signature value does not verify with the key")

    def public_bytes(self, *_: object) -> bytes:
        lib = self._crypto.lib
        size = lib.i2d_PUBKEY(self.pointer, None)
        out = ctypes.create_string_buffer(max(size, 0))
        cursor = c_char_p(ctypes.addressof(out))
        if size <= 0 or lib.i2d_PUBKEY(self.pointer, byref(cursor)) != size:
            raise VerificationError("the GOST public key cannot be encoded")
        return out.raw

    def __eq__(self, other: object) -> bool:
        return isinstance(other, GostPublicKey) and other.public_bytes() == self.public_bytes()

    def __hash__(self) -> int:
        return hash(self.public_bytes())


class _X509:
    """A parsed certificate in libcrypto (freed on exit)."""

    def __init__(self, der: bytes) -> None:
        self._crypto = crypto()
        cursor = c_char_p(der)
        self.pointer = self._crypto.lib.d2i_X509(None, byref(cursor), len(der))
        if not self.pointer:
            self._crypto.lib.ERR_clear_error()
            raise VerificationError("the GOST engine cannot read the certificate")

    def __enter__(self) -> _X509:
        return self

    def __exit__(self, *_: object) -> None:
        self._crypto.lib.X509_free(self.pointer)


def public_key(certificate_der: bytes, bits: int) -> GostPublicKey:
    """The GOST public key of a certificate (DER)."""
    with _X509(certificate_der) as cert:
        pointer = cert._crypto.lib.X509_get_pubkey(cert.pointer)
    if not pointer:
        crypto().lib.ERR_clear_error()
        raise VerificationError("the certificate's GOST public key cannot be read")
    return GostPublicKey(pointer, bits)


def issued_by(certificate_der: bytes, issuer: GostPublicKey) -> bool:
    """Whether the certificate's signature verifies with the issuer's GOST key."""
    with _X509(certificate_der) as cert:
        ok = cert._crypto.lib.X509_verify(cert.pointer, issuer.pointer) == 1
    crypto().lib.ERR_clear_error()
    return ok


def load_private_key(pem: bytes, passphrase: bytes | None, bits: int) -> GostPrivateKey:
    """A PEM (PKCS#8) GOST private key, encrypted or not."""
    lib = crypto().lib
    bio = lib.BIO_new_mem_buf(pem, len(pem))
    try:
        pointer = lib.PEM_read_bio_PrivateKey(bio, None, None, passphrase or b"")
    finally:
        lib.BIO_free(bio)
    if not pointer:
        lib.ERR_clear_error()
        raise KeyLoadError("cannot load the GOST private key; check the passphrase and the "
                           "format (PEM PKCS#8)")
    return GostPrivateKey(pointer, bits)
