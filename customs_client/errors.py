"""What the client raises: the service's problem documents, and transport failures."""

from __future__ import annotations

from typing import Any


class ApiError(Exception):
    """The service answered with an error: its RFC 9457 problem document (docs/errors.md)."""

    def __init__(self, status: int, problem: dict[str, Any]) -> None:
        self.status = status
        self.problem = problem
        self.code: str | None = problem.get("code")
        self.detail: str = problem.get("detail") or problem.get("title") or ""
        super().__init__(f"{status} {self.code or ''}: {self.detail}".strip())


class TransportError(Exception):
    """No answer from the service after the retries (connection refused, timed out...)."""


class SignatureError(Exception):
    """A webhook delivery whose Customs-Signature does not verify (or is too old)."""
