"""API keys through the composition root (app.access), on fakes: created once, found by the
token alone, listed without secrets, revoked at once for this process, expiring on time."""

from __future__ import annotations

from datetime import timedelta

import pytest

from customs.services.access import BadScope, UnknownRole
from tests.unit.conftest import Harness


def test_a_created_key_authenticates_as_its_tenant_and_role(harness: Harness) -> None:
    app = harness.app
    key_id, token = app.access.create_api_key("acme", "marketplace", label="shop")
    who = app.access.authenticate(token)
    assert who is not None
    assert (who.key_id, who.tenant, who.role, who.actor) == (
        key_id, "acme", "marketplace", "marketplace:acme")
    assert harness.state.tenants == {"acme": who.tenant_id}  # the tenant is made on first use
    assert ("operator", "api_key.create", "api_key", key_id) in harness.state.audit
    assert token not in repr(harness.state.keys)  # only its hash is kept


def test_a_wrong_or_malformed_token_is_nobody(app) -> None:  # type: ignore[no-untyped-def]
    _, token = app.access.create_api_key("acme", "marketplace")
    assert app.access.authenticate(token[:-1] + ("A" if token[-1] != "A" else "B")) is None
    assert app.access.authenticate("not-a-key") is None
    assert app.access.authenticate("cus_" + "x" * 300) is None


def test_courier_and_officer_keys_carry_their_scope(app) -> None:  # type: ignore[no-untyped-def]
    _, courier_token = app.access.create_api_key("cdek", "courier")
    _, officer_token = app.access.create_api_key("fts", "officer",
                                                 offices=["10009100", " 10005020 "])
    courier, officer = app.access.authenticate(courier_token), app.access.authenticate(
        officer_token)
    assert courier is not None and courier.scope_key == "courier:cdek"  # the tenant by default
    assert officer is not None and officer.offices == ("10005020", "10009100")
    with pytest.raises(BadScope):
        app.access.create_api_key("fts", "officer")  # an officer sees some office, or nothing
    with pytest.raises(BadScope):
        app.access.create_api_key("acme", "marketplace", courier="CDEK")
    with pytest.raises(UnknownRole):
        app.access.create_api_key("acme", "admin")


def test_list_shows_each_tenants_keys_without_secrets(harness: Harness) -> None:
    app = harness.app
    first, _ = app.access.create_api_key("acme", "marketplace", days=30, label="shop")
    harness.clock.advance(timedelta(seconds=1))
    second, _ = app.access.create_api_key("cdek", "courier", courier="CDEK")
    listed = app.access.list_api_keys(None)
    assert [k.id for k in listed] == [first, second]
    shop = listed[0].to_json()
    assert shop == {"id": first, "tenant": "acme", "role": "marketplace", "label": "shop",
                    "courier": None, "offices": None,
                    "created_at": (harness.clock.now() - timedelta(seconds=1)).isoformat(),
                    "expires_at": (harness.clock.now() + timedelta(days=30, seconds=-1)
                                   ).isoformat(), "revoked_at": None}
    assert [k.courier for k in app.access.list_api_keys("cdek")] == ["CDEK"]
    assert app.access.list_api_keys("nobody") == []


def test_a_revoked_key_stops_at_once_and_only_once(harness: Harness) -> None:
    app = harness.app
    key_id, token = app.access.create_api_key("acme", "marketplace")
    assert app.access.authenticate(token) is not None  # now cached in this process
    assert app.access.revoke_api_key(key_id)
    assert app.access.authenticate(token) is None
    assert not app.access.revoke_api_key(key_id)  # nothing left to revoke
    assert app.access.list_api_keys("acme")[0].revoked_at == harness.clock.now().isoformat()
    assert ("operator", "api_key.revoke", "api_key", key_id) in harness.state.audit


def test_a_key_expires_on_its_day(harness: Harness) -> None:
    _, token = harness.app.access.create_api_key("acme", "marketplace", days=1)
    assert harness.app.access.authenticate(token) is not None
    harness.clock.advance(timedelta(days=1))
    assert harness.app.access.authenticate(token) is None  # the cache never outlives the key
