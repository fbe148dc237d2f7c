"""Webhook secrets in the database are sealed with CUSTOMS_SECRETS_KEY; deliveries are signed
with the plain secret; a key rotation (new key first, `customs webhooks reencrypt`, old key
removed) keeps every webhook signing; plaintext secrets from before are sealed by
`customs db upgrade`; without a key no webhook can be registered."""


from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from cryptography.fernet import Fernet

from api import create_app
from api.cli import cli
from customs.bootstrap import bootstrap
from customs.settings import Settings
from tests.conftest import TEST_SECRETS_KEY
from tests.integration.test_webhooks import _courier, _submit, _verify

ROOT = Path(__file__).resolve().parents[2]


def _stored(customs) -> list[tuple[str, str | None]]:  # type: ignore[no-untyped-def]
    with customs.resources.engine.connect() as conn:
        return [tuple(r) for r in conn.exec_driver_sql(
            "SELECT secret, previous_secret FROM webhooks ORDER BY id").all()]


def _cli(database_url: str, keys: str, *args: str):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(cli, list(args), env={"CUSTOMS_DATABASE_URL": database_url,
                                                    "CUSTOMS_SECRETS_KEY": keys})


def _run(database_url: str, keys: str, *args: str) -> subprocess.CompletedProcess[str]:
    """The installed command as an operator runs it (its one-line error report included)."""
    env = {**os.environ, "CUSTOMS_DATABASE_URL": database_url, "CUSTOMS_SECRETS_KEY": keys}
    return subprocess.run([sys.executable, "-m", "api.cli", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120, check=False)


def _delivered_with(customs, receiver, secret: str, tracking: str) -> None:  # type: ignore[no-untyped-def]
    before = len(receiver.requests)
    _submit(customs, tracking)
    report = customs.webhooks.deliver_webhooks()
    assert report.delivered >= 1, report
    for headers, body in receiver.requests[before:]:
        assert any(_verify(secret, headers, body))


def test_stored_sealed_and_deliveries_signed_with_the_plain_secret(hooked, receiver):
    courier = _courier(hooked)
    hook = hooked.webhooks.create_webhook(courier, receiver.url)
    [(stored, previous)] = _stored(hooked)
    assert stored.startswith("enc1:") and hook.secret not in stored and previous is None
    _delivered_with(hooked, receiver, hook.secret, "CDEK-SEAL-1")
    rotated = hooked.webhooks.rotate_webhook_secret(courier, hook.id, 3600)
    [(stored, previous)] = _stored(hooked)
    assert rotated.secret not in stored and previous and hook.secret not in previous
    _delivered_with(hooked, receiver, rotated.secret, "CDEK-SEAL-2")


def test_key_rotation_with_reencrypt(hooked, receiver, database_url):
    courier = _courier(hooked)
    hook = hooked.webhooks.create_webhook(courier, receiver.url)
    new_key = Fernet.generate_key().decode()
    done = _cli(database_url, f"{new_key},{TEST_SECRETS_KEY}", "webhooks", "reencrypt")
    assert done.exit_code == 0, done.output
    assert "secrets re-sealed 1" in done.output
    only_new = bootstrap(Settings(database_url=database_url, secrets_key=new_key,
                                  webhook_allow_private_urls=True), clock=hooked.clock)
    try:
        _delivered_with(only_new, receiver, hook.secret, "CDEK-ROT-1")
    finally:
        only_new.close()
    # the old key alone no longer opens it: not sent, retried, and it says why
    only_old = bootstrap(Settings(database_url=database_url, secrets_key=TEST_SECRETS_KEY,
                                  webhook_allow_private_urls=True), clock=hooked.clock)
    try:
        _submit(only_old, "CDEK-ROT-2")
        report = only_old.webhooks.deliver_webhooks()
        assert report.delivered == 0 and report.retrying >= 1
        pending = only_old.webhooks.webhook_deliveries(courier, hook.id, "pending", None, 10)[0]
        assert any("no key of CUSTOMS_SECRETS_KEY opens" in (d.last_error or "")
                   for d in pending)
    finally:
        only_old.close()


def test_plaintext_secrets_from_before_are_sealed_by_db_upgrade(hooked, receiver,
                                                                database_url):
    courier = _courier(hooked)
    hook = hooked.webhooks.create_webhook(courier, receiver.url)
    legacy = "whsec_stored-in-plaintext-before-0009"
    with hooked.resources.engine.begin() as conn:
        conn.exec_driver_sql(f"UPDATE webhooks SET secret = '{legacy}'")
    _delivered_with(hooked, receiver, legacy, "CDEK-OLD-1")  # still used as it is
    warned = _cli(database_url, "", "db", "upgrade")
    assert warned.exit_code == 0 and "1 webhooks hold secrets stored in plaintext" in \
        warned.output
    upgraded = _cli(database_url, TEST_SECRETS_KEY, "db", "upgrade")
    assert upgraded.exit_code == 0 and "webhook secrets sealed" in upgraded.output
    [(stored, _)] = _stored(hooked)
    assert stored.startswith("enc1:") and legacy not in stored
    _delivered_with(hooked, receiver, legacy, "CDEK-OLD-2")
    assert hook.id


def test_without_a_key_no_webhook_is_registered(database_url, clock):  # type: ignore[no-untyped-def]
    keyless = bootstrap(Settings(database_url=database_url, secrets_key=None,
                                 webhook_allow_private_urls=True), clock=clock)
    try:
        token = keyless.access.create_api_key("cdek", "courier", courier="CDEK")[1]
        reply = create_app(customs=keyless).test_client().post(
            "/v1/webhooks", json={"url": "http://127.0.0.1:9/hook"},
            headers={"Authorization": f"Bearer {token}"})
        assert (reply.status_code, reply.get_json()["code"]) == (503, "SECRETS_KEY_MISSING")
        assert "customs webhooks generate-key" in reply.get_json()["detail"]
        assert _stored(keyless) == []
        failed = _run(database_url, "", "webhooks", "reencrypt")
        assert failed.returncode == 2 and "CUSTOMS_SECRETS_KEY is not set" in failed.stderr
    finally:
        keyless.close()


def test_a_bad_key_stops_the_start_without_printing_it(database_url):
    bad = "this-is-no-fernet-key"
    result = _run(database_url, f"{Fernet.generate_key().decode()},{bad}", "db", "upgrade")
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "key 2 is not a Fernet key" in result.stderr and bad not in result.stderr


def test_the_downgrade_refuses_while_sealed_secrets_are_stored(hooked, receiver, database_url):
    from alembic import command

    from customs.adapters.database.migrate import alembic_config

    hooked.webhooks.create_webhook(_courier(hooked), receiver.url)
    with pytest.raises(RuntimeError, match="sealed secrets"):
        command.downgrade(alembic_config(database_url), "0007")
    assert _stored(hooked)[0][0].startswith("enc1:")  # nothing cut
