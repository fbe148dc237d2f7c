"""`customs demo --profile cn-ceb --ceb-schemas PATH`: a RU->CN manifest cleared into China
beside the other destinations, and the RU manifest's parcels from Chinese sellers cleared on
two legs (export CEB603/CEB604 at CN, then import at RU), each leg checked by the demo;
every CEB document the demo leaves (stored in its database and served into --keep) validates
against the official GACC schemas with both validators, and every signature on them verifies
(ours pinned, xmlsec1, signxml)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from schemas.cn_ceb import CebSchemas
from tests.ceb_documents import ceb_messages, schema_errors, signature_errors
from tests.fts_documents import served, stored

ROOT = Path(__file__).resolve().parents[2]


def test_the_demo_clears_a_russian_sellers_manifest_into_china(tmp_path, ceb_path):
    keep = tmp_path / "exchanged"
    result = subprocess.run(
        [sys.executable, "-m", "api.cli", "demo", "--workdir", str(tmp_path / "demo"),
         "--parcels", "30", "--keep", str(keep), "--profile", "cn-ceb",
         "--ceb-schemas", str(ceb_path)],
        cwd=ROOT, capture_output=True, text=True, timeout=180)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "every parcel reached the state it should" in result.stdout
    cn_rows = result.stdout.split("CN manifest", 1)[1].split("columns:", 1)[0]
    assert "CEB decision 800: released" in cn_rows and " CNY" in cn_rows
    ru_rows = result.stdout.split("RU manifest", 1)[1].split("DE manifest", 1)[0]
    assert "parcels from China cleared on two legs" in ru_rows
    assert "every leg as decided" in ru_rows
    documents = stored(tmp_path / "demo" / "customs.db") + served(keep / "declarations")
    ceb = [d for d in documents if ceb_messages(d.content)]
    kinds = {m.tag.rsplit("}", 1)[1] for d in ceb for m, _ in ceb_messages(d.content)}
    assert kinds == {"CEB621Message", "CEB622Message", "CEB603Message", "CEB604Message"}
    schemas = CebSchemas.load(ceb_path)
    errors = [e for d in ceb for e in schema_errors(d, schemas)]
    certs = [tmp_path / "demo" / folder / "cert.pem" for folder in ("keys", "authority-keys")]
    unique = list({d.content: d for d in ceb}.values())
    errors += [e for d in unique for e in signature_errors(d, certs, tmp_path)]
    assert errors == [], "\n".join(errors[:20])
    assert len(ceb) > 20
