"""Public parcel ids: `pcl_` and 16 lower-case base32 characters (80 random bits).

Opaque and stable: they say nothing of the row's order or count (unlike the database id), and
never change. The tracking number stays a look-up key; it is the marketplace's and may repeat.
"""

from __future__ import annotations

import base64
import re

PARCEL_PREFIX = "pcl_"
RANDOM_BYTES = 10
PARCEL_ID = re.compile(r"^pcl_[a-z2-7]{16}$")


def parcel_id(random: bytes) -> str:
    """The public id made from RANDOM_BYTES random bytes (the caller's randomness)."""
    if len(random) != RANDOM_BYTES:
        raise ValueError(f"a parcel id takes {RANDOM_BYTES} random bytes")
    return PARCEL_PREFIX + base64.b32encode(random).decode("ascii").lower()


def is_parcel_id(text: str) -> bool:
    return PARCEL_ID.match(text) is not None
