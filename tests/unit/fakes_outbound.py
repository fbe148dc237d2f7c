"""In-memory fakes of the outbound ports: declarations made after intake, batches sealed from
them, and the outbox that sends batches to the authority. They work on FakeState's parcels
(rows as FakeParcels writes them) and batches."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from customs.services.ports import (
    DeclaredGroup,
    DueBatch,
    IntakeDeclaration,
    PendingParcel,
    SignedDocument,
)


class FakeDeclarations:
    """The VALIDATED parcels waiting for a declaration, and the declarations made for them."""

    def __init__(self, state: Any) -> None:
        self.state = state

    def pending(self, limit: int, manifest_id: str | None = None) -> list[PendingParcel]:
        return [PendingParcel(p["id"], p["parcel"], p["header"]) for p in self.state.parcels
                if p["status"] == "VALIDATED" and manifest_id in (None, p["manifest_id"])
                ][:limit]

    def add_all(self, done: Sequence[tuple[PendingParcel, str, SignedDocument]], profile: str,
                at: datetime, actor: str) -> set[int]:
        moved = set()
        for pending, declaration_id, signed in done:
            row = self.state.parcels[pending.parcel_id - 1]
            if row["status"] == "VALIDATED":
                row.update(status="DECLARED", declaration=IntakeDeclaration(
                    declaration_id, actor, signed))
                row["history"].append(("DECLARED", actor))
                moved.add(pending.parcel_id)
        return moved

    def fail(self, parcel_id: int, reason: str, at: datetime) -> None:
        self.state.parcels[parcel_id - 1]["declaration_error"] = reason


class FakeBatches:
    """Declared parcels not yet in a batch, grouped by profile and office, sealed into
    batches that FakeOutbox then sends (the byte cap is not modelled: one parcel per row)."""

    def __init__(self, state: Any) -> None:
        self.state = state

    def _waiting(self) -> list[dict[str, Any]]:
        return [p for p in self.state.parcels
                if p["status"] == "DECLARED" and p.get("batch_id") is None]

    def declared_groups(self) -> list[DeclaredGroup]:
        groups: dict[tuple[str, str], list[dict[str, Any]]] = {}
        for p in self._waiting():
            key = (p["declaration"].signed.profile, p["header"].customs_office)
            groups.setdefault(key, []).append(p)
        return [DeclaredGroup(profile, office, len(rows), min(r["updated_at"] for r in rows))
                for (profile, office), rows in sorted(groups.items())]

    def candidates(self, profile: str, office: str, limit: int, max_bytes: int,
                   key: str | None = None) -> list[int]:
        return [p["id"] for p in self._waiting()
                if (p["declaration"].signed.profile, p["header"].customs_office)
                == (profile, office)][:limit]

    def open_batch(self, batch_id: str, message_id: str, profile: str, office: str,
                   at: datetime) -> None:
        self.state.batches[batch_id] = {"message_id": message_id, "status": "OPEN",
                                        "office": office, "attempts": 0, "next_at": at,
                                        "leased_until": at,
                                        "parcels": []}

    def claim(self, batch_id: str, parcel_ids: list[int], at: datetime) -> list[int]:
        claimed = [i for i in parcel_ids if self.state.parcels[i - 1].get("batch_id") is None]
        for i in claimed:
            self.state.parcels[i - 1].update(batch_id=batch_id, status="BATCHED")
        return claimed

    def declarations(self, parcel_ids: list[int]) -> list[bytes]:
        return [self.state.parcels[i - 1]["declaration"].signed.document for i in parcel_ids]

    def seal(self, batch_id: str, parcel_ids: list[int], signed: SignedDocument,
             at: datetime, actor: str) -> None:
        self.state.batches[batch_id].update(status="SEALED", document=signed.document,
                                            parcels=list(parcel_ids))

    def get(self, batch_id: str) -> dict[str, Any] | None:
        return self.state.batches.get(batch_id)


class FakeOutbox:
    """Sealed batches waiting for the authority, and the log of every exchange with it."""

    def __init__(self, state: Any) -> None:
        self.state = state

    def claim_due(self, at: datetime, lease_until: datetime) -> DueBatch | None:
        for batch_id, b in sorted(self.state.batches.items()):
            if b["status"] == "SEALED" and b["next_at"] <= at and b["leased_until"] <= at:
                b["attempts"] += 1
                b["leased_until"] = lease_until
                return DueBatch(batch_id, b["message_id"], b["document"], b["attempts"])
        return None

    def record(self, direction: str, kind: str, message_id: str | None, batch_id: str | None,
               status: int | None, error: str | None, document: bytes | None,
               at: datetime) -> None:
        self.state.messages.append((direction, kind, message_id, status))

    def _move(self, batch_id: str, status: str, parcels_to: str | None = None,
              **fields: Any) -> int:
        """The batch's status, and its parcels' when the batch's fate is theirs."""
        self.state.batches[batch_id].update(status=status, **fields)
        for p in self.state.parcels:
            if parcels_to and p.get("batch_id") == batch_id:
                p["status"] = parcels_to
                p["history"].append((parcels_to, "system:submitter"))
        return len(self.state.batches[batch_id]["parcels"])

    def submitted(self, batch_id: str, at: datetime, actor: str,
                  acknowledged: bool = False) -> int:
        status = "ACKNOWLEDGED" if acknowledged else "SUBMITTED"
        return self._move(batch_id, status, status)

    def retry_later(self, batch_id: str, at: datetime, error: str) -> None:
        self._move(batch_id, "SEALED", next_at=at, error=error, leased_until=at)

    def failed(self, batch_id: str, at: datetime, error: str, actor: str) -> int:
        return self._move(batch_id, "TRANSMISSION_FAILED", "TRANSMISSION_FAILED", error=error)

    def reopen(self, batch_id: str, at: datetime) -> bool:
        if self.state.batches[batch_id]["status"] != "TRANSMISSION_FAILED":
            return False
        self._move(batch_id, "SEALED", "BATCHED", attempts=0, next_at=at, leased_until=at)
        return True

    def received(self, batch_id: str, at: datetime, source: str, evidence: str) -> int:
        return self._move(batch_id, "ACKNOWLEDGED", "ACKNOWLEDGED", evidence=source)
