"""/v1/rates, `customs rates load`, and the duty estimate shown on the parcel."""

from __future__ import annotations

from click.testing import CliRunner

from api.cli import cli
from tests.api.contract import assert_conforms
from tests.manifests import manifest, parcel

XML = {"Content-Type": "application/xml"}
CSV = "date,currency,base,rate\n2026-11-23,EUR,RUB,100\n2026-11-20,USD,RUB,80.5\n"


def operator(customs) -> dict[str, str]:  # type: ignore[no-untyped-def]
    token = customs.access.create_api_key("ops", "operator")[1]
    return {"Authorization": f"Bearer {token}"}


def officer(customs) -> dict[str, str]:  # type: ignore[no-untyped-def]
    token = customs.access.create_api_key("fts", "officer", offices=["10005020"])[1]
    return {"Authorization": f"Bearer {token}"}


def submit(client, auth, body: bytes):  # type: ignore[no-untyped-def]
    return client.post("/v1/manifests", data=body,
                       headers={**auth, **XML, "Idempotency-Key": "k-1"})


def test_operator_loads_rates_and_everyone_reads_them(client, auth, customs):
    reply = client.put("/v1/rates", data=CSV, headers={**operator(customs),
                                                       "Content-Type": "text/csv"})
    assert reply.status_code == 200, reply.get_json()
    assert_conforms(reply, "/v1/rates", "put")
    assert reply.get_json() == {"loaded": 2}
    listed = client.get("/v1/rates?from=2026-11-01&to=2026-11-30", headers=auth)
    assert_conforms(listed, "/v1/rates")
    assert [(r["date"], r["currency"], r["rate"]) for r in listed.get_json()["items"]] == [
        ("2026-11-20", "USD", "80.5"), ("2026-11-23", "EUR", "100")]
    # a correction replaces the rate of that day and pair
    again = client.put("/v1/rates", json={"rates": [{"date": "2026-11-23", "currency": "EUR",
                                                     "base": "RUB", "rate": "101.25"}]},
                       headers=operator(customs))
    assert again.status_code == 200
    items = client.get("/v1/rates?from=2026-11-23&to=2026-11-23", headers=auth).get_json()
    assert [r["rate"] for r in items["items"]] == ["101.25"]


def test_rates_errors(client, auth, customs):
    boss = operator(customs)
    assert client.put("/v1/rates", data=CSV, headers={**auth, "Content-Type": "text/csv"}
                      ).get_json()["code"] == "FORBIDDEN_ROLE"
    assert client.put("/v1/rates", data=CSV, headers={**boss, "Content-Type": "text/plain"}
                      ).get_json()["code"] == "UNSUPPORTED_MEDIA_TYPE"
    bad = client.put("/v1/rates", data="date,currency,base,rate\n2026-11-23,EUR,RUB,-1\n",
                     headers={**boss, "Content-Type": "text/csv"})
    assert (bad.status_code, bad.get_json()["code"]) == (422, "RATES_INVALID")
    floats = client.put("/v1/rates", json={"rates": [{"date": "2026-11-23", "currency": "EUR",
                                                      "base": "RUB", "rate": 100.5}]},
                        headers=boss)
    assert floats.get_json()["code"] == "RATES_INVALID"
    big = client.put("/v1/rates", data="x" * (2 * 1024 * 1024 + 1),
                     headers={**boss, "Content-Type": "text/csv"})
    assert big.get_json()["code"] == "RATES_TOO_LARGE"
    assert client.get("/v1/rates?from=yesterday", headers=auth).get_json()["code"] == \
        "INVALID_DATE"
    assert client.get("/v1/rates?from=2020-01-01&to=2026-01-01", headers=auth
                      ).get_json()["code"] == "BAD_QUERY"
    # nothing of a refused upload was stored
    assert client.get("/v1/rates", headers=auth).get_json()["items"] == []


