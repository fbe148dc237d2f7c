"""What the operator is told by `customs` itself: bad settings, unknown variables, a database
that needs upgrading or cannot be reached, in one line each, never a password or a traceback;
--help and --version without loading the application."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from api.cli import cli
from customs import __version__
from tests.conftest import TEST_DB

ROOT = Path(__file__).resolve().parents[2]


def customs(*args: str, env: dict[str, str] | None = None, cwd: Path | None = None,
            stdin: bytes | None = None) -> subprocess.CompletedProcess[str]:
    """The real command line, in a clean CUSTOMS_* environment plus `env`."""
    base = {k: v for k, v in os.environ.items() if not k.startswith("CUSTOMS_")}
    base["PYTHONPATH"] = str(ROOT)
    return subprocess.run([sys.executable, "-m", "api.cli", *args], env=base | (env or {}),
                          cwd=cwd or ROOT, capture_output=True, timeout=120,
                          input=stdin.decode() if stdin is not None else None, text=True,
                          check=False)


def test_help_lists_our_commands_and_none_of_flasks_options():
    result = customs("--help")
    assert result.returncode == 0
    for flask_option in ("--env-file", "--app", "--debug", "FLASK"):
        assert flask_option not in result.stdout
    for command in ("serve", "db", "validate", "worker", "batch", "authority-sim", "demo"):
        assert f"\n  {command} " in result.stdout


def test_version_is_the_customs_version():
    result = customs("--version")
    assert (result.returncode, result.stdout.strip()) == (0, f"customs {__version__}")


APPLICATION = ("api.factory", "customs.bootstrap", "sqlalchemy")


@pytest.mark.parametrize(("args", "unused"), [
    (("--help",), ("flask", "lxml", *APPLICATION)),
    (("--version",), ("flask", "lxml", *APPLICATION)),
    (("db", "--help"), APPLICATION),
    (("keys", "generate", "--out", "{tmp}"), APPLICATION),
    (("verify", "--help"), APPLICATION),
    (("validate", str(ROOT / "examples" / "manifest-ru-small.xml")), ("flask", *APPLICATION)),
])
def test_a_command_imports_only_what_it_uses(tmp_path, args, unused):
    args = [a.replace("{tmp}", str(tmp_path / "keys")) for a in args]
    probe = ("import sys\nfrom api.cli import cli\n"
             f"try:\n    cli.main(args={args!r}, prog_name='customs')\n"
             "except SystemExit as exc:\n    assert not exc.code, exc.code\n"
             f"print(sorted(m for m in {unused!r} if m in sys.modules))")
    env = {k: v for k, v in os.environ.items() if not k.startswith("CUSTOMS_")}
    result = subprocess.run([sys.executable, "-c", probe], env=env | {"PYTHONPATH": str(ROOT)},
                            capture_output=True, text=True, timeout=60, check=True)
    assert result.stdout.strip().splitlines()[-1] == "[]"


@pytest.mark.parametrize(("variable", "value", "expected"), [
    ("CUSTOMS_DATABASE_URL", "mysql://u@h/db", "postgresql+psycopg://"),
    ("CUSTOMS_DATABASE_URL", "not a url", "sqlite:///PATH"),
    ("CUSTOMS_RATE_LIMIT", "lots", "COUNT/second|minute|hour|day"),
    ("CUSTOMS_LOG_LEVEL", "LOUD", "DEBUG, INFO, WARNING, ERROR, CRITICAL"),
    ("CUSTOMS_AUTHORITY_URL", "notaurl", "http:// or https:// URL"),
    ("CUSTOMS_AUTHORITY_POLL_URL", "ftp://authority/feed", "http:// or https:// URL"),
    ("CUSTOMS_RATE_LIMIT_STORAGE", "disk://", "memory:// or redis://"),
    ("CUSTOMS_MAX_PARCELS", "many", "valid integer"),
    ("CUSTOMS_LOG_FORMAT", "xml", "'text' or 'json'"),
])
def test_a_bad_setting_is_one_line_naming_it_and_its_form(monkeypatch, variable, value,
                                                          expected):
    for name in [n for n in os.environ if n.startswith("CUSTOMS_")]:
        monkeypatch.delenv(name)
    result = CliRunner().invoke(cli, ["api-key", "list"], env={variable: value})
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith(f"error: {variable}=") and expected in lines[0]
    assert "Traceback" not in result.stderr and result.stdout == ""


def test_several_bad_settings_are_one_line_each_and_secrets_are_not_echoed(tmp_path):
    result = customs("serve", env={"CUSTOMS_LOG_LEVEL": "LOUD", "CUSTOMS_RATE_LIMIT": "lots",
                                   "CUSTOMS_METRICS_TOKEN": "hunter2"}, cwd=tmp_path)
    lines = result.stderr.strip().splitlines()
    assert result.returncode == 2 and len(lines) == 3, result.stderr
    assert sorted(line.split()[1].split("=")[0].rstrip(":") for line in lines) == [
        "CUSTOMS_LOG_LEVEL", "CUSTOMS_METRICS_TOKEN", "CUSTOMS_RATE_LIMIT"]
    assert "hunter2" not in result.stderr


def test_a_refused_url_is_shown_without_its_password(monkeypatch):
    for name in [n for n in os.environ if n.startswith("CUSTOMS_")]:
        monkeypatch.delenv(name)
    result = CliRunner().invoke(cli, ["api-key", "list"], env={
        "CUSTOMS_DATABASE_URL": "postgres://customs:s3cr3t-pw@db.internal/customs",
        "CUSTOMS_AUTHORITY_URL": "ftp://broker:an0ther-pw@authority.example/batches"})
    assert result.exit_code == 2
    assert "s3cr3t-pw" not in result.output and "an0ther-pw" not in result.output
    assert "postgres://customs:***@db.internal/customs" in result.stderr
    assert "ftp://broker:***@authority.example/batches" in result.stderr


def test_the_wsgi_entry_point_and_gunicorn_stop_with_the_same_line(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("CUSTOMS_")}
    env |= {"PYTHONPATH": str(ROOT), "CUSTOMS_LOG_LEVEL": "LOUD"}
    wsgi = subprocess.run([sys.executable, "-c", "import api.wsgi"], env=env, cwd=tmp_path,
                          capture_output=True, text=True, timeout=60, check=False)
    assert wsgi.returncode == 4
    assert wsgi.stderr.strip() == ("error: CUSTOMS_LOG_LEVEL='LOUD': expected one of DEBUG, "
                                   "INFO, WARNING, ERROR, CRITICAL")
    gunicorn = subprocess.run(
        [sys.executable, "-m", "gunicorn", "-c", str(ROOT / "gunicorn.conf.py"), "--bind",
         "127.0.0.1:0"], env=env, cwd=tmp_path, capture_output=True, text=True, timeout=60,
        check=False)
    assert gunicorn.returncode == 2
    assert gunicorn.stderr.strip() == wsgi.stderr.strip()


def test_an_unknown_variable_is_a_warning_with_the_closest_name(tmp_path):
    result = customs("db", "upgrade", cwd=tmp_path,
                     env={"CUSTOMS_RATE_LIMT": "5/second", "CUSTOMS_ZZZ": "1"})
    assert result.returncode == 0, result.stderr
    assert [line for line in result.stderr.splitlines() if "CUSTOMS_" in line] == [
        "warning: CUSTOMS_RATE_LIMT is not a customs setting, ignored; did you mean "
        "CUSTOMS_RATE_LIMIT?",
        "warning: CUSTOMS_ZZZ is not a customs setting, ignored (docs/configuration.md)"]


def test_a_database_never_upgraded_says_run_db_upgrade(tmp_path):
    url = f"sqlite:///{tmp_path / 'fresh.db'}"
    result = customs("api-key", "list", env={"CUSTOMS_DATABASE_URL": url})
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "error: the database schema is older than this release (a table or column is "
        "missing): run `customs db upgrade`"]
    assert customs("db", "upgrade", env={"CUSTOMS_DATABASE_URL": url}).returncode == 0
    assert customs("api-key", "list", env={"CUSTOMS_DATABASE_URL": url}).returncode == 0


def test_an_unreachable_database_is_one_line_without_its_password():
    url = "postgresql+psycopg://customs:s3cr3t-pw@127.0.0.1:1/customs"
    result = customs("db", "upgrade", env={"CUSTOMS_DATABASE_URL": url})
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in result.stderr
    assert lines[0].startswith("error: the database postgresql+psycopg://customs:***@127.0.0.1"
                               ":1/customs cannot be used: ")
    assert "s3cr3t-pw" not in result.stderr + result.stdout


@pytest.mark.skipif(not TEST_DB, reason="a password in a reachable URL needs PostgreSQL; "
                                        "the SQLite run checks the unreachable URL above")
def test_db_upgrade_shows_the_url_without_its_password():
    scheme, rest = TEST_DB.split("://", 1)
    user, host = rest.split("@", 1)
    url = f"{scheme}://{user.split(':')[0]}:s3cr3t-pw@{host}"
    result = customs("db", "upgrade", env={"CUSTOMS_DATABASE_URL": url})
    assert result.returncode == 0, result.stderr
    assert "s3cr3t-pw" not in result.stdout + result.stderr
    assert ":***@" in result.stdout
