"""GOST R 34.10-2012 software keys: the signer, and development keys with a self-signed
certificate, made by the OpenSSL GOST engine (see signing/gost.py)."""

from __future__ import annotations

import ctypes
import os
from collections.abc import Callable
from ctypes import POINTER, byref, c_char_p, c_int, c_long, c_uint64, c_void_p
from datetime import datetime

from cryptography import x509

from signing import gost
from signing.algorithms import GOST_256, GOST_512, gost_bits
from signing.errors import KeyLoadError
from signing.signer import Signer, self_test

ALGORITHMS = {256: GOST_256, 512: GOST_512}
# The parameter sets a development key gets: CryptoPro-A for 256 bits (the one Russian CAs
# issue most; the same curve as TC26 256 paramSetB) and TC26 512 paramSetA.
_PARAMSET = {256: b"A", 512: b"A"}
_VOID = c_void_p
_PROTOTYPES: dict[str, tuple[object, list[object]]] = {
    "X509_new": (_VOID, []),
    "X509_set_version": (c_int, [_VOID, c_long]),
    "X509_get_serialNumber": (_VOID, [_VOID]),
    "ASN1_INTEGER_set_uint64": (c_int, [_VOID, c_uint64]),
    "X509_getm_notBefore": (_VOID, [_VOID]),
    "X509_getm_notAfter": (_VOID, [_VOID]),
    "X509_time_adj_ex": (_VOID, [_VOID, c_int, c_long, POINTER(ctypes.c_int64)]),
    "X509_get_subject_name": (_VOID, [_VOID]),
    "X509_NAME_add_entry_by_txt": (c_int, [_VOID, c_char_p, c_int, c_char_p, c_int, c_int,
                                           c_int]),
    "X509_set_issuer_name": (c_int, [_VOID, _VOID]),
    "X509_set_pubkey": (c_int, [_VOID, _VOID]),
    "X509V3_EXT_conf_nid": (_VOID, [_VOID, _VOID, c_int, c_char_p]),
    "X509_add_ext": (c_int, [_VOID, _VOID, c_int]),
    "X509_EXTENSION_free": (None, [_VOID]),
    "X509_sign": (c_int, [_VOID, _VOID, _VOID]),
    "PEM_write_bio_X509": (c_int, [_VOID, _VOID]),
}
_MBSTRING_UTF8, _NID_BASIC_CONSTRAINTS, _NID_KEY_USAGE = 0x1000, 87, 83


class GostSigner(Signer):
    """A GOST R 34.10-2012 (256- or 512-bit) private key held by the OpenSSL GOST engine; the
    signature method follows the certificate's key size, the reference digest is the
    Streebog of the same size."""

    def __init__(self, key: gost.GostPrivateKey, certificate: x509.Certificate) -> None:
        bits = gost_bits(certificate)
        if bits is None:
            raise KeyLoadError("the certificate's key is not GOST R 34.10-2012")
        self._key, self._certificate, self._algorithm = key, certificate, ALGORITHMS[bits]
        self_test(self)

    @property
    def algorithm(self) -> str:
        return self._algorithm

    @property
    def certificate(self) -> x509.Certificate:
        return self._certificate

    def sign(self, data: bytes) -> bytes:
        return self._key.sign(data)

    def __repr__(self) -> str:
        return f"GostSigner({self._certificate.subject.rfc4514_string()!r})"


def load_gost_signer(pem: bytes, certificate: x509.Certificate,
                     passphrase: bytes | None) -> GostSigner:
    bits = gost_bits(certificate)
    if bits is None:
        raise KeyLoadError("the certificate's key is not GOST R 34.10-2012")
    return GostSigner(gost.load_private_key(pem, passphrase, bits), certificate)


def _library() -> ctypes.CDLL:
    lib = gost.crypto().lib
    for name, (restype, argtypes) in _PROTOTYPES.items():
        function = getattr(lib, name)
        function.restype, function.argtypes = restype, argtypes
    return lib


