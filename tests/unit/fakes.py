"""In-memory fakes of the ports: the real services run against them in milliseconds."""

from __future__ import annotations

import copy
from collections.abc import Iterable, Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any

from customs.domain.buyer_limits import NOT_SPENT, key_of
from customs.domain.intake import intake_steps
from customs.domain.lifecycle import is_final
from customs.domain.model import ParcelOutcome
from customs.domain.money import decimal_text
from customs.services.ports import (
    ConcurrentWrite,
    NewManifest,
    Page,
    Principal,
    StoredDocument,
    StoredResponse,
)
from customs.services.read_models.manifest import (
    ManifestParcelLine,
    ManifestView,
    RejectedParcel,
)
from customs.services.read_models.parcel import Amount, Destination
from customs.services.read_models.reference import ApiKeyView
from tests.unit.fakes_events import FakeEvents, FakeManifestJobs
from tests.unit.fakes_outbound import FakeBatches, FakeDeclarations, FakeOutbox
from tests.unit.fakes_views import FakeViews


def iso(at: datetime | None) -> str | None:
    return None if at is None else at.isoformat()


class FakeState:
    """What a database would hold; a unit of work copies it and writes it back on commit."""

    def __init__(self) -> None:
        self.manifests: dict[str, NewManifest] = {}
        self.parcels: list[dict[str, Any]] = []
        self.idempotency: dict[tuple[int, str], StoredResponse] = {}
        self.codes: frozenset[str] | None = None
        self.tenants: dict[str, int] = {}
        self.keys: dict[str, dict[str, Any]] = {}
        self.rates: dict[tuple[Any, str, str], Any] = {}
        self.audit: list[tuple[str, str, str, str]] = []  # actor, action, object type and id
        self.batches: dict[str, dict[str, Any]] = {}
        self.messages: list[tuple[str, str, str | None, int | None]] = []  # the exchange log
        self.events: list[Any] = []  # NewEvent, id = index + 1
        self.jobs: dict[str, dict[str, Any]] = {}


class FakeManifests:
    def __init__(self, state: FakeState) -> None:
        self.state = state

    def add(self, manifest: NewManifest) -> None:
        self.state.manifests[manifest.id] = manifest

    def get(self, tenant_id: int, manifest_id: str) -> ManifestView | None:
        found = self.state.manifests.get(manifest_id)
        if found is None or found.tenant_id != tenant_id:
            return None
        h = found.header
        return ManifestView(found.id, h.ref, iso(h.issued_at), iso(found.received_at),
                            Destination(h.destination_country, h.customs_office),
                            _transport(h.transport),
                            found.document_sha256, len(found.document),
                            found.accepted + found.rejected, found.accepted, found.rejected)

    def exists(self, tenant_id: int, manifest_id: str) -> bool:
        return self.get(tenant_id, manifest_id) is not None

    def latest(self, tenant_id: int, after_id: str | None, limit: int) -> list[ManifestView]:
        mine = sorted((m for m in self.state.manifests.values() if m.tenant_id == tenant_id),
                      key=lambda m: (m.received_at, m.id), reverse=True)
        last = self.state.manifests.get(after_id or "")
        if last is not None and last.tenant_id == tenant_id:
            mine = [m for m in mine if (m.received_at, m.id) < (last.received_at, last.id)]
        return [view for m in mine[:limit] if (view := self.get(tenant_id, m.id))]

    def document(self, tenant_id: int, manifest_id: str) -> StoredDocument | None:
        found = self.state.manifests.get(manifest_id)
        if found is None or found.tenant_id != tenant_id:
            return None
        return StoredDocument(found.document, found.media_type)


def _transport(t: Any) -> Any:
    """As the SQL repository stores it (a JSON object), so views read the same."""
    return None if t is None else {
        "mode": t.mode, "master_waybill": t.master_waybill, "carrier": t.carrier,
        "expected_arrival": t.expected_arrival and t.expected_arrival.isoformat()}


