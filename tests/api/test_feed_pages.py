"""Every role's feed read page by page (small pages, each from the previous cursor) is its feed
read at once: same changes, same order, none repeated (the page query is written per engine)."""

from __future__ import annotations

import pytest

KEYS = ("acme", "globex", "cdek", "dpd", "moscow", "vladivostok")


def _events(world, who: str, limit: int) -> list[int]:  # type: ignore[no-untyped-def]
    seen: list[int] = []
    cursor = ""
    for _ in range(200):
        page = world.get(who, f"/v1/feed?limit={limit}&cursor={cursor}").get_json()
        seen += [i["event_id"] for i in page["items"]]
        cursor = page["next_cursor"]
        if not page["has_more"]:
            return seen
    raise AssertionError("the feed did not end")


@pytest.mark.parametrize("who", KEYS)
def test_small_pages_give_the_whole_feed_in_order(world, who):
    whole = [i["event_id"] for i in world.get(who, "/v1/feed?limit=500").get_json()["items"]]
    assert whole and len(set(whole)) == len(whole)
    for limit in (1, 3):
        assert _events(world, who, limit) == whole
