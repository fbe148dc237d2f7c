"""Bounded gzip decoding, shared by request bodies (api/body.py) and `customs validate`: the
decoded bytes never pass the cap (each step inflates at most what the cap still allows plus
one byte), so a decompression bomb costs at most the cap."""

from __future__ import annotations

import zlib


class GzipTooLarge(Exception):
    """The decoded bytes pass the cap."""


class GzipCorrupt(Exception):
    """Not gzip, corrupt, cut short, or empty."""


class BoundedGunzip:
    """Inflates gzip members (one or more, as RFC 1952 allows) as they arrive."""

    def __init__(self, max_bytes: int) -> None:
        self._max = max_bytes
        self._inflate = zlib.decompressobj(16 + zlib.MAX_WBITS)
        self._total = 0
        self._members = 0      # members read to their end
        self._open = False     # a member begun and not ended

    def feed(self, data: bytes) -> list[bytes]:
        out = []
        while data:
            try:
                piece = self._inflate.decompress(data, self._max - self._total + 1)
            except zlib.error as exc:
                raise GzipCorrupt(str(exc)) from None
            self._open = True
            self._total += len(piece)
            if self._total > self._max:
                raise GzipTooLarge(f"more than {self._max} bytes once decompressed")
            out.append(piece)
            if self._inflate.eof:  # a member ended: what follows is another one
                data = self._inflate.unused_data
                self._inflate = zlib.decompressobj(16 + zlib.MAX_WBITS)
                self._members, self._open = self._members + 1, False
            else:
                data = self._inflate.unconsumed_tail
        return out

    def finish(self) -> None:
        if self._open or not self._members:
            raise GzipCorrupt("cut short or empty")


def gunzip(data: bytes, max_bytes: int) -> bytes:
    decoder = BoundedGunzip(max_bytes)
    out = decoder.feed(data)
    decoder.finish()
    return b"".join(out)


def is_gzip(data: bytes) -> bool:
    return data[:2] == b"\x1f\x8b"
