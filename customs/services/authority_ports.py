"""Ports for what comes back from the authority: messages we are pushed or fetch, verified
against its pinned certificate and read into our decisions."""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from customs.domain.decisions import DecisionMessage

# Reads a reply to a batch we sent, for its message id: "registered", "already registered"
# (the authority had it: an earlier reply was lost), or None when it is not the authority's
# verified acknowledgement of it.
AckCheck = Callable[[bytes, str], str | None]


class AuthorityInbox(Protocol):
    def read(self, document: bytes) -> DecisionMessage:
        """Verify and read a decisions message (either profile). Raises AuthorityMessageError:
        AUTHORITY_NOT_CONFIGURED when nothing can be verified, else the message's fault."""
        ...

    def ack_check(self) -> AckCheck | None:
        """The check of the authority's acknowledgements, or None when none is configured."""
        ...


class DecisionSource(Protocol):
    """Decision messages fetched in order from a position (`customs worker`'s poll)."""

    key: str  # names the stored cursor

    def fetch(self, after: str) -> tuple[bytes, str] | None:
        """The message after `after` and the position after it; None when there is none
        or the link failed (the same position is asked again next pass)."""
        ...

    def origin(self, after: str) -> str:
        """Where the message at `after` came from, for the quarantine."""
        ...
