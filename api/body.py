"""Bounded reading of request bodies: a chunked body over the cap is refused, never truncated; a
body that cannot be read (broken chunked encoding, ended early, too slow) is a 4xx; JSON is
parsed with bounds on size, nesting, keys and strings, so no body costs more than its size.

`Content-Encoding: gzip` is decoded as the body arrives, each piece inflated to at most what
the cap still allows: the cap holds for the decoded body (a decompression bomb is refused
after at most the cap's bytes, as the plain body would be); corrupt or cut gzip is a 400, any
other encoding a 415 that names the one accepted (RFC 7694)."""

from __future__ import annotations

import json
import socket
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from typing import Any

from flask import current_app, request
from werkzeug.exceptions import ClientDisconnected

from api.errors import ApiProblem
from api.gunzip import BoundedGunzip, GzipCorrupt, GzipTooLarge

CHUNK = 64 * 1024
JSON_MAX_BYTES = 16 * 1024
JSON_MAX_DEPTH = 16
JSON_MAX_KEYS = 64
JSON_MAX_STRING = 8 * 1024


GZIP = "gzip"
_GZIP_NAMES = (GZIP, "x-gzip")  # RFC 9110 8.4.1.3: x-gzip is gzip


def read_bounded_body(max_bytes: int, *, code: str = "MANIFEST_TOO_LARGE") -> bytes:
    """The body, decoded, of at most `max_bytes` (else 413 `code`)."""
    gunzip = _decoder(max_bytes, code)
    declared = request.content_length
    if declared is not None and declared > max_bytes:
        raise ApiProblem(413, code, f"the body has {declared} bytes; the limit is {max_bytes}")
    chunks, received = _read_until(max_bytes, code, gunzip)
    if declared is not None and received < declared:
        raise ApiProblem(400, "BODY_INCOMPLETE",
                         f"the body ended after {received} of {declared} bytes")
    if gunzip is not None:
        gunzip.finish()
    return b"".join(chunks)


def _decoder(max_bytes: int, code: str) -> _Gunzip | None:
    encodings = [e.strip().lower() for e in
                 request.headers.get("Content-Encoding", "").split(",") if e.strip()]
    encodings = [e for e in encodings if e != "identity"]
    if not encodings:
        return None
    if len(encodings) != 1 or encodings[0] not in _GZIP_NAMES:
        raise ApiProblem(415, "UNSUPPORTED_CONTENT_ENCODING",
                         f"Content-Encoding {', '.join(encodings)} is not accepted; send the "
                         "body as is or gzip-compressed", headers={"Accept-Encoding": GZIP})
    return _Gunzip(max_bytes, code)


class _Gunzip:
    """BoundedGunzip whose failures are problem documents."""

    def __init__(self, max_bytes: int, code: str) -> None:
        self._decoder, self._max, self._code = BoundedGunzip(max_bytes), max_bytes, code

    def feed(self, data: bytes) -> list[bytes]:
        try:
            return self._decoder.feed(data)
        except GzipTooLarge:
            raise ApiProblem(413, self._code, "the body is larger than the limit of "
                             f"{self._max} bytes once decompressed") from None
        except GzipCorrupt as exc:
            raise _corrupt(exc) from None

    def finish(self) -> None:
        try:
            self._decoder.finish()
        except GzipCorrupt as exc:
            raise _corrupt(exc) from None


def _corrupt(exc: GzipCorrupt) -> ApiProblem:
    return ApiProblem(400, "BODY_ENCODING_INVALID", f"the gzip-encoded body is corrupt ({exc})")


