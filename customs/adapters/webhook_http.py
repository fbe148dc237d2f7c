"""Webhook POSTs over HTTP(S) with bounded timeouts, and the resolver for the address check."""

from __future__ import annotations

import socket

import requests

from customs.services.webhook_ports import SendResult

MAX_REPLY = 64 * 1024


class HttpWebhookSender:
    """POSTs without following redirects (a redirect could lead to a private address)."""

    def __init__(self, connect_timeout: float, read_timeout: float) -> None:
        self.timeout = (connect_timeout, read_timeout)

    def send(self, url: str, headers: dict[str, str], body: bytes) -> SendResult:
        try:
            with requests.post(url, data=body, headers=headers, timeout=self.timeout,
                               allow_redirects=False, stream=True) as reply:
                reply.raw.read(MAX_REPLY, decode_content=False)  # bounded; the body is unused
                status = reply.status_code
        except requests.RequestException as exc:
            return SendResult(None, f"{type(exc).__name__}: {exc}"[:500])
        return SendResult(status, None if 200 <= status < 300 else f"HTTP {status}")


def resolve(host: str) -> list[str]:
    """Every address the host name resolves to (IPv4 and IPv6)."""
    return sorted({str(info[4][0]) for info in socket.getaddrinfo(host, None)})
