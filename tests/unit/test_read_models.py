"""Read models emit today's JSON: the same keys in the same order, shaped by who reads."""

from __future__ import annotations

from customs.services.read_models.dossier import Dossier
from customs.services.read_models.feed import FeedChange, FeedPage, StatsView
from customs.services.read_models.manifest import ManifestParcelLine
from customs.services.read_models.parcel import (
    Amount,
    CourierParcel,
    DeliverTo,
    Destination,
    HistoryEvent,
    MarketplaceParcel,
    ParcelSummary,
)
from customs.services.read_models.webhooks import WebhookScope, WebhookView

HERE = Destination("DE", "10005020")
HISTORY = (HistoryEvent("RECEIVED", None, "2026-01-01T00:00:00+00:00", "marketplace:acme",
                        "INTAKE", "received in manifest", None),
           HistoryEvent("HELD", "VALIDATED", "2026-01-02T00:00:00+00:00", "officer:anna",
                        "OFFICER:HOLD", "inspection", "officer"))
SUMMARY = ParcelSummary("pcl_aaaaaaaaaaaaaaaa", "CDEK-1", "m-1", 1, "acme", "CDEK", "HELD", HERE,
                        Amount("12.50", "EUR"), 1.2, None, "2026-01-01T00:00:00+00:00",
                        "2026-01-02T00:00:00+00:00")


def _full(role: str) -> MarketplaceParcel:
    return MarketplaceParcel(SUMMARY, "HWB1", None, [], {"items": []}, None, HISTORY,
                             {"status": "NONE"}, None, role)


def test_the_full_view_keeps_its_key_order_and_names_deciders_only_to_officers():
    shown = _full("marketplace").to_json()
    assert list(shown) == [
        "id", "tracking_number", "manifest_id", "position", "marketplace", "courier", "status",
        "destination", "declared_value", "gross_weight", "duty", "received_at", "updated_at",
        "house_waybill", "master_waybill", "violations", "data", "declaration_error",
        "history", "duty_estimate", "assessed_duty", "versions", "correction_request", "legs"]
    assert (shown["versions"], shown["correction_request"]) == ([], None)  # never corrected
    assert shown["declared_value"] == {"amount": "12.50", "currency": "EUR"}
    assert [e["actor"] for e in shown["history"]] == ["marketplace:acme", "officer"]
    assert [e["actor"] for e in _full("officer").to_json()["history"]] == [
        "marketplace:acme", "officer:anna"]
    assert list(shown["history"][0]) == ["status", "previous_status", "at", "actor", "source",
                                         "reason", "role", "leg"]


def test_the_courier_view_has_no_goods_values_or_actors():
    view = CourierParcel("pcl_aaaaaaaaaaaaaaaa", "CDEK-1", "HWB1", "CDEK", "HELD", None, HERE,
                         1.2, None,
                         DeliverTo("Ann", "Main St 1", None), None, HISTORY).to_json()
    assert list(view) == ["id", "tracking_number", "house_waybill", "courier", "status", "duty",
                          "destination", "gross_weight", "duty_estimate", "deliver_to",
                          "updated_at", "history", "legs"]
    assert list(view["history"][1]) == ["status", "previous_status", "at", "source", "reason",
                                        "leg"]


def test_a_dossier_lists_the_decisions_of_its_history():
    shown = Dossier(_full("officer"), None, None, ()).to_json()
    assert list(shown)[-4:] == ["declaration", "batch", "messages", "decisions"]
    assert [e["source"] for e in shown["decisions"]] == ["OFFICER:HOLD"]


def test_feed_changes_are_shaped_per_role():
    change = FeedChange(7, "pcl_aaaaaaaaaaaaaaaa", "CDEK-1", None, "acme", "CDEK", "10005020",
                        "HELD", "VALIDATED",
                        "2026-01-02T00:00:00+00:00", "OFFICER:HOLD", "inspection", None, None,
                        "officer:anna", "officer")
    assert "marketplace" not in change.to_json("courier")
    assert "actor" not in change.to_json("courier") and "role" not in change.to_json("courier")
    assert change.to_json("marketplace")["actor"] == "officer"
    assert change.to_json("officer")["actor"] == "officer:anna"
    page = FeedPage((change,), "cursor", False, "courier").to_json()
    assert list(page) == ["items", "next_cursor", "has_more"]


def test_stats_answer_with_from_and_to():
    stats = StatsView("a", "b", 0, {}, {}, {"count": 0}).to_json()
    assert list(stats) == ["from", "to", "parcels", "by_status", "by_office",
                           "clearance_seconds"]


def test_a_webhook_secret_is_shown_only_when_given():
    hook = WebhookView("w1", "https://x.test/h", WebhookScope("courier", "CDEK", []), "t", None)
    assert "secret" not in hook.to_json()
    assert list(WebhookView(*[getattr(hook, f) for f in ("id", "url", "scope", "created_at",
                                                          "previous_secret_until")],
                            secret="s").to_json())[-1] == "secret"
    assert "secret" not in hook.audited()


def test_a_manifest_line_keeps_its_order():
    line = ManifestParcelLine("pcl_aaaaaaaaaaaaaaaa", 1, "CDEK-1", "m-1", "CDEK", "REJECTED",
                              HERE, None, None, [{"code": "X"}], None).to_json()
    assert list(line) == ["id", "position", "tracking_number", "manifest_id", "courier", "status",
                          "destination", "declared_value", "gross_weight", "violations",
                          "updated_at"]
