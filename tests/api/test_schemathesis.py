"""Property-based contract test: schemathesis generates requests for every operation in the
OpenAPI document and checks the replies (no server error, status codes and bodies as
documented, authentication enforced), with a marketplace, an officer and a courier key, plus a
check of our own that an object one key can read is a 404 for another tenant's key. Generated
path ids rarely name real objects, so object-level authorization is covered mainly by
test_isolation_matrix.py (every operation with an id x every key x every tenant's objects)."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis import checks
from schemathesis.specs.openapi import checks as openapi_checks

from api import create_app

CHECKS = [checks.not_a_server_error, openapi_checks.response_schema_conformance,
          openapi_checks.status_code_conformance, openapi_checks.ignored_auth]
# One quarantine for all staff (docs/errors.md, "Quarantine"): not a tenant's object.
NOT_PER_TENANT = ("/v1/authority/quarantine/",)
ROLE_KEYS = {"marketplace": ("acme", "globex"), "officer": ("moscow", "vladivostok"),
             "courier": ("cdek", "dpd")}


@pytest.fixture
def api_schema(world, dev_signing_key):  # type: ignore[no-untyped-def]
    world.customs.settings.authority_cert = dev_signing_key[1]  # a configured authority
    world.customs.settings.rate_limit = ""  # hundreds of generated calls a minute per key
    app = create_app(customs=world.customs)
    return schemathesis.openapi.from_wsgi("/openapi.json", app)


schema = schemathesis.pytest.from_fixture("api_schema")


def _exercise(case, world, role: str) -> None:  # type: ignore[no-untyped-def]
    own, other = ROLE_KEYS[role]
    response = case.call_and_validate(headers=world.auth(own), checks=CHECKS)
    if (response.status_code == 200 and "{" in case.path and case.method.upper() == "GET"
            and not case.path.startswith(NOT_PER_TENANT)):
        foreign = case.call(headers=world.auth(other))
        assert foreign.status_code in (403, 404), (
            f"{case.method} {case.formatted_path}: readable by {own} and by {other}")


SETTINGS = settings(max_examples=15, deadline=None, derandomize=True,
                    suppress_health_check=list(HealthCheck))


@pytest.mark.slow
@schema.parametrize()
@SETTINGS
def test_operations_as_a_marketplace(case, world):  # type: ignore[no-untyped-def]
    _exercise(case, world, "marketplace")


@pytest.mark.slow
@schema.parametrize()
@SETTINGS
def test_operations_as_an_officer(case, world):  # type: ignore[no-untyped-def]
    _exercise(case, world, "officer")


@pytest.mark.slow
@schema.parametrize()
@SETTINGS
def test_operations_as_a_courier(case, world):  # type: ignore[no-untyped-def]
    _exercise(case, world, "courier")
