"""A parcel's versions and its open correction request, as its marketplace and officers see
them (customs.domain.corrections)."""

from __future__ import annotations

from dataclasses import dataclass

from customs.services.read_models import JsonObject


@dataclass(frozen=True, slots=True)
class ParcelVersion:
    """One version of a parcel: the first from its manifest, each later one a correction."""

    version: int
    received_at: str | None
    source: str  # "manifest <id>" or "correction"
    actor: str | None
    data: JsonObject
    declaration_id: str | None  # the correction's declaration (the first: see the dossier)
    registration_number: str | None  # the registry it corrects
    ordinal: int | None  # NumPP: the correction's ordinal for that registry
    change_codes: str | None  # the seven letters of the album's ChangeDetails

    def to_json(self) -> JsonObject:
        return {"version": self.version, "received_at": self.received_at,
                "source": self.source, "actor": self.actor, "data": self.data,
                "declaration_id": self.declaration_id,
                "registration_number": self.registration_number, "ordinal": self.ordinal,
                "change_codes": self.change_codes}


@dataclass(frozen=True, slots=True)
class CorrectionRequestView:
    """The authority's latest correction request for the parcel, open or answered."""

    registration_number: str
    correct_doc_type: str
    doc_kind: str
    limit_at: str | None
    violations: tuple[str, ...]
    reason: str | None
    changes: tuple[JsonObject, ...]
    received_at: str | None
    corrected_at: str | None

    @property
    def open(self) -> bool:
        return self.corrected_at is None

    def to_json(self) -> JsonObject:
        return {"registration_number": self.registration_number,
                "correct_doc_type": self.correct_doc_type, "doc_kind": self.doc_kind,
                "limit_at": self.limit_at, "violations": list(self.violations),
                "reason": self.reason, "changes": list(self.changes),
                "received_at": self.received_at, "corrected_at": self.corrected_at,
                "open": self.open}
