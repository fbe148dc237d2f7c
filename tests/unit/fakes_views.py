"""A fake of the view repository's look-up (find_parcels) in a marketplace's or a courier's
scope, over FakeState's parcel rows as FakeParcels writes them. Search, feed, stats and the
dossier are not faked: their SQL (keysets, JSON filters, joins) is what the database tests
exercise."""

from __future__ import annotations

from typing import Any

from customs.services.ports import Principal
from customs.services.read_models.parcel import EstimateBrief, HistoryEvent, ParcelRecord


def _visible(who: Principal, row: dict[str, Any], marketplace: str | None,
             tenants: dict[str, int]) -> bool:
    if who.role == "marketplace":
        return row["tenant_id"] == who.tenant_id
    if who.role == "courier":
        return row["courier"] == who.courier and (
            marketplace is None or tenants.get(marketplace) == row["tenant_id"])
    return False  # officer scope (offices) is left to the database tests


class FakeViews:
    def __init__(self, state: Any) -> None:
        self.state = state

    def find_parcels(self, who: Principal, key: str, *, by_public_id: bool,
                     marketplace: str | None = None, limit: int = 10) -> list[ParcelRecord]:
        column = "public_id" if by_public_id else "tracking_number"
        found = [self._record(row) for row in reversed(self.state.parcels)  # newest first
                 if row[column] == key and _visible(who, row, marketplace, self.state.tenants)]
        return found[:limit]

    def _record(self, row: dict[str, Any]) -> ParcelRecord:
        at = row["updated_at"].isoformat()
        tenant = next((n for n, i in self.state.tenants.items() if i == row["tenant_id"]), "")
        estimate = row["estimate"]
        brief = None if estimate is None else EstimateBrief(
            str(estimate.status), None if estimate.amount is None else str(
                estimate.amount.amount), None if estimate.amount is None
            else estimate.amount.currency)
        history, previous = [], None
        for status, actor in row["history"]:
            history.append(HistoryEvent(str(status), previous, at, actor, None, None,
                                        actor.split(":")[0]))
            previous = str(status)
        p = row["parcel"]
        return ParcelRecord(
            row["id"], row["manifest_id"], row["position"], row["tracking_number"] or "", tenant,
            row["courier"] or "", row["destination"], str(row["status"]), row["declared_value"],
            row["gross_weight"], None, row["updated_at"], row["updated_at"],
            None if p is None else p.house_waybill, None, row.get("declaration_error"), brief,
            row["public_id"],
            data=None if p is None else p.to_document(), violations=row["violation_documents"],
            estimate=None if estimate is None else estimate.to_document(),
            history=tuple(history))
