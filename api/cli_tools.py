"""Offline commands: `customs validate` and `customs sample-manifest`."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from customs.domain.errors import ManifestRefused


@click.command()
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
              show_default=True)
@with_appcontext
def validate(file: Path, fmt: str) -> None:
    """Validate a manifest: exit 0 all parcels valid, 1 some invalid, 2 file unusable."""
    customs = current_app.extensions["customs"]
    try:
        document = file.read_bytes()
        header, outcomes = customs.validate_offline(document)
    except OSError as exc:
        _unusable(fmt, "FILE_UNREADABLE", f"{file}: {exc.strerror}", [])
    except ManifestRefused as exc:
        _unusable(fmt, exc.code, exc.detail, [v.to_document() for v in exc.violations])
    rejected = [o for o in outcomes if not o.accepted]
    if fmt == "json":
        click.echo(json.dumps({
            "file": str(file), "ref": header.ref, "parcels": len(outcomes),
            "accepted": len(outcomes) - len(rejected), "rejected": len(rejected),
            "rejections": [{"position": o.position, "tracking_number": o.tracking_number,
                            "line": o.line, "violations": [v.to_document() for v in o.violations]}
                           for o in rejected]}, ensure_ascii=False, indent=2))
    else:
        for o in rejected:
            for v in o.violations:
                click.echo(f"{file}:{v.line or o.line}: parcel {o.position} "
                           f"{o.tracking_number or '-'}: {v.code}: {v.message} [{v.path}]")
        click.echo(f"{file}: {len(outcomes)} parcels, {len(outcomes) - len(rejected)} valid, "
                   f"{len(rejected)} invalid")
    sys.exit(1 if rejected else 0)


def _unusable(fmt: str, code: str, detail: str, violations: list) -> None:
    if fmt == "json":
        click.echo(json.dumps({"error": code, "detail": detail, "violations": violations},
                              ensure_ascii=False, indent=2))
    else:
        click.echo(f"error: {code}: {detail}", err=True)
        for v in violations:
            click.echo(f"  line {v.get('line')}: {v['message']} [{v.get('path')}]", err=True)
    sys.exit(2)


@click.command("sample-manifest")
@click.option("--parcels", type=click.IntRange(1, 50_000), default=100, show_default=True)
@click.option("--seed", type=int, default=1, show_default=True)
@click.option("--invalid-rate", type=click.FloatRange(0, 1), default=0.0, show_default=True)
@click.option("--destination", default="RU", show_default=True)
@click.option("--office", default="10005020", show_default=True)
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write here instead of standard output")
def sample_manifest(parcels: int, seed: int, invalid_rate: float, destination: str,
                    office: str, out: Path | None) -> None:
    """Write a realistic generated manifest (chosen invalid parcels with --invalid-rate)."""
    from customs.bootstrap import generate_sample

    sample = generate_sample(parcels, seed, invalid_rate=invalid_rate,
                               destination=destination, customs_office=office)
    if out is None:
        sys.stdout.buffer.write(sample.xml)
    else:
        out.write_bytes(sample.xml)
        bad = sum(1 for e in sample.expected if e)
        click.echo(f"wrote {out}: {parcels} parcels, {bad} designed invalid", err=True)
