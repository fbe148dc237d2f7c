"""What every `customs` command shares: the app it runs against and how failures are told.

A failure a person can act on is one line on standard error and a non-zero exit, never a
traceback: settings that cannot be used (each variable, the form it accepts), a database that
needs `customs db upgrade`, a refused document or key.
"""

from __future__ import annotations

import sys
from typing import Any

import click


class ConfigProblem(click.ClickException):
    """Settings that cannot be used: one line each, exit 2."""

    exit_code = 2

    def __init__(self, lines: list[str]) -> None:
        super().__init__("\n".join(lines))
        self.lines = lines

    def show(self, file: Any = None) -> None:
        for line in self.lines:
            click.echo(f"error: {line}", err=True)


def load_settings() -> Any:
    """The settings of a command that needs no app: unknown CUSTOMS_* variables reported (one
    warning line each), settings that cannot be used refused (one line each, exit 2)."""
    from customs.domain.errors import SettingsInvalid
    from customs.settings import Settings, unknown_variables

    for line in unknown_variables():
        click.echo(line, err=True)
    try:
        return Settings()
    except SettingsInvalid as exc:
        raise ConfigProblem(exc.lines) from None


def cli_app():  # type: ignore[no-untyped-def]
    """The app for one command; its database connections are closed when the command ends."""
    from api import create_app
    from customs.bootstrap import bootstrap

    app = create_app(customs=bootstrap(load_settings()))
    context = click.get_current_context(silent=True)
    if context is not None:
        context.find_root().call_on_close(app.extensions["customs"].close)
    return app


def script_info() -> Any:
    """What Flask's `with_appcontext` loads the app from."""
    from flask.cli import ScriptInfo

    return ScriptInfo(create_app=cli_app, set_debug_flag=False, load_dotenv_defaults=False)


def run(cli: click.Group, argv: Any = None) -> None:
    """`customs`: click's own errors as click prints them; ours as `error: ...`, exit 2."""
    try:
        sys.exit(cli.main(args=argv, prog_name="customs", standalone_mode=True))
    except Exception as exc:
        lines = _explained(exc)
        if lines is None:
            raise
        for line in lines:
            click.echo(f"error: {line}", err=True)
        sys.exit(2)


def _explained(exc: Exception) -> list[str] | None:
    """The lines that explain a known failure, or None for a bug (its traceback is needed)."""
    from customs.domain.errors import DomainError, SettingsInvalid

    if isinstance(exc, SettingsInvalid):
        return exc.lines
    if isinstance(exc, DomainError):
        return [str(exc)]
    signing = sys.modules.get("signing")
    if signing is not None and isinstance(exc, signing.SigningError):
        return [str(exc)]
    sqlalchemy = sys.modules.get("sqlalchemy")
    if sqlalchemy is not None and isinstance(exc, sqlalchemy.exc.OperationalError):
        return [_database_unusable(exc)]
    pydantic = sys.modules.get("pydantic")
    if pydantic is not None and isinstance(exc, pydantic.ValidationError):
        return [f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors()]
    return None


def _database_unusable(exc: Any) -> str:
    """The driver's first line (it names host and port, never the password) and the URL
    without its password."""
    import os

    from customs.settings import redact_url

    url = redact_url(os.environ.get("CUSTOMS_DATABASE_URL", "sqlite:///customs.db"))
    reason = (str(exc.orig) or type(exc.orig).__name__).strip().splitlines()[0]
    return f"the database {url} cannot be used: {reason}"
