"""Webhook POSTs over HTTP(S) with bounded timeouts, and the resolver for the address check."""

from __future__ import annotations

import socket
import time
from urllib.parse import urlsplit

import certifi
import requests
import urllib3

from customs.services.webhook_ports import SendResult

MAX_REPLY = 64 * 1024


class HttpWebhookSender:
    """POSTs without following redirects (a redirect could lead to a private address).

    With a checked `address`, the connection goes to that IP, with the URL's host name kept for
    the Host header, TLS SNI and certificate verification: the name is not resolved again."""

    def __init__(self, connect_timeout: float, read_timeout: float) -> None:
        self.timeout = (connect_timeout, read_timeout)

    def send(self, url: str, headers: dict[str, str], body: bytes,
             address: str | None = None) -> SendResult:
        """The status, the time the exchange took, and the receiver's Retry-After."""
        started = time.monotonic()
        try:
            if address is not None:
                status, retry_after = self._pinned(url, headers, body, address)
            else:
                with requests.post(url, data=body, headers=headers, timeout=self.timeout,
                                   allow_redirects=False, stream=True) as reply:
                    reply.raw.read(MAX_REPLY, decode_content=False)  # bounded; unused
                    status, retry_after = reply.status_code, reply.headers.get("Retry-After")
        except (requests.RequestException, urllib3.exceptions.HTTPError, OSError) as exc:
            return SendResult(None, f"{type(exc).__name__}: {exc}"[:500], _ms(started))
        return SendResult(status, None if 200 <= status < 300 else f"HTTP {status}",
                          _ms(started), retry_after)

    def _pinned(self, url: str, headers: dict[str, str], body: bytes,
                address: str) -> tuple[int, str | None]:
        parts = urlsplit(url)
        host = parts.hostname or ""
        timeout = urllib3.Timeout(connect=self.timeout[0], read=self.timeout[1])
        pool: urllib3.HTTPConnectionPool
        if parts.scheme == "https":
            pool = urllib3.HTTPSConnectionPool(
                address, parts.port or 443, timeout=timeout, retries=False,
                server_hostname=host, assert_hostname=host, cert_reqs="CERT_REQUIRED",
                ca_certs=certifi.where())
        else:
            pool = urllib3.HTTPConnectionPool(address, parts.port or 80, timeout=timeout,
                                              retries=False)
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        try:
            reply = pool.urlopen("POST", target, body=body, headers={**headers, "Host":
                                 parts.netloc.rpartition("@")[2]}, redirect=False,
                                 preload_content=False, assert_same_host=False)
            reply.read(MAX_REPLY)
            return int(reply.status), reply.headers.get("Retry-After")
        finally:
            pool.close()


def _ms(started: float) -> int:
    return round((time.monotonic() - started) * 1000)


def resolve(host: str) -> list[str]:
    """Every address the host name resolves to (IPv4 and IPv6)."""
    return sorted({str(info[4][0]) for info in socket.getaddrinfo(host, None)})
