"""The Customs facade's authority messages: receive (push), poll, quarantine, kept decisions.
Mixed into customs.bootstrap.Customs."""

from __future__ import annotations

from decimal import InvalidOperation
from typing import Any

from customs.domain.decisions import DecisionMessage
from customs.domain.errors import AuthorityMessageError
from customs.services import decisions, inbox
from customs.services.ports import QuarantineItem

# What a reader raises on a message that passed verification but cannot be mapped to our
# decisions (a value it cannot carry): the message's fault, so it is quarantined.
_UNMAPPABLE = (ValueError, InvalidOperation, LookupError, AssertionError, TypeError)


def _complete(headers: Any, body: bytes) -> bool:
    """A reply cut inside its headers can look like a 200 with an empty body: only a body of
    the announced length is a message (anything else is the link's fault, not the
    message's, and must not be quarantined while the cursor moves past it)."""
    length = headers.get("Content-Length")
    return bool(body) and (length is None or length == str(len(body)))


class AuthorityFacade:
    settings: Any
    clock: Any
    album: Any

    def uow(self) -> Any: ...

    def read_uow(self) -> Any: ...

    def _read_message(self, document: bytes) -> DecisionMessage:
        """Verify (pinned authority certificate) and read a decisions message, either profile."""
        import signing
        from customs.adapters.authority.messages import read_decisions

        if self.settings.authority_cert is None:
            raise AuthorityMessageError("AUTHORITY_NOT_CONFIGURED",
                                        "CUSTOMS_AUTHORITY_CERT is not set: messages cannot "
                                        "be verified, so none is accepted")
        verifier = signing.Verifier([signing.load_certificate(self.settings.authority_cert)])
        try:
            if self.album is not None:
                from customs.adapters.authority.ru_fts_replies import (
                    is_ru_envelope,
                    read_ru_decisions,
                )

                if is_ru_envelope(document):
                    return read_ru_decisions(document, verifier, self.album)
            return read_decisions(document, verifier)
        except _UNMAPPABLE as exc:
            raise AuthorityMessageError("MESSAGE_UNMAPPABLE",
                                        f"{type(exc).__name__}: {exc}"[:500]) from None

    def receive_decisions(self, document: bytes, channel: str = "push",
                          origin: str | None = None) -> inbox.Received:
        """Apply a decisions message, or quarantine it with the reason (never blocking)."""
        return inbox.receive(document, read=self._read_message, uow=self.uow(),
                             clock=self.clock, channel=channel, origin=origin)

    def poll_decisions(self, max_messages: int = 100) -> int:
        """Fetch and apply decision messages from CUSTOMS_AUTHORITY_POLL_URL (GET ?after=N:
        200 with a message and X-Next-After, or 204 when there is none). A message set aside
        in the quarantine moves the cursor on like any other."""
        url = self.settings.authority_poll_url
        if not url:
            return 0
        import requests

        with self.uow() as uow:
            after = uow.decisions.cursor(url) or "0"
        fetched = 0
        for _ in range(max_messages):
            try:
                reply = requests.get(url, params={"after": after}, timeout=30)
                document = reply.content
            except requests.RequestException:
                break  # the link failed: the same position is asked again next pass
            if reply.status_code != 200 or not _complete(reply.headers, document):
                break
            self.receive_decisions(document, channel="poll", origin=f"{url}?after={after}")
            after = reply.headers.get("X-Next-After", str(int(after) + 1))
            uow = self.uow()
            with uow:
                uow.decisions.save_cursor(url, after, self.clock.now())
                uow.commit()
            fetched += 1
        return fetched

    def apply_pending_decisions(self) -> int:
        """Kept decisions whose parcel has since got where they apply (the worker's sweep)."""
        return decisions.apply_pending(uow=self.uow(), clock=self.clock)

    def quarantined(self, status: str | None = None, after: int = 0,
                    limit: int = 50) -> list[QuarantineItem]:
        return inbox.quarantined(uow=self.read_uow(), status=status, after=after, limit=limit)

    def quarantine_item(self, item_id: int) -> QuarantineItem | None:
        return inbox.quarantine_item(item_id, uow=self.read_uow())

    def quarantined_document(self, item_id: int) -> bytes | None:
        with self.read_uow() as uow:
            return uow.quarantine.document(item_id)

    def replay_quarantined(self, item_id: int) -> inbox.Received | None:
        return inbox.replay(item_id, read=self._read_message, uow=self.uow(), clock=self.clock)

    def quarantine_counts(self) -> dict[str, int]:
        return inbox.quarantine_counts(uow=self.read_uow())

    def orphan_decision_count(self) -> int:
        with self.read_uow() as uow:
            return uow.decisions.orphan_count()

    def pending_decision_count(self) -> int:
        with self.read_uow() as uow:
            return uow.decisions.kept_count()
