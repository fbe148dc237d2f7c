"""Sealed batches reach the authority reliably: retries with backoff, a cap, nothing dropped."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest
from click.testing import CliRunner
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

from api.cli import cli
from customs.adapters.authority.transports import DirectoryTransport, HttpTransport
from customs.services.intake import SubmitManifest
from customs.services.ports import TransportResult
from tests.manifests import manifest, parcel


class FlakyAuthority:
    """Fails `down` times (retryable), then acknowledges; remembers every message id."""

    def __init__(self, down: int = 0, refuse: bool = False) -> None:
        self.down, self.refuse = down, refuse
        self.seen: list[str] = []

    def send(self, message_id: str, document: bytes) -> TransportResult:
        self.seen.append(message_id)
        if self.refuse:
            return TransportResult(False, 400, b"bad", False, "HTTP 400")
        if self.down > 0:
            self.down -= 1
            return TransportResult(False, 503, None, True, "HTTP 503")
        return TransportResult(True, 202, b"<Ack/>", False, None)


@pytest.fixture
def sealed(signed_customs):  # type: ignore[no-untyped-def]
    tenant = signed_customs.access.authenticate(signed_customs.access.create_api_key("acme",
                                                                                     "marketplace")[1])
    body = manifest(*[parcel(f"CDEK-{n:05d}") for n in range(10)])
    signed_customs.intake.submit_manifest(SubmitManifest(tenant.tenant_id, "k", body, "t"))
    signed_customs.settings.batch_size = 4
    assert signed_customs.outbound.seal_batches(force=True).parcels == 10  # 3 batches
    return signed_customs


def _one(customs, sql: str):  # type: ignore[no-untyped-def]
    with customs.resources.engine.connect() as conn:
        return conn.exec_driver_sql(sql).scalar()


def test_authority_down_then_back_nothing_lost_each_message_id_kept(sealed):
    authority = FlakyAuthority(down=3)
    for _ in range(10):
        sealed.clock.current += timedelta(hours=1)  # past any backoff
        sealed.outbound.submit_batches(authority)
    assert _one(sealed, "SELECT count(*) FROM batches WHERE status = 'SUBMITTED'") == 3
    assert _one(sealed, "SELECT count(*) FROM parcels WHERE status = 'SUBMITTED'") == 10
    assert len(set(authority.seen)) == 3  # resends carry the same message id
    assert _one(sealed, "SELECT count(*) FROM messages WHERE direction = 'out'") == \
        len(authority.seen) == 6
    assert _one(sealed, "SELECT count(*) FROM messages WHERE direction = 'in'") == 3


def test_while_failing_a_pass_sends_one_request_not_the_whole_queue(sealed):
    authority = FlakyAuthority(down=100)
    report = sealed.outbound.submit_batches(authority)
    assert len(authority.seen) == 1 and len(report.retrying) == 1


def test_backoff_waits_before_the_next_attempt(sealed):
    authority = FlakyAuthority(down=100)
    sealed.outbound.submit_batches(authority)
    sealed.outbound.submit_batches(authority)  # same instant: the failed batch is not due yet
    assert authority.seen.count(authority.seen[0]) == 1


def test_cap_on_attempts_then_visible_failure_and_operator_retry(sealed, database_url):
    sealed.settings.submit_max_attempts = 2
    authority = FlakyAuthority(down=100)
    for _ in range(12):
        sealed.clock.current += timedelta(hours=1)
        sealed.outbound.submit_batches(authority)
    assert _one(sealed, "SELECT count(*) FROM batches WHERE status = "
                        "'TRANSMISSION_FAILED'") == 3
    assert _one(sealed, "SELECT count(*) FROM parcels WHERE status = "
                        "'TRANSMISSION_FAILED'") == 10
    batch_id = _one(sealed, "SELECT id FROM batches WHERE parcel_count = 4 ORDER BY id LIMIT 1")
    result = CliRunner().invoke(cli, ["batch", "retry", batch_id],
                                env={"CUSTOMS_DATABASE_URL": database_url})
    assert result.exit_code == 0, result.output
    # the CLI ran on the real clock: move the test clock past it
    sealed.clock.current = max(sealed.clock.current, datetime.now(UTC)) + timedelta(minutes=1)
    sealed.outbound.submit_batches(FlakyAuthority())
    assert _one(sealed, "SELECT count(*) FROM parcels WHERE status = 'SUBMITTED'") == 4


def test_refused_message_fails_at_once(sealed):
    sealed.outbound.submit_batches(FlakyAuthority(refuse=True))
    assert _one(sealed, "SELECT last_error FROM batches WHERE status = "
                        "'TRANSMISSION_FAILED'").startswith("refused by the authority")


def test_http_transport_against_a_real_server(sealed):
    calls: list[tuple[str, int]] = []

    @Request.application
    def authority(request: Request) -> Response:
        calls.append((request.headers["X-Message-Id"], len(request.get_data())))
        if len(calls) == 1:
            return Response("busy", status=503)
        return Response("<Ack/>", status=202, mimetype="application/xml")

    server = make_server("127.0.0.1", 0, authority)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        transport = HttpTransport(f"http://127.0.0.1:{server.server_port}/batches", timeout=5)
        sealed.outbound.submit_batches(transport)
        sealed.clock.current += timedelta(hours=1)
        sealed.outbound.submit_batches(transport)
    finally:
        server.shutdown()
    assert calls[0][0] == calls[1][0]  # the resend is the same message
    assert _one(sealed, "SELECT count(*) FROM batches WHERE status = 'SUBMITTED'") == 3
    unreachable = HttpTransport("http://127.0.0.1:9/none", timeout=1).send("m", b"<x/>")
    assert unreachable.retryable and not unreachable.accepted


def test_directory_drop(sealed, tmp_path):
    sealed.outbound.submit_batches(DirectoryTransport(tmp_path / "outbox"))
    files = sorted((tmp_path / "outbox").glob("*.xml"))
    assert len(files) == 3
    assert not list((tmp_path / "outbox").glob(".*"))  # no partial files left
