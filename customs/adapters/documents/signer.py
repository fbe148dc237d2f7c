"""Bridges the signing library to the declaration pipeline (ElementSigner) and health checks."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from lxml import etree

import signing
from customs.settings import Settings


def signer_config(settings: Settings) -> signing.SignerConfig:
    return signing.SignerConfig(
        kind=settings.signer, key=settings.signing_key, certificate=settings.signing_cert,
        passphrase_env=settings.signing_passphrase_env,
        passphrase_file=settings.signing_passphrase_file,
        pkcs11_module=settings.pkcs11_module, pkcs11_token=settings.pkcs11_token,
        pkcs11_key_label=settings.pkcs11_key_label, pin_env=settings.pkcs11_pin_env,
        pin_file=settings.pkcs11_pin_file)


def signing_configured(settings: Settings) -> bool:
    return settings.signing_key is not None or settings.signer == "pkcs11"


def key_ring(settings: Settings) -> signing.KeyRing:
    """Load the current signer (refusing unsafe key files) and the previous certificates."""
    current = signing.load_signer(signer_config(settings))
    previous = [signing.load_certificate(Path(p.strip()))
                for p in settings.signing_previous_certs.split(",") if p.strip()]
    return signing.KeyRing(current, previous)


class EnvelopedSigner:
    """The ElementSigner port: sign a declaration's root (URI "#Id" when it has one)."""

    def __init__(self, ring: signing.KeyRing) -> None:
        self.ring = ring
        self.fingerprint = signing.fingerprint(ring.current.certificate)
        self.algorithm = ring.current.method

    def sign_element(self, element: Any, at: datetime, canonical: bytes | None = None, *,
                     first: bool = False) -> bytes:
        """The signed document (by the element's Id when it has one, then written as its
        canonical form with the signature spliced in: the element is left unchanged).
        `canonical`: the element's exclusive canonical form when its renderer wrote it so
        (see signing.signed_canonical); used only with an Id. `first`: the signature as the
        element's first child (an element that embeds signed documents)."""
        root_id = element.get("Id")
        if root_id:
            return signing.signed_canonical(element, self.ring.current, reference_id=root_id,
                                            at=at, canonical=canonical, first=first)
        signing.sign_enveloped(element, self.ring.current, reference_uri="", at=at)
        return bytes(etree.tostring(element, xml_declaration=True, encoding="UTF-8"))

    def sign_document(self, document: bytes) -> bytes:
        """A whole XML document signed with the current key (`customs sign`)."""
        return signing.sign_bytes_document(document, self.ring.current)

    def status(self, at: datetime) -> dict[str, Any]:
        state = signing.certificate_status(self.ring.current.certificate, at)
        return {"fingerprint": state.fingerprint, "subject": state.subject,
                "not_after": state.not_after.isoformat(), "days_left": state.days_left,
                "expiring": state.expiring, "expired": state.expired}
