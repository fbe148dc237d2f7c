"""The DecisionSource port over HTTP: GET CUSTOMS_AUTHORITY_POLL_URL?after=N answers 200 with
a message and X-Next-After, or 204 when there is none."""

from __future__ import annotations

from collections.abc import Mapping

import requests

TIMEOUT_SECONDS = 30


def _complete(headers: Mapping[str, str], body: bytes) -> bool:
    """A reply cut inside its headers can look like a 200 with an empty body: only a body of
    the announced length is a message (anything else is the link's fault, not the
    message's, and must not be quarantined while the cursor moves past it)."""
    length = headers.get("Content-Length")
    return bool(body) and (length is None or length == str(len(body)))


class HttpDecisionSource:
    def __init__(self, url: str, timeout: float = TIMEOUT_SECONDS) -> None:
        self.key, self.timeout = url, timeout

    def fetch(self, after: str) -> tuple[bytes, str] | None:
        try:
            reply = requests.get(self.key, params={"after": after}, timeout=self.timeout)
            document = reply.content
        except requests.RequestException:
            return None  # the link failed: the same position is asked again next pass
        if reply.status_code != 200 or not _complete(reply.headers, document):
            return None
        return document, reply.headers.get("X-Next-After", str(int(after) + 1))

    def origin(self, after: str) -> str:
        return f"{self.key}?after={after}"
