"""Signed list cursors: one format for every list (feed, search, manifests' parcels, webhooks,
deliveries, quarantine, rates).

A cursor is `<payload>.<tag>`, both base64url without padding: the payload is what the list
needs to resume (its own format, opaque to clients), the tag an HMAC-SHA256 (128 bits) over
the list's name, the caller (Principal.cursor_owner: the API key and its scope) and the
payload, under the server's cursor key. A cursor altered, forged, made for another list or
given by another key fails the tag: INVALID_CURSOR, before its payload is read.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac

from customs.domain.errors import Invalid

TAG_BYTES = 16
MAX_CURSOR = 512  # characters; every payload we make is far shorter


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _tag(key: bytes, kind: str, owner: str, payload: bytes) -> bytes:
    message = b"\x00".join((kind.encode(), owner.encode(), payload))
    return hmac.new(key, message, hashlib.sha256).digest()[:TAG_BYTES]


def seal(key: bytes, kind: str, owner: str, payload: str) -> str:
    raw = payload.encode("utf-8")
    return f"{_b64(raw)}.{_b64(_tag(key, kind, owner, raw))}"


def unseal(key: bytes, kind: str, owner: str, cursor: str) -> str:
    """The payload of a cursor this server gave `owner` for list `kind`; INVALID_CURSOR else."""
    try:
        if len(cursor) > MAX_CURSOR or not cursor.isascii():
            raise ValueError("not a cursor")
        encoded, _, tag = cursor.partition(".")
        raw = _unb64(encoded)
        if not hmac.compare_digest(_unb64(tag), _tag(key, kind, owner, raw)):
            raise ValueError("wrong tag")
        return raw.decode("utf-8")
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise Invalid("INVALID_CURSOR", "the cursor is not one this list returned to this API "
                                        "key (cursors are signed: altered ones are refused)"
                      ) from None
