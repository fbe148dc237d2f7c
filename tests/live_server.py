"""Serving the service to clients that speak HTTP (the client library's tests, the example
integration): `serving` is the demo's (a real server on 127.0.0.1, port 0, in a thread)."""

from __future__ import annotations

from api.cli_demo import serving

__all__ = ["s10", "serving"]


def s10(serial: int, prefix: str = "RR", country: str = "CN") -> str:
    """A UPU S10 tracking number with its check digit (weights 8 6 4 2 3 5 9 7)."""
    digits = f"{serial:08d}"
    total = sum(int(d) * w for d, w in zip(digits, (8, 6, 4, 2, 3, 5, 9, 7), strict=True))
    check = 11 - total % 11
    return f"{prefix}{digits}{ {10: 0, 11: 5}.get(check, check)}{country}"