def test_only_the_operator_role_sets_rates(client, auth, customs):
    courier = {"Authorization": f"Bearer {customs.access.create_api_key('cdek', 'courier')[1]}"}
    for who in (officer(customs), auth, courier):
        refused = client.put("/v1/rates", data=CSV, headers={**who, "Content-Type": "text/csv"})
        assert (refused.status_code, refused.get_json()["code"]) == (403, "FORBIDDEN_ROLE")
        assert client.get("/v1/rates", headers=who).status_code == 200
    assert client.get("/v1/rates?from=2026-11-01&to=2026-11-30", headers=auth
                      ).get_json()["items"] == []
    ops = operator(customs)
    assert client.put("/v1/rates", data=CSV, headers={**ops, "Content-Type": "text/csv"}
                      ).status_code == 200
    assert client.get("/v1/rates?from=2026-11-01&to=2026-11-30", headers=ops
                      ).get_json()["items"] != []


def test_an_operator_key_sees_no_parcel(client, auth, customs):
    submit(client, auth, manifest(parcel()))
    ops = operator(customs)
    for path in ("/v1/parcels/RR123456785CN", "/v1/parcels?limit=5", "/v1/feed",
                 "/v1/stats", "/v1/webhooks"):
        reply = client.get(path, headers=ops)
        assert (reply.status_code, reply.get_json()["code"]) == (403, "FORBIDDEN_ROLE"), path
    posted = client.post("/v1/manifests", data=manifest(parcel("RR123456799CN")),
                         headers={**ops, **XML, "Idempotency-Key": "k-ops"})
    assert posted.status_code == 403


def test_cli_creates_an_operator_key(customs, database_url):
    made = CliRunner().invoke(cli, ["api-key", "create", "--tenant", "ops", "--role", "operator"],
                              env={"CUSTOMS_DATABASE_URL": database_url})
    assert made.exit_code == 0, made.output
    token = made.stdout.strip().splitlines()[-1]
    assert customs.access.authenticate(token).role == "operator"


def test_parcel_shows_its_estimate_or_why_there_is_none(client, auth, customs):
    # no rates yet: the estimate says so; value EUR 250 is above the EUR 200 threshold
    submit(client, auth, manifest(parcel(value="250.00")))
    detail = client.get("/v1/parcels/RR123456785CN", headers=auth)
    assert_conforms(detail, "/v1/parcels/{parcel}")
    estimate = detail.get_json()["duty_estimate"]
    assert estimate["status"] == "RATES_MISSING" and estimate["amount"] is None
    assert "EUR->RUB" in estimate["reason"]
    assert detail.get_json()["assessed_duty"] is None


def test_parcel_estimate_with_rates_loaded_by_the_cli(client, auth, customs, tmp_path,
                                                      database_url):
    rates = tmp_path / "rates.csv"
    rates.write_text(CSV, encoding="utf-8")
    result = CliRunner().invoke(cli, ["rates", "load", str(rates)],
                                env={"CUSTOMS_DATABASE_URL": database_url})
    assert result.exit_code == 0, result.output
    assert "loaded 2 exchange rates" in result.output
    submit(client, auth, manifest(parcel(value="250.00")))
    estimate = client.get("/v1/parcels/RR123456785CN", headers=auth).get_json()["duty_estimate"]
    # the clock's day is 2026-11-23: EAEU 2026 rule, 5 % of the whole EUR 250 = EUR 12.50
    assert estimate["status"] == "ESTIMATED"
    assert (estimate["amount"], estimate["currency"]) == ("1250.00", "RUB")
    assert estimate["rule"] == "eaeu-ecommerce-2026"
    assert estimate["period"] == "2026-07-01.."
    assert estimate["basis"]["value_in_rule_currency"] == "250.0000"
    bad = tmp_path / "bad.csv"
    bad.write_text("date,currency\n", encoding="utf-8")
    failed = CliRunner().invoke(cli, ["rates", "load", str(bad)],
                                env={"CUSTOMS_DATABASE_URL": database_url})
    assert failed.exit_code != 0 and "missing columns" in failed.output
