"""Transports to the customs authority, chosen by configuration: HTTP(S) POST or a directory."""

from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path

import requests
from prometheus_client import Histogram

from customs.services.ports import TransportResult

RETRYABLE_STATUS = {408, 425, 429, 500, 502, 503, 504}
AUTHORITY_SECONDS = Histogram(
    "customs_authority_request_seconds", "Time the authority took to answer a batch, by outcome",
    ["outcome"], buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60))


class HttpTransport:
    """POST the batch to the authority; 2xx is an acknowledgement, 5xx/timeouts are retried,
    other 4xx mean the authority refused the message (not retried)."""

    def __init__(self, url: str, timeout: float = 30.0, client_cert: Path | None = None,
                 client_key: Path | None = None, ca_bundle: Path | None = None) -> None:
        self.url = url
        self.timeout = timeout
        self.session = requests.Session()
        if client_cert is not None:
            self.session.cert = (str(client_cert), str(client_key)) if client_key else \
                str(client_cert)
        if ca_bundle is not None:
            self.session.verify = str(ca_bundle)

    def send(self, message_id: str, document: bytes) -> TransportResult:
        started = time.perf_counter()
        try:
            reply = self.session.post(self.url, data=document, timeout=self.timeout, headers={
                "Content-Type": "application/xml", "X-Message-Id": message_id})
        except requests.RequestException as exc:
            AUTHORITY_SECONDS.labels("error").observe(time.perf_counter() - started)
            return TransportResult(False, None, None, True, f"{type(exc).__name__}: {exc}")
        ok = 200 <= reply.status_code < 300
        AUTHORITY_SECONDS.labels("accepted" if ok else f"http_{reply.status_code // 100}xx"
                                 ).observe(time.perf_counter() - started)
        return TransportResult(ok, reply.status_code, reply.content,
                               not ok and reply.status_code in RETRYABLE_STATUS,
                               None if ok else f"HTTP {reply.status_code}")


class DirectoryTransport:
    """Drop `<message id>.xml` into a folder the authority collects (atomic rename; a resend
    overwrites the same file, so the authority sees one message)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def send(self, message_id: str, document: bytes) -> TransportResult:
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=self.folder, prefix=".", suffix=".part")
            with os.fdopen(fd, "wb") as handle:
                handle.write(document)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp, self.folder / f"{message_id}.xml")
        except OSError as exc:
            return TransportResult(False, None, None, True, f"{self.folder}: {exc.strerror}")
        return TransportResult(True, None, None, False, None)
