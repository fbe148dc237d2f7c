"""Readiness, request metrics, backlog gauges and structured JSON logs."""

from __future__ import annotations

import json
import logging
from pathlib import Path

from customs.logs import JsonFormatter
from tests.conftest import METRICS_AUTH
from tests.manifests import manifest, parcel


def test_ready_when_database_and_schema_are_current(client):
    reply = client.get("/ready")
    assert reply.status_code == 200
    body = reply.get_json()
    assert body["status"] == "ready" and body["schema"] is True and body["database"] is True


def test_not_ready_when_the_schema_is_behind(client, customs):
    with customs.resources.engine.begin() as conn:
        head = conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalar()
        conn.exec_driver_sql("UPDATE alembic_version SET version_num = '0001'")
    try:
        reply = client.get("/ready")
        assert reply.status_code == 503
        assert reply.get_json()["schema_revision"] == "0001"
    finally:  # on PostgreSQL the tests share one database, and its alembic_version
        with customs.resources.engine.begin() as conn:
            conn.exec_driver_sql(f"UPDATE alembic_version SET version_num = '{head}'")


def test_metrics_count_requests_by_route_and_report_the_backlog(signed_client, signed_customs):
    token = signed_customs.access.create_api_key("acme", "marketplace")[1]
    signed_client.post("/v1/manifests", data=manifest(parcel()), headers={
        "Authorization": f"Bearer {token}", "Content-Type": "application/xml",
        "Idempotency-Key": "k1"})
    signed_client.get("/v1/parcels/RR123456785CN", headers={"Authorization": f"Bearer {token}"})
    text = signed_client.get("/metrics", headers=METRICS_AUTH).get_data(as_text=True)
    assert 'route="/v1/parcels/<parcel>",status="200"' in text
    assert ('customs_http_request_duration_seconds_count{method="POST",'
            'route="/v1/manifests",status="202"}') in text
    assert 'customs_backlog_parcels{step="batch"} 1.0' in text
    assert "customs_backlog_oldest_seconds" in text
    signed_customs.outbound.seal_batches(force=True)
    text = signed_client.get("/metrics", headers=METRICS_AUTH).get_data(as_text=True)
    assert 'customs_batches{status="SEALED"} 1.0' in text
    assert 'customs_batch_attempts{status="SEALED"} 0.0' in text
    assert 'customs_backlog_parcels{step="submit_batches"} 1.0' in text


def test_json_log_lines_carry_extra_ids_and_gunicorn_access_fields():
    formatter = JsonFormatter()
    record = logging.LogRecord("customs.worker", logging.INFO, __file__, 1, "worker pass", (),
                               None)
    record.sealed_batches = 3
    line = json.loads(formatter.format(record))
    assert line["message"] == "worker pass" and line["sealed_batches"] == 3
    assert line["level"] == "INFO" and line["logger"] == "customs.worker"
    access = logging.LogRecord("gunicorn.access", logging.INFO, __file__, 1, "%(r)s",
                               ({"m": "GET", "U": "/v1/parcels/X", "q": "name=Ivan", "s": "200",
                                 "B": "12", "L": "0.0031", "h": "10.0.0.1"},), None)
    line = json.loads(formatter.format(access))
    assert line["method"] == "GET" and line["path"] == "/v1/parcels/X"
    assert line["status"] == 200 and line["duration_ms"] == 3.1
    assert "Ivan" not in json.dumps(line) and "10.0.0.1" not in json.dumps(line)


def test_json_access_logger_writes_gunicorn_loggers_fields_without_its_atoms(capsys):
    """customs.access_log.JsonAccessLogger (gunicorn.conf.py's logger_class for JSON logs)
    writes the same access line as gunicorn's own Logger, from the fields it logs alone."""
    from datetime import timedelta
    from types import SimpleNamespace

    from gunicorn.config import Config
    from gunicorn.glogging import Logger

    from customs.access_log import JsonAccessLogger
    from customs.logs import gunicorn_logconfig

    Req = SimpleNamespace(headers=[("HOST", "h"), ("X-REQUEST-ID", "req-7"),
                                   ("AUTHORIZATION", "Bearer k")])
    Resp = SimpleNamespace(status="404 NOT FOUND", sent=321,
                           headers=[("Content-Type", "application/problem+json")])

    environ = {"REQUEST_METHOD": "GET", "RAW_URI": '/v1/parcels/A"B?name=Ivan',
               "PATH_INFO": '/v1/parcels/A"B', "QUERY_STRING": "name=Ivan",
               "SERVER_PROTOCOL": "HTTP/1.1", "REMOTE_ADDR": "10.0.0.1",
               "HTTP_X_REQUEST_ID": "req-7", "HTTP_AUTHORIZATION": "Bearer k"}
    lines = {}
    for cls in (Logger, JsonAccessLogger):
        cfg = Config()
        cfg.set("logconfig_dict", gunicorn_logconfig("INFO"))
        logger = cls(cfg)
        capsys.readouterr()
        logger.access(Resp, Req, environ, timedelta(seconds=1, microseconds=2500))
        out = capsys.readouterr().out.strip().splitlines()
        assert len(out) == 1
        lines[cls] = {k: v for k, v in json.loads(out[0]).items() if k != "ts"}
    ours = lines[JsonAccessLogger]
    assert ours["method"] == "GET" and ours["status"] == 404 and ours["bytes"] == 321
    assert ours["duration_ms"] == 1002.5 and ours["request_id"] == "req-7"
    assert ours["path"] == '/v1/parcels/A"B'  # gunicorn's atoms wrote it A\"B
    assert {k: v for k, v in lines[Logger].items() if k != "path"} == {
        k: v for k, v in ours.items() if k != "path"}
    assert "Ivan" not in json.dumps(ours) and "10.0.0.1" not in json.dumps(ours)
    assert "Bearer" not in json.dumps(ours)


def test_gunicorn_conf_selects_the_json_access_logger_and_a_long_keepalive(monkeypatch):
    import runpy

    monkeypatch.setenv("CUSTOMS_LOG_FORMAT", "json")
    monkeypatch.delenv("GUNICORN_KEEPALIVE", raising=False)
    conf = runpy.run_path(str(Path(__file__).resolve().parents[2] / "gunicorn.conf.py"))
    assert conf["logger_class"] == "customs.access_log.JsonAccessLogger"
    assert conf["keepalive"] == 75  # above a proxy's 60 s idle timeout
