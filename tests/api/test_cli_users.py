"""`customs user`: create (one-time password or from standard input), list, totp, disable;
refusals are one line and a non-zero exit."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from api.cli import cli

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def run(database_url):  # type: ignore[no-untyped-def]
    def invoke(*args: str, input: str | None = None):  # type: ignore[no-untyped-def]
        return CliRunner().invoke(cli, list(args), input=input, catch_exceptions=False,
                                  env={"CUSTOMS_DATABASE_URL": database_url})

    return invoke


def test_user_lifecycle(run, customs) -> None:
    officer = run("user", "create", "--email", "Ivanova@customs.example", "--role", "officer",
                  "--offices", "10005020,10005030")
    assert officer.exit_code == 0
    one_time = officer.stdout.strip().rsplit(": ", 1)[1]
    assert customs.accounts.sign_in("ivanova@customs.example", one_time).outcome == "signed_in"
    shop = run("user", "create", "--email", "ops@acme.example", "--role", "marketplace",
               "--tenant", "acme", "--locale", "en", "--password-stdin",
               input="a long enough password\n")
    assert shop.exit_code == 0 and "password" not in shop.stdout
    listed = [json.loads(line) for line in run("user", "list").stdout.splitlines()]
    assert [(u["email"], u["role"], u["offices"], u["tenant"], u["locale"]) for u in listed] == [
        ("ivanova@customs.example", "officer", ["10005020", "10005030"], None, "ru"),
        ("ops@acme.example", "marketplace", [], "acme", "en")]
    assert "hash" not in run("user", "list").stdout
    uri = run("user", "totp", "ivanova@customs.example").stdout.strip()
    assert uri.startswith("otpauth://totp/") and "secret=" in uri
    assert json.loads(run("user", "list").stdout.splitlines()[0])["totp"] is True
    assert "1 sessions ended" in run("user", "disable", "ivanova@customs.example").stdout
    assert customs.accounts.sign_in("ivanova@customs.example", one_time).outcome == "refused"


@pytest.mark.parametrize("args, said", [
    (["--email", "x", "--role", "officer", "--offices", "10005020"], "e-mail address"),
    (["--email", "a@customs.example", "--role", "officer"], "customs office codes"),
    (["--email", "a@customs.example", "--role", "marketplace"], "needs --tenant"),
])
def test_refusals_are_one_line_and_exit_2(database_url, args, said) -> None:
    done = subprocess.run([sys.executable, "-m", "api", "user", "create", *args], cwd=ROOT,
                          env={"CUSTOMS_DATABASE_URL": database_url, "PYTHONPATH": str(ROOT),
                               "PATH": "/usr/bin:/bin"},
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert said in done.stderr and "Traceback" not in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1
