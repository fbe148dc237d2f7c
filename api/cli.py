"""The `customs` command: serve, database, keys, validation, samples, reference data, demo.

Each command lives in its own module and is imported only when it runs (or when `--help`
lists a group's commands): `customs --help` and `--version` import click alone, and
`customs keys generate` never loads Flask or SQLAlchemy. A new command is one entry in
COMMANDS: its name and "module:attribute".
"""

from __future__ import annotations

import importlib
import sys
from typing import Any

import click

COMMANDS = {
    "serve": "api.cli_admin:serve",
    "db": "api.cli_admin:db",
    "api-key": "api.cli_admin:api_key",
    "nomenclature": "api.cli_admin:nomenclature",
    "rates": "api.cli_admin:rates",
    "validate": "api.cli_tools:validate",
    "sample-manifest": "api.cli_tools:sample_manifest",
    "demo": "api.cli_demo:demo",
    "keys": "api.cli_signing:keys",
    "sign": "api.cli_signing:sign",
    "verify": "api.cli_signing:verify",
    "declare": "api.cli_signing:declare_command",
    "worker": "api.cli_worker:worker",
    "batch": "api.cli_worker:batch",
    "authority-sim": "api.cli_sim:authority_sim",
    "bench": "api.cli_bench:bench",
    "bench-forms": "api.cli_bench:bench_forms",
    "webhooks": "api.cli_webhooks:webhooks_group",
    "quarantine": "api.cli_quarantine:quarantine",
    "user": "api.cli_users:user",
}
# One-line summaries for `customs --help`, so listing the commands imports none of them.
SUMMARIES = {
    "serve": "Run the development server (production: gunicorn -c gunicorn.conf.py).",
    "db": "Database schema (Alembic migrations).",
    "api-key": "API keys (shown once, stored as a hash).",
    "nomenclature": "HS nomenclature used by the HS_CODE_UNKNOWN rule.",
    "rates": "Dated exchange rates for duty estimates (docs/duty.md).",
    "validate": "Validate a manifest: exit 0 all parcels valid, 1 some invalid, 2 file unusable.",
    "sample-manifest": "Write a realistic generated manifest.",
    "demo": "The whole flow end to end on SQLite, with the authority simulator.",
    "keys": "Signing keys.",
    "sign": "Sign an XML document with the configured key.",
    "verify": "Verify a signed document against pinned certificates.",
    "declare": "Declare every VALIDATED parcel now (render, validate, sign, store).",
    "worker": "Run the background work: declare, seal, submit, poll, deliver webhooks.",
    "batch": "Batches sent to the authority.",
    "authority-sim": "Run the customs-authority simulator as its own web service.",
    "bench": "Throughput, memory and latency benchmarks.",
    "bench-forms": "JSON against XML intake throughput on the same manifests.",
    "webhooks": "Webhook secrets at rest (CUSTOMS_SECRETS_KEY).",
    "quarantine": "Authority messages set aside (docs/authority.md): list, show, replay.",
    "user": "Console users (people, not API keys): create, list, disable, totp.",
}


class LazyGroup(click.Group):
    """A group whose commands are imported by name, on first use."""

    def __init__(self, *args: Any, lazy: dict[str, str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.lazy = lazy

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *self.lazy})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in self.commands or cmd_name not in self.lazy:
            return super().get_command(ctx, cmd_name)
        module, _, attribute = self.lazy[cmd_name].partition(":")
        command: click.Command = getattr(importlib.import_module(module), attribute)
        self.commands[cmd_name] = command
        return command

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = [(name, SUMMARIES.get(name) or self._summary(ctx, name))
                for name in self.list_commands(ctx)]
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)

    def _summary(self, ctx: click.Context, name: str) -> str:
        command = self.get_command(ctx, name)
        return "" if command is None else command.get_short_help_str(limit=80)


def _version() -> str:
    from customs import __version__

    return __version__


@click.group(cls=LazyGroup, lazy=COMMANDS)
@click.version_option(_version(), "--version", prog_name="customs",
                      message="%(prog)s %(version)s")
@click.pass_context
def cli(ctx: click.Context) -> None:
    """customs: electronic customs clearance for cross-border e-commerce parcels.

    Settings come from CUSTOMS_* environment variables (docs/configuration.md).
    """
    # The command is imported by now. Those that take the app through Flask's
    # with_appcontext find it in a ScriptInfo (one given by the caller, e.g. Flask's
    # test_cli_runner, is kept); the others never load Flask.
    if ctx.obj is None and "flask.cli" in sys.modules:
        from api.cli_app import script_info

        ctx.obj = script_info()


def main(argv: Any = None) -> None:
    from api.cli_app import run

    run(cli, argv)


if __name__ == "__main__":
    main()