def _check(ok: object, what: str) -> None:
    if not ok:
        gost.crypto().lib.ERR_clear_error()
        raise KeyLoadError(f"the GOST engine failed to {what}")


def _generate(lib: ctypes.CDLL, bits: int) -> int:
    context = lib.EVP_PKEY_CTX_new_id(lib.OBJ_txt2nid(gost._KEY_TYPES[bits]),
                                      gost.crypto().engine)
    _check(context, "create a key context")
    try:
        key = c_void_p()
        _check(lib.EVP_PKEY_keygen_init(context) == 1 and
               lib.EVP_PKEY_CTX_ctrl_str(context, b"paramset", _PARAMSET[bits]) > 0 and
               lib.EVP_PKEY_keygen(context, byref(key)) == 1, f"generate a {bits}-bit key")
        return int(key.value or 0)
    finally:
        lib.EVP_PKEY_CTX_free(context)


def _pem(lib: ctypes.CDLL, write: Callable[[int], int]) -> bytes:
    bio = lib.BIO_new(lib.BIO_s_mem())
    try:
        _check(write(bio) == 1, "write PEM")
        out = ctypes.create_string_buffer(lib.BIO_ctrl_pending(bio))
        size = lib.BIO_read(bio, out, len(out))
        return out.raw[:size]
    finally:
        lib.BIO_free(bio)


def _certificate(lib: ctypes.CDLL, key: int, bits: int, common_name: str, days: int,
                 not_before: datetime) -> int:
    cert = lib.X509_new()
    start = ctypes.c_int64(int(not_before.timestamp()))
    name = lib.X509_get_subject_name(cert)
    steps = [
        lib.X509_set_version(cert, 2),
        lib.ASN1_INTEGER_set_uint64(lib.X509_get_serialNumber(cert),
                                    int.from_bytes(os.urandom(8), "big") >> 1),
        lib.X509_time_adj_ex(lib.X509_getm_notBefore(cert), 0, 0, byref(start)),
        lib.X509_time_adj_ex(lib.X509_getm_notAfter(cert), days, 0, byref(start)),
        lib.X509_NAME_add_entry_by_txt(name, b"CN", _MBSTRING_UTF8, common_name.encode(),
                                       -1, -1, 0),
        lib.X509_set_issuer_name(cert, name),
        lib.X509_set_pubkey(cert, key),
    ]
    for nid, value in ((_NID_BASIC_CONSTRAINTS, b"critical,CA:FALSE"),
                       (_NID_KEY_USAGE, b"critical,digitalSignature,nonRepudiation")):
        extension = lib.X509V3_EXT_conf_nid(None, None, nid, value)
        steps.append(extension and lib.X509_add_ext(cert, extension, -1))
        lib.X509_EXTENSION_free(extension)
    steps.append(lib.X509_sign(cert, key, gost.crypto().digests[bits]) > 0)
    if not all(steps):
        lib.X509_free(cert)
        _check(False, "build the self-signed certificate")
    return int(cert)


def generate_gost_key(bits: int, common_name: str, days: int,
                      not_before: datetime) -> tuple[bytes, bytes]:
    """A new GOST R 34.10-2012 key (PEM PKCS#8, unencrypted) and a self-signed certificate
    (PEM) valid `days` from `not_before`: for development only."""
    lib = _library()
    key = _generate(lib, bits)
    try:
        cert = _certificate(lib, key, bits, common_name, days, not_before)
        try:
            cert_pem = _pem(lib, lambda bio: lib.PEM_write_bio_X509(bio, cert))
        finally:
            lib.X509_free(cert)
        key_pem = _pem(lib, lambda bio: lib.PEM_write_bio_PrivateKey(
            bio, key, None, None, 0, None, None))
    finally:
        lib.EVP_PKEY_free(key)
    return key_pem, cert_pem
