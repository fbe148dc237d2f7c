"""Webhook signature verification: `Customs-Signature: t=<unix>,v1=<hex>[,v1=<hex>]`, each v1
the HMAC-SHA256 of "<t>.<body>" under a secret in force (two during a rotation's overlap).
Verify the raw body as received, before parsing it; refuse old timestamps (replays)."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from collections.abc import Mapping, Sequence

from customs_client.errors import SignatureError
from customs_client.models import Event

TOLERANCE_SECONDS = 300


def verify_signature(secrets: str | Sequence[str], body: bytes, header: str, *,
                     tolerance: int = TOLERANCE_SECONDS, now: float | None = None) -> None:
    """Raise SignatureError unless a v1 of `header` is the body's HMAC under one of
    `secrets`, with a timestamp within `tolerance` seconds of `now`."""
    keys = [secrets] if isinstance(secrets, str) else list(secrets)
    stamp, signatures = _parse(header)
    if abs((time.time() if now is None else now) - stamp) > tolerance:
        raise SignatureError(f"the signature's timestamp is more than {tolerance} s away")
    message = f"{stamp}.".encode() + body
    for key in keys:
        expected = hmac.new(key.encode(), message, hashlib.sha256).hexdigest()
        if any(hmac.compare_digest(expected, s) for s in signatures):
            return
    raise SignatureError("no v1 signature matches a secret")


def parse_event(body: bytes, headers: Mapping[str, str], secrets: str | Sequence[str], *,
                tolerance: int = TOLERANCE_SECONDS, now: float | None = None) -> Event:
    """The event a delivery carries, once its signature holds (headers: the request's)."""
    header = next((v for k, v in headers.items() if k.lower() == "customs-signature"), None)
    if header is None:
        raise SignatureError("no Customs-Signature header")
    verify_signature(secrets, body, header, tolerance=tolerance, now=now)
    return Event.of(json.loads(body))


def _parse(header: str) -> tuple[int, list[str]]:
    stamp, signatures = None, []
    for part in header.split(","):
        name, _, value = part.strip().partition("=")
        if name == "t" and value.isdigit():
            stamp = int(value)
        elif name == "v1":
            signatures.append(value)
    if stamp is None or not signatures:
        raise SignatureError("Customs-Signature is not t=<unix>,v1=<hex>")
    return stamp, signatures