class FakeParcels:
    def __init__(self, state: FakeState) -> None:
        self.state = state

    def open_tracking_numbers(self, tenant_id: int, numbers: Sequence[str]) -> set[str]:
        wanted = set(numbers)
        return {p["tracking_number"] for p in self.state.parcels
                if p["tenant_id"] == tenant_id and p["tracking_number"] in wanted
                and not is_final(p["status"])}

    def stage(self, manifest: NewManifest, outcomes: Sequence[ParcelOutcome], actor: str,
              estimates: Any = None, declarations: Any = None) -> Any:
        return (manifest, outcomes, actor, estimates, declarations)

    def add_staged(self, staged: Any) -> None:
        self.add_from_manifest(*staged)

    def add_from_manifest(self, manifest: NewManifest, outcomes: Sequence[ParcelOutcome],
                          actor: str, estimates: Any = None, declarations: Any = None) -> None:
        for o in outcomes:
            made = (declarations or {}).get(o.position) if o.accepted else None
            declared = made is not None and made.signed is not None
            steps = intake_steps(o.accepted, (v.code for v in o.violations), declared)
            history = [(s.status, actor) for s in steps]
            if made is not None and declared:  # signed at intake, by the declarer
                history[-1] = (steps[-1].status, made.actor)
            status = steps[-1].status
            if o.accepted and o.tracking_number in self.open_tracking_numbers(
                    manifest.tenant_id, [o.tracking_number or ""]):
                raise ConcurrentWrite("open tracking number already exists")
            p = o.parcel
            self.state.parcels.append({
                "id": len(self.state.parcels) + 1,
                "public_id": f"pcl_{len(self.state.parcels) + 1:0>16}", "parcel": p,
                "header": manifest.header,
                "tenant_id": manifest.tenant_id, "manifest_id": manifest.id,
                "position": o.position, "tracking_number": o.tracking_number,
                "courier": p.courier if p else None, "updated_at": manifest.received_at,
                "destination": Destination(manifest.header.destination_country,
                                           manifest.header.customs_office),
                "declared_value": Amount(decimal_text(p.declared_value.amount),
                                         p.declared_value.currency) if p else None,
                "gross_weight": decimal_text(p.gross_weight) if p else None,
                "status": status, "violations": [v.code for v in o.violations],
                "violation_documents": [] if o.accepted else
                [v.to_document() for v in o.violations],
                "estimate": (estimates or {}).get(o.position),
                "declaration": made, "history": history})

    def page(self, tenant_id: int, manifest_id: str, status: str | None, after: int,
             limit: int) -> Page:
        rows = [p for p in self.state.parcels if p["tenant_id"] == tenant_id
                and p["manifest_id"] == manifest_id and p["position"] > after
                and (status is None or p["status"] == status)]
        lines = [_line(p) for p in rows[:limit]]
        return Page(lines, rows[limit - 1]["position"] if len(rows) > limit else None)

    def rejected(self, tenant_id: int, manifest_id: str, after: int,
                 limit: int) -> list[RejectedParcel]:
        return [RejectedParcel(line.position, line.tracking_number or None, line.violations)
                for line in self.page(tenant_id, manifest_id, "REJECTED", after, limit).items]

    def counts_by_status(self, statuses: Iterable[str] | None = None) -> dict[str, int]:
        wanted = None if statuses is None else set(statuses)
        counts: dict[str, int] = {}
        for p in self.state.parcels:
            if wanted is None or p["status"] in wanted:
                counts[p["status"]] = counts.get(p["status"], 0) + 1
        return counts

    def buyer_spending(self, tenant_id: int, country: str, since: Any,
                       numbers: Iterable[str]) -> list[tuple[str, Any]]:
        wanted = set(numbers)
        return [(key_of(pid.kind, pid.value), p["parcel"].declared_value)
                for p in self.state.parcels if p["parcel"] is not None
                and (pid := p["parcel"].recipient.personal_id) is not None
                and pid.value in wanted and p["tenant_id"] == tenant_id
                and p["header"].destination_country == country
                and p["updated_at"] >= since and p["status"] not in NOT_SPENT]


def _line(p: dict[str, Any]) -> ManifestParcelLine:
    """What the SQL repository's page holds for a row."""
    return ManifestParcelLine(p["public_id"], p["position"], p["tracking_number"] or "",
                              p["manifest_id"],
                              p["courier"] or "", p["status"], p["destination"],
                              p["declared_value"], p["gross_weight"],
                              p["violation_documents"], iso(p["updated_at"]))


class FakeIdempotency:
    def __init__(self, state: FakeState) -> None:
        self.state = state

    def get(self, tenant_id: int, key: str,
            not_before: datetime | None = None) -> StoredResponse | None:
        stored = self.state.idempotency.get((tenant_id, key))
        if stored is None or (not_before is not None and stored.created_at is not None
                              and stored.created_at < not_before):
            return None
        return stored

    def add(self, tenant_id: int, key: str, response: StoredResponse, at: datetime,
            replace_before: datetime | None = None) -> None:
        stored = self.state.idempotency.get((tenant_id, key))
        if stored is not None and not (replace_before is not None and stored.created_at
                                       is not None and stored.created_at < replace_before):
            raise ConcurrentWrite("idempotency key taken")
        self.state.idempotency[(tenant_id, key)] = replace(response, created_at=at)

    def claim(self, tenant_id: int, key: str, request_sha256: str, at: datetime, *,
              expired_before: datetime, abandoned_before: datetime) -> None:
        stored = self.state.idempotency.get((tenant_id, key))
        if stored is not None and stored.created_at is not None and (
                stored.created_at < expired_before
                or (stored.body is None and stored.created_at < abandoned_before)):
            stored = None
        if stored is not None:
            raise ConcurrentWrite("idempotency key taken")
        self.state.idempotency[(tenant_id, key)] = StoredResponse(request_sha256, None, None,
                                                                  created_at=at)

    def complete(self, tenant_id: int, key: str, status: int, body: Any,
                 headers: dict[str, str]) -> None:
        stored = self.state.idempotency[(tenant_id, key)]
        self.state.idempotency[(tenant_id, key)] = replace(stored, body=body, status=status,
                                                           headers=headers)

    def release(self, tenant_id: int, key: str) -> None:
        stored = self.state.idempotency.get((tenant_id, key))
        if stored is not None and stored.body is None:
            del self.state.idempotency[(tenant_id, key)]

    def purge(self, before: datetime, limit: int) -> int:
        old = [k for k, v in self.state.idempotency.items()
               if v.created_at is not None and v.created_at < before][:limit]
        for k in old:
            del self.state.idempotency[k]
        return len(old)


