"""The Declarer port: render (profile) → validate (profile's schema) → sign (signer)."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import datetime
from typing import Any, Protocol

from customs.domain.corrections import CorrectionReference
from customs.domain.model import ManifestHeader, Parcel
from customs.services.ports import DeclarationFailed, DeclarationRequest, SignedDocument


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


# Declarations are made stage by stage over this many parcels: all rendered, then all
# validated, then all signed. Interleaving the stages parcel by parcel kept evicting each
# stage's working set (lxml's parser, the schema's automata, OpenSSL's P-256 tables) from the
# CPU caches (the CPU time per parcel, both ways, is in docs/performance.md).
# A chunk's trees (~30 KB each) are what it holds in memory.
STAGE_CHUNK = 500
_Rendered = tuple[int, Any, bytes | None, str | None]  # index, tree, canonical text, group


class DeclarationPipeline:
    def __init__(self, profile: Profile, signer: ElementSigner) -> None:
        self.profile_impl = profile
        self.profile = profile.name
        self.signer = signer
        # A profile whose text is canonical by construction gives it too: the signer digests
        # it as it is instead of canonicalizing the tree (what that saved: docs/performance.md).
        self._render_canonical = getattr(profile, "render_canonical", None)
        self._group_key = getattr(profile, "group_key", None)
        # A profile whose schema requires the signature checks the document as signed too.
        self._check_signed = getattr(profile, "check_signed", None)

    def declare(self, parcel: Parcel, header: ManifestHeader, declaration_id: str,
                at: datetime) -> SignedDocument:
        result = self.declare_many([(parcel, header, declaration_id)], at)[0]
        if isinstance(result, DeclarationFailed):
            raise result
        return result

    def declare_many(self, requests: Sequence[DeclarationRequest],
                     at: datetime) -> list[SignedDocument | DeclarationFailed]:
        """Each request's signed declaration, or why it could not be made, in order."""
        results: list[SignedDocument | DeclarationFailed] = []
        for start in range(0, len(requests), STAGE_CHUNK):
            results.extend(self._declare_chunk(requests[start : start + STAGE_CHUNK], at))
        return results

    def _declare_chunk(self, requests: Sequence[DeclarationRequest],
                       at: datetime) -> list[SignedDocument | DeclarationFailed]:
        results: list[Any] = [None] * len(requests)
        rendered: list[_Rendered] = []
        for n, (parcel, header, declaration_id) in enumerate(requests):
            try:
                rendered.append((n, *self._render(parcel, header, declaration_id, at)))
            except DeclarationFailed as exc:
                results[n] = exc
        valid: list[_Rendered] = []
        for item in rendered:
            failed = self._invalid(item[1])
            if failed is None:
                valid.append(item)
            else:
                results[item[0]] = failed
        for n, element, canonical, key in valid:
            results[n] = self._signed(element, at, canonical, key)
        return results

    def _invalid(self, element: Any) -> DeclarationFailed | None:
        errors = self.profile_impl.validate(element)
        return DeclarationFailed("declaration schema: " + "; ".join(errors[:3])) if errors \
            else None

    def _signed(self, element: Any, at: datetime, canonical: bytes | None,
                key: str | None) -> SignedDocument | DeclarationFailed:
        try:
            document = self.signer.sign_element(element, at, canonical)
        except Exception as exc:  # any signer failure keeps the parcel waiting, unsigned
            return DeclarationFailed(f"signing: {exc}")
        errors = self._check_signed(document) if self._check_signed else []
        if errors:
            return DeclarationFailed("signed declaration schema: " + "; ".join(errors[:3]))
        return SignedDocument(document, hashlib.sha256(document).hexdigest(),
                              self.signer.fingerprint, self.signer.algorithm,
                              profile=self.profile, group_key=key)

    def declare_correction(self, parcel: Parcel, header: ManifestHeader, declaration_id: str,
                           at: datetime, ref: CorrectionReference,
                           ) -> SignedDocument | DeclarationFailed:
        """The correction's declaration, rendered by the profile (one that has corrections),
        validated and signed as any declaration."""
        render = getattr(self.profile_impl, "render_correction", None)
        if render is None:
            return DeclarationFailed(f"the {self.profile} profile declares no corrections")
        try:
            element, key = render(parcel, header, declaration_id, at, ref)
        except (ValueError, TypeError) as exc:
            return DeclarationFailed(f"render: {exc}")
        return self._invalid(element) or self._signed(element, at, None, key)

    def _render(self, parcel: Parcel, header: ManifestHeader, declaration_id: str,
                at: datetime) -> tuple[Any, bytes | None, str | None]:
        try:
            if self._render_canonical is None:
                element = self.profile_impl.render(parcel, header, declaration_id, at)
                canonical = None
            else:
                element, canonical = self._render_canonical(parcel, header, declaration_id, at)
            key = None if self._group_key is None else self._group_key(parcel, header)
        except (ValueError, TypeError) as exc:
            raise DeclarationFailed(f"render: {exc}") from exc
        return element, canonical, key


class DestinationDeclarer:
    """The Declarer port choosing a pipeline by the manifest's destination (settings decide
    which destinations have their own profile; the rest use the default), or, for a parcel's
    export leg (header.leg "export"), by its origin (the seller's country)."""

    def __init__(self, default: DeclarationPipeline,
                 by_destination: dict[str, DeclarationPipeline],
                 exports: dict[str, DeclarationPipeline] | None = None) -> None:
        self.default = default
        self.by_destination = by_destination
        self.exports = exports or {}
        self.profile = default.profile

    def declare_many(self, requests: Sequence[DeclarationRequest],
                     at: datetime) -> list[SignedDocument | DeclarationFailed]:
        """Requests grouped by their leg's pipeline; results in the requests' order."""
        groups: dict[int, tuple[DeclarationPipeline, list[int]]] = {}
        results: list[Any] = [None] * len(requests)
        for n, (parcel, header, _id) in enumerate(requests):
            if header.leg == "export":
                found = self.exports.get(parcel.seller.country)
                if found is None:
                    results[n] = DeclarationFailed(
                        f"no export profile for origin {parcel.seller.country}")
                    continue
                pipeline = found
            else:
                pipeline = self.by_destination.get(header.destination_country, self.default)
            groups.setdefault(id(pipeline), (pipeline, []))[1].append(n)
        for pipeline, indices in groups.values():
            made = pipeline.declare_many([requests[n] for n in indices], at)
            for n, result in zip(indices, made, strict=True):
                results[n] = result
        return results

    def declare_correction(self, parcel: Parcel, header: ManifestHeader, declaration_id: str,
                           at: datetime, ref: CorrectionReference,
                           ) -> SignedDocument | DeclarationFailed:
        pipeline = self.by_destination.get(header.destination_country, self.default)
        return pipeline.declare_correction(parcel, header, declaration_id, at, ref)
