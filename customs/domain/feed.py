"""Feed positions and their opaque cursors.

A position is (writer transaction id, event id): on PostgreSQL the feed serves only events of
transactions older than every running one, in that order, so a transaction that commits late
is never skipped; on SQLite writers are serialised and the transaction id is 0. A cursor carries
the position, a fingerprint of its owner (the API key and its scope: another key's cursor is
refused, even one of the same scope, as docs/api.md says) and when it was issued (cursors
expire). The fingerprint is no secret and needs none: a cursor only says where to resume, and
every read is limited to the caller's own scope whatever cursor it sends.
"""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from customs.domain.errors import Gone, Invalid

VERSION = "f1"


@dataclass(frozen=True, slots=True, order=True)
class FeedPosition:
    txid: int = 0
    event_id: int = 0


START = FeedPosition()


def owner_fingerprint(owner: str) -> str:
    """`owner`: Principal.cursor_owner (the key id and its scope)."""
    return hashlib.sha256(owner.encode()).hexdigest()[:12]


def encode_cursor(position: FeedPosition, owner: str, issued: datetime) -> str:
    text = (f"{VERSION}.{position.txid}.{position.event_id}.{owner_fingerprint(owner)}."
            f"{int(issued.timestamp())}")
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def decode_cursor(cursor: str | None, owner: str, now: datetime,
                  max_age: timedelta) -> FeedPosition:
    """The position a cursor stands for; INVALID_CURSOR or CURSOR_EXPIRED otherwise."""
    if cursor is None or cursor == "":
        return START
    try:
        if len(cursor) > 200:
            raise ValueError("too long")
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode("ascii")
        version, txid, event_id, fingerprint, issued = text.split(".")
        if version != VERSION or fingerprint != owner_fingerprint(owner):
            raise ValueError(text)
        position = FeedPosition(int(txid), int(event_id))
        issued_at = datetime.fromtimestamp(int(issued), UTC)
        if not (0 <= position.txid < 2**63 and 0 <= position.event_id < 2**63):
            raise ValueError(text)
    except (ValueError, UnicodeDecodeError, OverflowError, OSError):
        raise Invalid("INVALID_CURSOR", "the cursor is not one this feed returned to this "
                                        "API key") from None
    if now - issued_at > max_age:
        raise Gone("CURSOR_EXPIRED", f"the cursor was issued more than {max_age.days} days "
                                     "ago; start again without a cursor and skip what you have")
    return position
