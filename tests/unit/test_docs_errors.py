"""Every error code the service can return is documented in docs/errors.md."""

from __future__ import annotations

import re
from pathlib import Path

from customs.domain.errors import CATALOGUE

ROOT = Path(__file__).resolve().parents[2]
DOC = (ROOT / "docs" / "errors.md").read_text(encoding="utf-8")


def test_every_catalogue_code_is_documented():
    missing = [code for code in CATALOGUE if f"`{code}`" not in DOC]
    assert missing == []


def test_every_code_raised_by_the_api_is_documented():
    source = "\n".join(p.read_text() for p in (ROOT / "api").glob("*.py"))
    raised = set(re.findall(r'code="([A-Z_]+)"', source))
    raised |= set(re.findall(r'ApiProblem\(\d+, "([A-Z_]+)"', source))
    services = "\n".join(p.read_text() for p in (ROOT / "customs").rglob("*.py"))
    raised |= set(re.findall(
        r'(?:Invalid|Unprocessable|Conflict|PreconditionFailed|Gone|SecretsUnavailable)\(\s*"([A-Z_]+)"',
        services))
    assert raised, "no codes found: the pattern is out of date"
    assert sorted(c for c in raised if f"`{c}`" not in DOC) == []
