"""`customs keys generate --algorithm gost2012-256|gost2012-512`, signing and verifying with
the key it writes, and the one-line report where the OpenSSL GOST engine is missing."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from lxml import etree

from api.cli import cli
from signing import (
    GOST_256,
    GOST_512,
    generate_dev_key,
    gost,
    load_software_signer,
    signed_canonical,
)

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(("algorithm", "method"), [("gost2012-256", GOST_256),
                                                   ("gost2012-512", GOST_512)])
def test_a_generated_gost_key_signs_and_the_signature_verifies(
        database_url: str, tmp_path: Path, algorithm: str, method: str) -> None:
    if not gost.available():
        pytest.fail(gost.ENGINE_MISSING)
    runner = CliRunner()
    made = runner.invoke(cli, ["keys", "generate", "--algorithm", algorithm, "--out",
                               str(tmp_path / "k")], catch_exceptions=False)
    assert made.exit_code == 0, made.output
    key, cert = tmp_path / "k" / "key.pem", tmp_path / "k" / "cert.pem"
    assert key.stat().st_mode & 0o777 == 0o600
    assert load_software_signer(key, cert).algorithm == method
    document = tmp_path / "doc.xml"
    document.write_bytes(b'<Doc xmlns="urn:x" Id="d1"><Total>1.00</Total></Doc>')
    env = {"CUSTOMS_DATABASE_URL": database_url, "CUSTOMS_SIGNING_KEY": str(key),
           "CUSTOMS_SIGNING_CERT": str(cert)}
    signed = runner.invoke(cli, ["sign", str(document), "--out", str(tmp_path / "signed.xml")],
                           env=env, catch_exceptions=False)
    assert signed.exit_code == 0, signed.output
    assert method.encode() in (tmp_path / "signed.xml").read_bytes()
    ok = runner.invoke(cli, ["verify", str(tmp_path / "signed.xml"), "--cert", str(cert)])
    assert ok.exit_code == 0, ok.output
    assert "valid, signed by CN=customs development signer" in ok.output
    tampered = tmp_path / "tampered.xml"
    tampered.write_bytes((tmp_path / "signed.xml").read_bytes().replace(b"1.00", b"9.00"))
    bad = runner.invoke(cli, ["verify", str(tampered), "--cert", str(cert)])
    assert bad.exit_code == 1
    assert "invalid: digest mismatch" in bad.output


def test_without_the_gost_engine_the_command_says_what_to_install(tmp_path: Path) -> None:
    """OPENSSL_ENGINES pointing at an empty folder: libcrypto finds no GOST engine."""
    (tmp_path / "no-engines").mkdir()
    env = {**os.environ, "OPENSSL_ENGINES": str(tmp_path / "no-engines")}
    result = subprocess.run([sys.executable, "-m", "api.cli", "keys", "generate", "--algorithm",
                             "gost2012-256", "--out", str(tmp_path / "k")], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        "Error: GOST needs the OpenSSL GOST provider: apt-get install libengine-gost-openssl"]
    assert not (tmp_path / "k" / "key.pem").exists()


def test_without_the_gost_engine_a_gost_signature_is_not_taken_for_valid(
        tmp_path: Path) -> None:
    if not gost.available():
        pytest.fail(gost.ENGINE_MISSING)
    key, cert = generate_dev_key("gost2012-256", tmp_path / "k")
    document = tmp_path / "signed.xml"
    document.write_bytes(signed_canonical(etree.fromstring(b'<Doc Id="d1"/>'),
                                          load_software_signer(key, cert), reference_id="d1"))
    (tmp_path / "no-engines").mkdir()
    env = {**os.environ, "OPENSSL_ENGINES": str(tmp_path / "no-engines")}
    result = subprocess.run([sys.executable, "-m", "api.cli", "verify", str(document), "--cert",
                             str(cert)], cwd=ROOT, env=env, capture_output=True, text=True,
                            timeout=60, check=False)
    assert result.returncode == 1
    assert result.stdout.strip().splitlines() == [
        f"{document}: invalid: cannot check GOST here: GOST needs the OpenSSL GOST provider: "
        "apt-get install libengine-gost-openssl"]
    assert "Traceback" not in result.stderr
