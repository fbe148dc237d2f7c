"""The AuthorityInbox port: the authority's messages verified against its pinned certificate
(CUSTOMS_AUTHORITY_CERT) and read, in the generic, ru-fts-express or cn-ceb profile.

The certificate is loaded at first use, not at start: a bad CUSTOMS_AUTHORITY_CERT refuses
messages (and says why), it does not stop the service from serving everything else."""

from __future__ import annotations

from collections.abc import Callable
from decimal import InvalidOperation
from pathlib import Path
from typing import Any

import signing
from customs.adapters.authority.messages import read_acknowledgement, read_decisions
from customs.domain.decisions import DecisionMessage
from customs.domain.errors import AuthorityMessageError
from customs.services.authority_ports import AckCheck

NOT_CONFIGURED = ("CUSTOMS_AUTHORITY_CERT is not set: messages cannot be verified, so none is "
                  "accepted")
# What a reader raises on a message that passed verification but cannot be mapped to our
# decisions (a value it cannot carry): the message's fault, so it is quarantined.
_UNMAPPABLE = (ValueError, InvalidOperation, LookupError, AssertionError, TypeError)


class PinnedAuthorityInbox:
    """`certificate` is asked at each use (the setting may change while the process runs)."""

    def __init__(self, certificate: Callable[[], Path | None], album: Any = None,
                 ceb: Any = None) -> None:
        self.certificate, self.album, self.ceb = certificate, album, ceb
        self._verifiers: dict[Path, signing.Verifier] = {}

    def verifier(self) -> signing.Verifier:
        path = self.certificate()
        if path is None:
            raise AuthorityMessageError("AUTHORITY_NOT_CONFIGURED", NOT_CONFIGURED)
        if path not in self._verifiers:
            self._verifiers[path] = signing.Verifier([signing.load_certificate(path)])
        return self._verifiers[path]

    def read(self, document: bytes) -> DecisionMessage:
        verifier = self.verifier()
        try:
            if self.ceb is not None:
                from customs.adapters.authority.cn_ceb_replies import is_dxp, read_ceb_decisions

                if is_dxp(document):
                    return read_ceb_decisions(document, verifier, self.ceb)
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

    def ack_check(self) -> AckCheck | None:
        if self.certificate() is None:
            return None
        verifier = self.verifier()
        album, ceb = self.album, self.ceb

        def check(body: bytes, message_id: str) -> str | None:
            if ceb is not None:
                from customs.adapters.authority.cn_ceb_replies import is_dxp, read_ceb_receipt

                if is_dxp(body):
                    return read_ceb_receipt(body, verifier, ceb, message_id)
            if album is not None:
                from customs.adapters.authority.ru_fts_replies import (
                    is_ru_envelope,
                    read_ru_receipt,
                )

                if is_ru_envelope(body):
                    return read_ru_receipt(body, verifier, message_id)
            return read_acknowledgement(body, verifier, message_id)

        return check
