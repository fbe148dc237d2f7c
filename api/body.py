"""Bounded reading of request bodies: a chunked body over the cap is refused, never truncated."""

from __future__ import annotations

from flask import request

from api.errors import ApiProblem

CHUNK = 64 * 1024


def read_bounded_body(max_bytes: int) -> bytes:
    declared = request.content_length
    if declared is not None and declared > max_bytes:
        raise ApiProblem(413, "MANIFEST_TOO_LARGE",
                         f"the body has {declared} bytes; the limit is {max_bytes}")
    stream = request.stream
    chunks: list[bytes] = []
    total = 0
    while True:
        chunk = stream.read(min(CHUNK, max_bytes + 1 - total))
        if not chunk:
            break
        total += len(chunk)
        if total > max_bytes:
            raise ApiProblem(413, "MANIFEST_TOO_LARGE",
                             f"the body is larger than the limit of {max_bytes} bytes")
        chunks.append(chunk)
    if declared is not None and total < declared:
        raise ApiProblem(400, "BODY_INCOMPLETE",
                         f"the body ended after {total} of {declared} bytes")
    return b"".join(chunks)
