"""The `customs` command: exit codes and reports a person or a script relies on."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from api.cli import cli
from tests.conftest import shared_path
from tests.manifests import item, manifest, parcel

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def run(database_url):  # type: ignore[no-untyped-def]
    runner = CliRunner()

    def invoke(*args: str):  # type: ignore[no-untyped-def]
        return runner.invoke(cli, list(args), env={"CUSTOMS_DATABASE_URL": database_url},
                             catch_exceptions=False)

    return invoke


def test_validate_all_valid_exits_0(run, tmp_path):
    path = tmp_path / "m.xml"
    path.write_bytes(manifest(parcel(), parcel("RR123456799CN")))
    result = run("validate", str(path))
    assert result.exit_code == 0, result.output
    assert "2 parcels, 2 valid, 0 invalid" in result.output


def test_validate_some_invalid_exits_1_with_json_report(run, tmp_path):
    path = tmp_path / "m.xml"
    path.write_bytes(manifest(parcel(), parcel("RR123456799CN", items=[item(hs="12")])))
    result = run("validate", str(path), "--format", "json")
    assert result.exit_code == 1
    report = json.loads(result.output)
    assert (report["accepted"], report["rejected"]) == (1, 1)
    violation = report["rejections"][0]["violations"][0]
    assert violation["code"] == "SCHEMA_VIOLATION"
    assert violation["path"] == "/Manifest/Parcel[2]/Item/HSCode"
    assert violation["line"] > 1


@pytest.mark.parametrize("content", [b"not xml", b"<!DOCTYPE x><x/>",
                                     manifest(parcel(), issued="yesterday")])
def test_validate_unusable_file_exits_2(run, tmp_path, content):
    path = tmp_path / "m.xml"
    path.write_bytes(content)
    result = run("validate", str(path))
    assert result.exit_code == 2
    assert "error:" in result.output


def test_validate_missing_file_exits_2(run, tmp_path):
    result = run("validate", str(tmp_path / "absent.xml"))
    assert result.exit_code == 2
    assert "FILE_UNREADABLE" in result.output


def test_api_key_lifecycle(run):
    created = run("api-key", "create", "--tenant", "acme", "--role", "marketplace",
                  "--days", "30")
    assert created.exit_code == 0
    token = created.stdout.strip().splitlines()[-1]
    assert token.startswith("cus_")
    listed = [json.loads(line) for line in run("api-key", "list").stdout.splitlines()]
    assert [(k["tenant"], k["role"]) for k in listed] == [("acme", "marketplace")]
    assert token not in run("api-key", "list").output
    assert run("api-key", "revoke", listed[0]["id"]).exit_code == 0
    again = run("api-key", "revoke", listed[0]["id"])
    assert again.exit_code == 1
    assert "no active key" in again.output


def test_api_key_unknown_role_is_refused(run):
    result = run("api-key", "create", "--tenant", "acme", "--role", "admin")
    assert result.exit_code == 2
    assert "admin" in result.output


def test_nomenclature_load_turns_on_the_unknown_code_rule(run, client, auth):
    body = manifest(parcel("RR123456785CN", items=[item(hs="7777770000")]),
                    parcel("RR123456799CN", items=[item(hs="8517130000")]))
    headers = {**auth, "Content-Type": "application/xml"}
    before = client.post("/v1/manifests", data=body, headers={**headers, "Idempotency-Key": "1"})
    assert before.get_json()["rejected"] == 0  # no nomenclature: the rule is off
    csv_path = shared_path("data", "hs", "harmonized-system.csv")
    loaded = run("nomenclature", "load", str(csv_path))
    assert loaded.exit_code == 0, loaded.output
    assert "loaded 5" in loaded.output  # HS 2022 has 5,6xx six-digit subheadings
    again = body.replace(b"RR123456785CN", b"RR123456808CN").replace(
        b"RR123456799CN", b"RR123456811CN")
    after = client.post("/v1/manifests", data=again, headers={**headers, "Idempotency-Key": "2"})
    [rejection] = after.get_json()["rejections"]
    assert rejection["position"] == 1
    assert rejection["violations"][0]["code"] == "HS_CODE_UNKNOWN"
    assert rejection["violations"][0]["value"] == "7777770000"


def test_nomenclature_load_refuses_a_bad_file(run, tmp_path):
    bad = tmp_path / "hs.csv"
    bad.write_text("code,text\n010121,Horses\n")
    result = run("nomenclature", "load", str(bad))
    assert result.exit_code == 1
    assert "missing columns" in result.output


def test_console_script_runs(tmp_path):
    result = subprocess.run([sys.executable, "-m", "api.cli", "--help"], cwd=ROOT,
                            capture_output=True, text=True, check=True)
    for command in ("serve", "db", "api-key", "validate", "sample-manifest", "demo"):
        assert command in result.stdout


def test_keys_sign_verify_round_trip(run, tmp_path, monkeypatch):
    made = run("keys", "generate", "--algorithm", "rsa-2048", "--out", str(tmp_path / "k"))
    assert made.exit_code == 0, made.output
    key, cert = tmp_path / "k" / "key.pem", tmp_path / "k" / "cert.pem"
    assert key.stat().st_mode & 0o777 == 0o600
    doc = tmp_path / "doc.xml"
    doc.write_bytes(b'<Doc xmlns="urn:x" Id="d1"><Total>1.00</Total></Doc>')
    monkeypatch.setenv("CUSTOMS_SIGNING_KEY", str(key))
    monkeypatch.setenv("CUSTOMS_SIGNING_CERT", str(cert))
    signed = run("sign", str(doc), "--out", str(tmp_path / "signed.xml"))
    assert signed.exit_code == 0, signed.output
    ok = run("verify", str(tmp_path / "signed.xml"), "--cert", str(cert))
    assert ok.exit_code == 0
    assert "valid, signed by CN=customs development signer" in ok.output
    tampered = tmp_path / "tampered.xml"
    tampered.write_bytes((tmp_path / "signed.xml").read_bytes().replace(b"1.00", b"9.00"))
    bad = run("verify", str(tampered), "--cert", str(cert))
    assert bad.exit_code == 1
    assert "invalid: digest mismatch" in bad.output


def test_verify_with_the_wrong_certificate_is_refused(run, tmp_path, monkeypatch):
    run("keys", "generate", "--out", str(tmp_path / "a"))
    run("keys", "generate", "--out", str(tmp_path / "b"))
    doc = tmp_path / "doc.xml"
    doc.write_bytes(b"<Doc><Total>1.00</Total></Doc>")
    monkeypatch.setenv("CUSTOMS_SIGNING_KEY", str(tmp_path / "a" / "key.pem"))
    monkeypatch.setenv("CUSTOMS_SIGNING_CERT", str(tmp_path / "a" / "cert.pem"))
    run("sign", str(doc), "--out", str(tmp_path / "signed.xml"))
    result = run("verify", str(tmp_path / "signed.xml"), "--cert",
                 str(tmp_path / "b" / "cert.pem"))
    assert result.exit_code == 1
    assert "refused by policy: certificate" in result.output


def test_unsafe_key_file_stops_the_command_with_a_clear_message(tmp_path):
    subprocess.run([sys.executable, "-m", "api.cli", "keys", "generate", "--out",
                    str(tmp_path / "k")], cwd=ROOT, check=True, capture_output=True)
    (tmp_path / "k" / "key.pem").chmod(0o644)
    env = {**__import__("os").environ, "CUSTOMS_SIGNING_KEY": str(tmp_path / "k" / "key.pem"),
           "CUSTOMS_SIGNING_CERT": str(tmp_path / "k" / "cert.pem"),
           "CUSTOMS_DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}"}
    result = subprocess.run([sys.executable, "-m", "api.cli", "declare"], cwd=ROOT, env=env,
                            capture_output=True, text=True)
    assert result.returncode == 2
    assert "chmod 600" in result.stderr
    assert "Traceback" not in result.stderr


def test_serve_answers_http(tmp_path):
    """`customs serve` really serves (Flask ignores app.run() under its own CLI)."""
    import os
    import socket
    import subprocess
    import sys
    import time

    import requests

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {**os.environ, "CUSTOMS_DATABASE_URL": f"sqlite:///{tmp_path / 'c.db'}"}
    server = subprocess.Popen([sys.executable, "-m", "api", "serve", "--port", str(port)],
                              env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(100):
            try:
                reply = requests.get(f"http://127.0.0.1:{port}/openapi.json", timeout=1)
                break
            except requests.ConnectionError:
                assert server.poll() is None, "customs serve exited instead of serving"
                time.sleep(0.1)
        assert reply.status_code == 200
    finally:
        server.terminate()
        server.wait(timeout=10)


@pytest.mark.parametrize(("env", "said"), [
    ({}, "no authority configured, so sealed batches wait and nothing is submitted: set "
         "CUSTOMS_AUTHORITY_URL"),
    ({"CUSTOMS_AUTHORITY_URL": "http://127.0.0.1:9/v1/batches"},
     "CUSTOMS_AUTHORITY_CERT is not set")])
def test_worker_says_once_why_nothing_reaches_the_authority(database_url, dev_signing_key,
                                                            env, said):
    # A process of its own, as it runs: the worker installs SIGTERM/SIGINT handlers, which in
    # the test process would outlive the test (and make forked children ignore SIGTERM).
    base = {k: v for k, v in os.environ.items() if not k.startswith("CUSTOMS_")}
    result = subprocess.run(
        [sys.executable, "-m", "api.cli", "worker", "--once"], cwd=ROOT, capture_output=True,
        text=True, timeout=120, env={**base, "CUSTOMS_DATABASE_URL": database_url,
                                     "CUSTOMS_SIGNING_KEY": str(dev_signing_key[0]),
                                     "CUSTOMS_SIGNING_CERT": str(dev_signing_key[1]), **env})
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stderr.count(said) == 1, result.stderr
    assert "submitted 0" in result.stdout


def test_batch_list_shows_batches_and_their_ids_feed_batch_retry(signed_customs, run):
    from customs.services.intake import SubmitManifest

    tenant = signed_customs.access.authenticate(signed_customs.access.create_api_key("acme",
                                                                                     "marketplace")[1])
    signed_customs.intake.submit_manifest(SubmitManifest(
        tenant.tenant_id, "k", manifest(parcel(), parcel("RR123456799CN")), "t"))
    sealed = signed_customs.outbound.seal_batches(force=True).sealed
    assert len(sealed) == 1
    listed = run("batch", "list")
    assert listed.exit_code == 0, listed.output
    assert "SEALED" in listed.output and "2 parcels" in listed.output
    ids = run("batch", "list", "--status", "SEALED", "--format", "ids")
    assert ids.output.split() == [ids.output.strip()] and len(ids.output.strip()) == 36
    row = json.loads(run("batch", "list", "--format", "json").output)
    assert (row["id"], row["status"], row["parcels"]) == (ids.output.strip(), "SEALED", 2)
    none = run("batch", "list", "--status", "TRANSMISSION_FAILED", "--format", "ids")
    assert (none.exit_code, none.output) == (0, "")
    refused = run("batch", "retry", ids.output.strip())  # only a failed batch is sent again
    assert refused.exit_code == 1 and "no TRANSMISSION_FAILED batch" in refused.output