def _read_until(max_bytes: int, code: str,
                gunzip: _Gunzip | None = None) -> tuple[list[bytes], int]:
    """Read in a bounded loop, each wait and the whole read bounded by the read deadline:
    the body's pieces (decoded) and the bytes received."""
    seconds = _read_seconds()
    deadline = time.monotonic() + seconds
    stream, chunks, received = request.stream, [], 0
    with _socket_timeout(seconds):
        while True:
            try:
                chunk = stream.read(min(CHUNK, max_bytes + 1 - received))
            except TimeoutError:
                raise _too_slow(seconds) from None
            except ClientDisconnected:  # werkzeug: the stream ended before Content-Length
                if time.monotonic() >= deadline:
                    raise _too_slow(seconds) from None
                raise ApiProblem(400, "BODY_INCOMPLETE", "the body ended before its "
                                 "Content-Length") from None
            except (OSError, ValueError) as exc:  # werkzeug's dechunker on a broken body
                raise ApiProblem(400, "BODY_INCOMPLETE", "the body could not be read: its "
                                 f"chunked encoding is broken or ended early ({exc})") from None
            if not chunk:
                return chunks, received
            received += len(chunk)
            if received > max_bytes:
                raise ApiProblem(413, code,
                                 f"the body is larger than the limit of {max_bytes} bytes")
            if time.monotonic() > deadline:
                raise _too_slow(seconds)
            if gunzip is None:
                chunks.append(chunk)
            else:
                chunks.extend(gunzip.feed(chunk))


def _too_slow(seconds: float) -> ApiProblem:
    return ApiProblem(408, "BODY_TIMEOUT", f"the body was not received within {seconds:g} s",
                      headers={"Connection": "close"})


def _read_seconds() -> float:
    customs = current_app.extensions.get("customs")
    return float(customs.settings.body_read_seconds) if customs else 30.0


@contextmanager
def _socket_timeout(seconds: float) -> Iterator[None]:
    """Give the client's socket (werkzeug's or gunicorn's) a read timeout while the body is
    read, so a client that announces more than it sends does not hold the worker for ever;
    restore the server's own setting after."""
    sock = request.environ.get("gunicorn.socket") or request.environ.get("werkzeug.socket")
    if not isinstance(sock, socket.socket):
        yield
        return
    before = sock.gettimeout()
    sock.settimeout(seconds)
    try:
        yield
    finally:
        with suppress(OSError):  # the client has gone
            sock.settimeout(before)


def read_json_object(max_bytes: int = JSON_MAX_BYTES, *, empty_ok: bool = False,
                     code: str = "BODY_TOO_LARGE") -> dict[str, Any]:
    """The body as a JSON object within the bounds ({} for an empty body where allowed)."""
    raw = read_bounded_body(max_bytes, code=code)
    if empty_ok and not raw.strip():
        return {}
    if request.mimetype != "application/json":
        raise ApiProblem(415, "UNSUPPORTED_MEDIA_TYPE", "send a JSON object (application/json)",
                         headers={"Accept-Post": "application/json"})
    body = parse_json(raw)
    if not isinstance(body, dict):
        raise ApiProblem(400, "INVALID_JSON", "the body is not a JSON object")
    return body


def parse_json(raw: bytes | str, *, max_keys: int = JSON_MAX_KEYS) -> Any:
    """json.loads, with deep nesting (RecursionError in the decoder) a 400 like any bad JSON,
    then nesting, keys per object and string length checked in one walk."""
    try:
        value = json.loads(raw)
    except (ValueError, RecursionError):
        raise ApiProblem(400, "INVALID_JSON", "the body is not valid JSON (UTF-8), or is "
                         f"nested deeper than {JSON_MAX_DEPTH}") from None
    problem = json_excess(value, max_keys=max_keys)
    if problem:
        raise ApiProblem(400, "JSON_TOO_COMPLEX", f"the JSON body has {problem}")
    return value


def json_excess(value: Any, *, max_keys: int = JSON_MAX_KEYS) -> str | None:
    """What in a parsed JSON value is beyond the bounds, or None (an explicit stack: no
    recursion, linear in the value's size)."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if depth > JSON_MAX_DEPTH:
            return f"more than {JSON_MAX_DEPTH} levels of nesting"
        if isinstance(item, str) and len(item) > JSON_MAX_STRING:
            return f"a string over {JSON_MAX_STRING} characters"
        if isinstance(item, dict):
            if len(item) > max_keys:
                return f"an object with more than {max_keys} keys"
            stack.extend((k, depth + 1) for k in item)
            stack.extend((v, depth + 1) for v in item.values())
        elif isinstance(item, list):
            stack.extend((v, depth + 1) for v in item)
    return None
