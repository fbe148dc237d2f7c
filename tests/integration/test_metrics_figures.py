"""/metrics reads what grows with the work in flight: open parcels each scrape, finished ones
(most of a large table) at most every FINAL_COUNTS_SECONDS."""

from __future__ import annotations

from customs.services.intake import SubmitManifest
from customs.services.operations import FINAL_COUNTS_SECONDS
from tests.manifests import manifest, parcel


def test_open_counts_are_fresh_and_final_counts_refresh_on_their_interval(signed_customs):
    c = signed_customs
    key = c.access.authenticate(c.access.create_api_key("acme", "marketplace")[1])
    c.intake.submit_manifest(SubmitManifest(key.tenant_id, "m-1", manifest(
        parcel(), parcel("RR123456799CN")), "marketplace:acme"))
    first = c.operations.operational_figures().parcels
    assert first.get("DECLARED") == 2 and "RELEASED" not in first
    with c.resources.engine.begin() as conn:
        conn.exec_driver_sql("UPDATE parcels SET status = 'RELEASED' "
                             "WHERE tracking_number = 'RR123456785CN'")
    within = c.operations.operational_figures().parcels
    assert within.get("DECLARED") == 1 and "RELEASED" not in within  # final: not yet re-read
    assert c.operations.final_counts.cached is not None
    read_at, counts = c.operations.final_counts.cached
    c.operations.final_counts.cached = (read_at - FINAL_COUNTS_SECONDS - 1,
                                        counts)  # interval passed
    assert c.operations.operational_figures().parcels["RELEASED"] == 1
