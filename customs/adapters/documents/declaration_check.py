"""A stored declaration verified now against our current and previous certificates (pinned),
for the officer's dossier."""

from __future__ import annotations

from typing import Any

import signing
from customs.adapters.documents.signer import EnvelopedSigner


class DeclarationCheck:
    def __init__(self, signer: EnvelopedSigner | None) -> None:
        self.signer = signer

    def __call__(self, document: bytes) -> dict[str, Any]:
        if self.signer is None:
            return {"valid": None, "reason": "no signing certificate configured to verify with"}
        try:
            verified = self.signer.ring.verifier().verify(document)
        except (signing.VerificationError, signing.PolicyError) as exc:
            return {"valid": False, "reason": str(exc)}
        certificate = verified.certificate
        return {"valid": True, "signature_method": verified.signature_method,
                "certificate_fingerprint": None if certificate is None
                else signing.fingerprint(certificate)}
