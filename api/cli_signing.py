"""`customs keys generate`, `customs sign`, `customs verify`, `customs declare`."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

import signing


@click.group()
def keys() -> None:
    """Signing keys."""


@keys.command("generate")
@click.option("--algorithm", type=click.Choice(signing.DEV_ALGORITHMS), default="ecdsa-p256",
              show_default=True, help="gost2012-*: GOST R 34.10-2012 through the OpenSSL GOST "
              "engine (Debian package libengine-gost-openssl)")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), required=True)
@click.option("--common-name", default="customs development signer", show_default=True)
@click.option("--days", type=click.IntRange(1, 3650), default=365, show_default=True)
def keys_generate(algorithm: str, out: Path, common_name: str, days: int) -> None:
    """A development key (mode 0600) and self-signed certificate; use a CA-issued one in
    production."""
    try:
        key, cert = signing.generate_dev_key(algorithm, out, common_name=common_name, days=days)
    except (signing.KeyLoadError, FileExistsError) as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"key: {key}\ncertificate: {cert}")
    click.echo(f"set CUSTOMS_SIGNING_KEY={key} CUSTOMS_SIGNING_CERT={cert}", err=True)


@click.command("sign")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write here (default: standard output)")
@with_appcontext
def sign(file: Path, out: Path | None) -> None:
    """Sign an XML document with the configured key (enveloped, exclusive C14N, SHA-256)."""
    try:
        document = current_app.extensions["customs"].operations.sign_document(file.read_bytes())
    except (ValueError, signing.SigningError) as exc:
        raise click.ClickException(str(exc)) from None
    if document is None:
        raise click.ClickException("no signing key: set CUSTOMS_SIGNING_KEY and "
                                   "CUSTOMS_SIGNING_CERT (or the PKCS#11 settings)")
    if out is None:
        sys.stdout.buffer.write(document)
    else:
        out.write_bytes(document)


@click.command("verify")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--cert", "certs", multiple=True, required=True,
              type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Trusted certificate (repeat for several)")
def verify(file: Path, certs: tuple[Path, ...]) -> None:
    """Verify a signed document against pinned certificates: exit 0 valid, 1 invalid."""
    try:
        verifier = signing.Verifier([signing.load_certificate(c) for c in certs])
        result = verifier.verify(file.read_bytes())
    except signing.KeyLoadError as exc:
        raise click.ClickException(str(exc)) from None
    except signing.VerificationError as exc:
        kind = "refused by policy" if isinstance(exc, signing.PolicyError) else "invalid"
        click.echo(f"{file}: {kind}: {exc}")
        sys.exit(1)
    who = result.certificate.subject.rfc4514_string() if result.certificate else "pinned key"
    click.echo(f"{file}: valid, signed by {who}")


@click.command("declare")
@with_appcontext
def declare_command() -> None:
    """Declare every VALIDATED parcel now (render, validate, sign, store)."""
    customs = current_app.extensions["customs"]
    if not customs.outbound.can_sign:
        raise click.ClickException("no signing key configured: parcels stay VALIDATED")
    report = customs.outbound.declare_pending()
    click.echo(f"declared {report.declared}, failed {report.failed}, skipped {report.skipped}")
    for reason, count in report.reasons.items():
        click.echo(f"  {count} x {reason}")
    sys.exit(1 if report.failed else 0)
