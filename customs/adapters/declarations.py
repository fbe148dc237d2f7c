"""The Declarer port: render (profile) → validate (profile's schema) → sign (signer)."""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Any, Protocol

from customs.domain.model import ManifestHeader, Parcel
from customs.services.ports import DeclarationFailed, SignedDocument


class Profile(Protocol):
    name: str

    def render(self, parcel: Parcel, header: ManifestHeader, declaration_id: str,
               issued_at: datetime) -> Any: ...

    def validate(self, element: Any) -> list[str]: ...


class ElementSigner(Protocol):
    """Signs an element (enveloped) and returns the serialized signed document."""

    fingerprint: str  # SHA-256 of the signing certificate (DER), hex
    algorithm: str  # the SignatureMethod URI

    def sign_element(self, element: Any, at: datetime,
                     canonical: bytes | None = None) -> bytes: ...


class DeclarationPipeline:
    def __init__(self, profile: Profile, signer: ElementSigner) -> None:
        self.profile_impl = profile
        self.profile = profile.name
        self.signer = signer

    def declare(self, parcel: Parcel, header: ManifestHeader, declaration_id: str,
                at: datetime) -> SignedDocument:
        # A profile whose text is canonical by construction gives it too: the signer digests
        # it as it is instead of canonicalizing the tree (a tenth of declaring a parcel).
        render_canonical = getattr(self.profile_impl, "render_canonical", None)
        canonical = None
        try:
            if render_canonical is None:
                element = self.profile_impl.render(parcel, header, declaration_id, at)
            else:
                element, canonical = render_canonical(parcel, header, declaration_id, at)
        except (ValueError, TypeError) as exc:
            raise DeclarationFailed(f"render: {exc}") from exc
        group = getattr(self.profile_impl, "group_key", None)
        try:
            key = None if group is None else group(parcel, header)
        except ValueError as exc:
            raise DeclarationFailed(f"render: {exc}") from exc
        errors = self.profile_impl.validate(element)
        if errors:
            raise DeclarationFailed("declaration schema: " + "; ".join(errors[:3]))
        try:
            document = self.signer.sign_element(element, at, canonical)
        except Exception as exc:  # any signer failure keeps the parcel waiting, never unsigned
            raise DeclarationFailed(f"signing: {exc}") from exc
        return SignedDocument(document, hashlib.sha256(document).hexdigest(),
                              self.signer.fingerprint, self.signer.algorithm,
                              profile=self.profile, group_key=key)


class DestinationDeclarer:
    """The Declarer port choosing a pipeline by the manifest's destination (settings decide
    which destinations have their own profile; the rest use the default)."""

    def __init__(self, default: DeclarationPipeline,
                 by_destination: dict[str, DeclarationPipeline]) -> None:
        self.default = default
        self.by_destination = by_destination
        self.profile = default.profile

    def declare(self, parcel: Parcel, header: ManifestHeader, declaration_id: str,
                at: datetime) -> SignedDocument:
        pipeline = self.by_destination.get(header.destination_country, self.default)
        return pipeline.declare(parcel, header, declaration_id, at)