class FakeNomenclature:
    def __init__(self, state: FakeState) -> None:
        self.state = state

    def codes(self) -> frozenset[str] | None:
        return self.state.codes

    def replace(self, rows: Iterable[tuple[str, str]]) -> int:
        self.state.codes = frozenset(code for code, _ in rows) or None
        return len(self.state.codes or ())


class FakeKeys:
    def __init__(self, state: FakeState) -> None:
        self.state = state

    def tenant_id(self, name: str, create_at: datetime | None = None) -> int | None:
        if name not in self.state.tenants and create_at is not None:
            self.state.tenants[name] = len(self.state.tenants) + 1
        return self.state.tenants.get(name)

    def add(self, key_id: str, tenant_id: int, role: str, key_hash: str, at: datetime,
            expires_at: datetime | None, label: str | None, *, courier: str | None = None,
            offices: list[str] | None = None) -> None:
        self.state.keys[key_hash] = {"id": key_id, "tenant_id": tenant_id, "role": role,
                                     "label": label, "courier": courier, "offices": offices,
                                     "created_at": at, "expires_at": expires_at,
                                     "revoked_at": None}

    def server_secret(self, name: str, candidate: str, at: datetime) -> str:
        return self.state.__dict__.setdefault("secrets", {}).setdefault(name, candidate)

    def _tenant(self, tenant_id: int) -> str:
        return next(n for n, i in self.state.tenants.items() if i == tenant_id)

    def find(self, key_hash: str, at: datetime) -> Principal | None:
        key = self.state.keys.get(key_hash)
        if key is None or key["revoked_at"] or (key["expires_at"] and key["expires_at"] <= at):
            return None
        return Principal(key["id"], key["tenant_id"], self._tenant(key["tenant_id"]),
                         key["role"], key["courier"], tuple(key["offices"] or ()),
                         key["expires_at"])

    def list(self, tenant_id: int | None) -> list[ApiKeyView]:
        return [ApiKeyView(k["id"], self._tenant(k["tenant_id"]), k["role"], k["label"],
                           k["courier"], k["offices"], iso(k["created_at"]),
                           iso(k["expires_at"]), iso(k["revoked_at"]))
                for k in sorted(self.state.keys.values(), key=lambda k: k["created_at"])
                if tenant_id is None or k["tenant_id"] == tenant_id]

    def revoke(self, key_id: str, at: datetime) -> bool:
        for key in self.state.keys.values():
            if key["id"] == key_id and key["revoked_at"] is None:
                key["revoked_at"] = at
                return True
        return False


class FakeRates:
    def __init__(self, state: FakeState) -> None:
        self.state = state

    def upsert(self, rates: Sequence[Any], at: datetime, actor: str) -> int:
        for rate in rates:
            self.state.rates[(rate.day, rate.currency, rate.base)] = rate
        return len(rates)

    def window(self, first: Any, last: Any) -> list[Any]:
        return sorted((r for r in self.state.rates.values() if first <= r.day <= last),
                      key=lambda r: (r.day, r.currency, r.base))


class FakeAudit:
    def __init__(self, state: FakeState) -> None:
        self.state = state

    def record(self, who: Principal | None, actor: str, action: str, object_type: str,
               object_id: str, before: dict[str, Any] | None, after: dict[str, Any] | None,
               at: datetime) -> None:
        self.state.audit.append((actor, action, object_type, object_id))


class FakeUnitOfWork:
    """Rolls back unless committed, like the SQL one: work happens on a copy of the state."""

    def __init__(self, state: FakeState | None = None, fail_commits: int = 0) -> None:
        self.state = state or FakeState()
        self.commits = 0
        self.fail_commits = fail_commits

    def __enter__(self) -> FakeUnitOfWork:
        self.working = copy.deepcopy(self.state)
        self.manifests = FakeManifests(self.working)
        self.parcels = FakeParcels(self.working)
        self.idempotency = FakeIdempotency(self.working)
        self.nomenclature = FakeNomenclature(self.working)
        self.keys = FakeKeys(self.working)
        self.rates = FakeRates(self.working)
        self.audit = FakeAudit(self.working)
        self.outbox = FakeOutbox(self.working)
        self.declarations = FakeDeclarations(self.working)
        self.batches = FakeBatches(self.working)
        self.views = FakeViews(self.working)
        self.events = FakeEvents(self.working)
        self.manifest_jobs = FakeManifestJobs(self.working)
        return self

    def __exit__(self, *args: object) -> None:
        self.working = None  # type: ignore[assignment]

    def commit(self) -> None:
        if self.fail_commits:
            self.fail_commits -= 1
            raise ConcurrentWrite("simulated race")
        self.state.__dict__.update(self.working.__dict__)
        self.commits += 1

    def rollback(self) -> None:
        self.working = copy.deepcopy(self.state)
