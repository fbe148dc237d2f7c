"""X-Request-Id on every reply, log line and problem document; /metrics behind its token; a
database never upgraded answers 503 DATABASE_NOT_MIGRATED, not 500."""

from __future__ import annotations

import json
import logging
from datetime import timedelta
from types import SimpleNamespace

import pytest

from api import create_app
from customs.adapters.database.engine import make_engine
from customs.domain.errors import DatabaseNotMigrated
from tests.conftest import METRICS_AUTH, TEST_DB


def test_a_reply_carries_a_new_request_id_when_the_caller_sent_none(client):
    first, second = client.get("/health"), client.get("/health")
    assert len(first.headers["X-Request-Id"]) == 32
    assert first.headers["X-Request-Id"] != second.headers["X-Request-Id"]


@pytest.mark.parametrize("given", ["abc-123", "0f8fad5b-d9cb-469f-a165-70867728950e",
                                   "trace:span/1=", "x" * 128])
def test_a_sane_caller_id_is_kept(client, given):
    assert client.get("/health", headers={"X-Request-Id": given}).headers[
        "X-Request-Id"] == given


@pytest.mark.parametrize("given", ["x" * 129, "two words", "line\tbreak", "é", '"quoted"'])
def test_an_insane_caller_id_is_replaced(client, given):
    answered = client.get("/health", headers={"X-Request-Id": given}).headers["X-Request-Id"]
    assert answered != given and len(answered) == 32


def test_every_problem_document_carries_the_request_id(client):
    unauthenticated = client.get("/v1/parcels/X", headers={"X-Request-Id": "req-1"})
    unknown_route = client.get("/nowhere", headers={"X-Request-Id": "req-2"})
    assert unauthenticated.get_json()["request_id"] == "req-1"
    assert unknown_route.get_json()["request_id"] == "req-2"
    assert unknown_route.headers["X-Request-Id"] == "req-2"


def test_a_database_never_upgraded_answers_503_not_migrated_and_logs_it_with_the_id(
        tmp_path, caplog):
    app = create_app({"database_url": f"sqlite:///{tmp_path / 'fresh.db'}"})
    with caplog.at_level(logging.ERROR, logger="customs.api"):
        reply = app.test_client().post(
            "/v1/manifests", data=b"<Manifest/>", headers={
                "Authorization": "Bearer cus_abcdef_0123456789", "X-Request-Id": "req-503",
                "Content-Type": "application/xml", "Idempotency-Key": "k1"})
    app.extensions["customs"].close()
    assert reply.status_code == 503
    body = reply.get_json()
    assert body["code"] == "DATABASE_NOT_MIGRATED" and "customs db upgrade" in body["detail"]
    assert body["request_id"] == "req-503"
    logged = [r for r in caplog.records if "customs db upgrade" in r.getMessage()]
    assert [r.request_id for r in logged] == ["req-503"]  # type: ignore[attr-defined]


def test_a_missing_table_is_told_as_not_migrated_on_this_engine(database_url):
    engine = make_engine(TEST_DB or database_url)
    try:
        with pytest.raises(DatabaseNotMigrated, match="customs db upgrade"), \
                engine.connect() as conn:
            conn.exec_driver_sql("SELECT id FROM h13_table_of_a_later_release")
        with pytest.raises(DatabaseNotMigrated), engine.connect() as conn:
            conn.exec_driver_sql("SELECT column_of_a_later_release FROM parcels")
    finally:
        engine.dispose()


def test_log_lines_of_a_request_carry_its_id_and_others_do_not(client, caplog):
    from flask import current_app

    @client.application.route("/log-something")
    def log_something() -> str:
        logging.getLogger("customs.test").warning("inside %s", current_app.name)
        return "ok"

    with caplog.at_level(logging.WARNING, logger="customs.test"):
        client.get("/log-something", headers={"X-Request-Id": "req-log"})
        logging.getLogger("customs.test").warning("outside any request")
    ids = [getattr(r, "request_id", None) for r in caplog.records if r.name == "customs.test"]
    assert ids == ["req-log", None]


def test_the_json_access_line_carries_the_id_the_reply_carried(app, capsys):
    """As gunicorn does: the app is called with an environ, and the access line is written
    from that same environ after the reply."""
    from gunicorn.config import Config
    from werkzeug.test import EnvironBuilder

    from customs.access_log import JsonAccessLogger
    from customs.logs import gunicorn_logconfig

    environ = EnvironBuilder(path="/health").get_environ()  # no id given: the app makes one
    headers: dict[str, str] = {}
    b"".join(app(environ, lambda status, items, *_: headers.update(items)))
    cfg = Config()
    cfg.set("logconfig_dict", gunicorn_logconfig("INFO"))
    logger = JsonAccessLogger(cfg)
    capsys.readouterr()
    logger.access(SimpleNamespace(status="200 OK", sent=10, headers=[]), None,
                  environ, timedelta(microseconds=900))
    line = json.loads(capsys.readouterr().out.strip())
    assert line["request_id"] == headers["X-Request-Id"]


def test_metrics_are_off_without_a_token_setting(client):
    reply = client.get("/metrics")
    assert (reply.status_code, reply.get_json()["code"]) == (404, "NOT_FOUND")


def test_metrics_need_the_token(signed_client):
    missing = signed_client.get("/metrics")
    wrong = signed_client.get("/metrics", headers={"Authorization": "Bearer not-the-token"})
    for reply in (missing, wrong):
        assert (reply.status_code, reply.get_json()["code"]) == (401, "UNAUTHENTICATED")
        assert reply.headers["WWW-Authenticate"] == 'Bearer realm="metrics"'
    right = signed_client.get("/metrics", headers=METRICS_AUTH)
    assert right.status_code == 200 and "customs_parcels" in right.get_data(as_text=True)


def test_both_log_formats_write_the_request_id(client, caplog):
    from customs.logs import JsonFormatter, TextFormatter

    @client.application.route("/log-once")
    def log_once() -> str:
        logging.getLogger("customs.test").warning("parcel %s looked up", "RR123456785CN")
        return "ok"

    with caplog.at_level(logging.WARNING, logger="customs.test"):
        client.get("/log-once", headers={"X-Request-Id": "req-fmt"})
    record = next(r for r in caplog.records if r.name == "customs.test")
    assert TextFormatter().format(record).endswith(
        "parcel RR123456785CN looked up [request_id=req-fmt]")
    assert json.loads(JsonFormatter().format(record))["request_id"] == "req-fmt"
