"""The Customs facade's operations for every role: parcels in scope, officer search, dossiers,
decisions, statistics and the feed. Mixed into customs.bootstrap.Customs."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from customs.domain.money import Money
from customs.domain.officer import OfficerAction, OfficerDecision
from customs.services import feed, parcels
from customs.services.parcels import Keyset
from customs.services.ports import Principal, SearchFilters
from customs.services.read_models.dossier import Dossier
from customs.services.read_models.feed import FeedPage, StatsView
from customs.services.read_models.parcel import CourierParcel, ParcelSummary, ParcelView


class ViewsFacade:
    settings: Any
    signer: Any
    clock: Any

    def uow(self) -> Any: ...
    def read_uow(self) -> Any: ...

    def parcel(self, who: Principal, tracking_number: str,
               marketplace: str | None = None) -> ParcelView:
        return parcels.get_parcel(who, tracking_number, uow=self.read_uow(),
                                  marketplace=marketplace)

    def search_parcels(self, who: Principal, filters: SearchFilters,
                       limit: int) -> tuple[list[ParcelSummary | CourierParcel], Keyset | None]:
        return parcels.search(who, filters, limit, uow=self.read_uow())

    def declaration(self, who: Principal, tracking_number: str,
                    marketplace: str | None = None) -> bytes:
        return parcels.declaration(who, tracking_number, uow=self.read_uow(),
                                   marketplace=marketplace)

    def dossier(self, who: Principal, tracking_number: str,
                marketplace: str | None = None) -> Dossier:
        return parcels.dossier(who, tracking_number, uow=self.read_uow(),
                               verify=self.verify_declaration, marketplace=marketplace)

    def decide(self, who: Principal, tracking_number: str, action: str, reason: str | None,
               duty: tuple[str, str] | None, marketplace: str | None = None) -> ParcelView:
        money = None if duty is None else Money.of(duty[0], duty[1]).quantized()
        decision = OfficerDecision(OfficerAction(action), reason, money)
        return parcels.decide(who, tracking_number, decision, uow=self.uow(), clock=self.clock,
                              marketplace=marketplace)

    def stats(self, who: Principal, start: datetime, end: datetime) -> StatsView:
        return parcels.stats(who, start, end, uow=self.read_uow())

    def feed(self, who: Principal, cursor: str | None, limit: int) -> FeedPage:
        return feed.feed_page(who, cursor, limit, uow=self.read_uow(), clock=self.clock,
                              max_age=timedelta(days=self.settings.feed_cursor_max_age_days))

    def verify_declaration(self, document: bytes) -> dict[str, Any]:
        """Verify now against our current and previous certificates (pinned)."""
        import signing

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
