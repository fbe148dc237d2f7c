"""The officers' pages over HTTP: raw documents, refusals shown on the page, the queue's
counts kept to the officer's offices, bulk limits. (tests/browser drives the main flows.)"""

from __future__ import annotations

import re

import pytest

from api import create_app
from tests.api.test_console_auth import post

PASSWORD = "correct horse battery staple"


@pytest.fixture
def officer(world):  # type: ignore[no-untyped-def]
    world.customs.accounts.create_user("o@customs.example", "officer", offices=["10005020"],
                                       password=PASSWORD, locale="en")
    client = create_app(customs=world.customs).test_client()
    post(client, "/console/sign-in", email="o@customs.example", password=PASSWORD)
    return client


def test_the_declaration_and_each_message_are_served_raw(officer) -> None:
    page = officer.get("/console/parcels/RR123456785CN").text
    links = re.findall(r'href="(/console/parcels/RR123456785CN/messages/\d+\.xml[^"]*)"', page)
    assert links
    shown = officer.get(links[0].replace("&amp;", "&"))
    assert shown.status_code == 200 and shown.mimetype == "text/plain"
    assert shown.data.startswith(b"<") and shown.headers["X-Content-Type-Options"] == "nosniff"
    saved = officer.get("/console/parcels/RR123456785CN/declaration.xml?download=1")
    assert saved.mimetype == "application/xml"
    assert saved.headers["Content-Disposition"].startswith("attachment")
    assert b"Signature" in saved.data
    other = re.sub(r"messages/\d+", "messages/999999", links[0].replace("&amp;", "&"))
    assert officer.get(other).status_code == 404


def test_refusals_are_shown_on_the_dossier_and_change_nothing(officer, world) -> None:
    missing = post(officer, "/console/parcels/RR123456785CN/decide", action="refuse",
                   expected="SUBMITTED")
    assert missing.status_code == 400 and "A reason is required" in missing.text
    no_docs = post(officer, "/console/parcels/RR123456785CN/decide",
                   action="request_documents", expected="SUBMITTED")
    assert no_docs.status_code == 400 and "List the documents" in no_docs.text
    bad_duty = post(officer, "/console/parcels/RR123456785CN/decide", action="assess_duty",
                    amount="-1", currency="EUR", expected="SUBMITTED")
    assert bad_duty.status_code == 400 and "positive amount" in bad_duty.text
    hostile = post(officer, "/console/parcels/RR123456785CN/decide", action="hold",
                   reason="<script>alert(1)</script>", expected="SUBMITTED")
    assert hostile.status_code == 302
    page = officer.get("/console/parcels/RR123456785CN").text
    assert "<script>alert(1)" not in page and "&lt;script&gt;alert(1)" in page
    assert world.get("moscow", "/v1/parcels/RR123456785CN").get_json()["status"] == "HELD"


def test_the_queue_counts_only_the_officers_offices(officer) -> None:
    page = officer.get("/console/queue?office=10009100").text  # not its office: ignored
    assert re.search(r'id="count-SUBMITTED">[^<]*<strong>3</strong>', page)
    assert "RR123456811CN" not in page


def test_a_marketplace_user_gets_the_403_page_on_officer_pages(world) -> None:
    world.customs.accounts.create_user("shop@acme.example", "marketplace", tenant="acme",
                                       password=PASSWORD, locale="en")
    client = create_app(customs=world.customs).test_client()
    post(client, "/console/sign-in", email="shop@acme.example", password=PASSWORD)
    for path in ("/console/queue", "/console/search", "/console/parcels/RR123456785CN"):
        refused = client.get(path)
        assert refused.status_code == 403 and "for another role" in refused.text


def test_a_bulk_decision_names_no_parcel_is_refused(officer) -> None:
    empty = post(officer, "/console/decisions/confirm", action="release")
    assert empty.status_code == 400 and "Tick at least one parcel" in empty.text


def test_saved_views_are_each_persons_own_and_need_the_form_token(officer, world) -> None:
    accounts = world.customs.accounts
    me = next(u for u in accounts.list_users() if u.email == "o@customs.example")
    refused = officer.post("/console/views", data={"page": "queue", "name": "x", "query": ""})
    assert refused.status_code == 400 and accounts.views(me.id, "queue") == []
    saved = post(officer, "/console/views", page="search", name="  Held  at   home ",
                 query="status=HELD&cursor=abc&q=&office=10005020&csrf_token=t")
    assert saved.status_code == 302
    assert saved.headers["Location"] == "/console/search?status=HELD&office=10005020"
    again = post(officer, "/console/views", page="search", name="Held at home",
                 query="status=HELD")  # the same name: its filters replaced
    assert again.status_code == 302
    [view] = accounts.views(me.id, "search")
    assert (view.name, view.query) == ("Held at home", "status=HELD")
    assert post(officer, "/console/views", page="search", name=" ",
                query="").status_code == 400
    assert post(officer, "/console/views", page="admin", name="x", query="").status_code == 400
    accounts.create_user("p@customs.example", "officer", offices=["10005020"],
                         password=PASSWORD, locale="en")
    other = create_app(customs=world.customs).test_client()
    post(other, "/console/sign-in", email="p@customs.example", password=PASSWORD)
    assert "Held at home" not in other.get("/console/search").text
    assert post(other, f"/console/views/{view.id}/delete", page="search").status_code == 404
    assert accounts.views(me.id, "search") == [view]
    assert "Held at home" in officer.get("/console/search").text
    done = post(officer, f"/console/views/{view.id}/delete", page="search")
    assert done.status_code == 302 and accounts.views(me.id, "search") == []
