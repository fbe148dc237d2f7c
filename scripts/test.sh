#!/usr/bin/env bash
# The test command: architecture contracts, lint, then the whole suite on SQLite and on
# PostgreSQL. PostgreSQL comes from CUSTOMS_TEST_POSTGRES_URL (default: the local server,
# database customs_test, created if missing). Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."

PG_URL="${CUSTOMS_TEST_POSTGRES_URL:-postgresql+psycopg://postgres@127.0.0.1:5432/customs_test}"

echo "== architecture: import-linter contracts"
lint-imports --no-cache
echo "== lint: ruff"
ruff check .

echo "== tests on SQLite"
CUSTOMS_TEST_DATABASE_URL= python3 -m pytest "$@"

echo "== tests on PostgreSQL ($PG_URL)"
python3 - "$PG_URL" <<'PY'
import sys
import sqlalchemy as sa
from sqlalchemy.engine import make_url
url = make_url(sys.argv[1])
admin = sa.create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
try:
    with admin.connect() as conn:
        exists = conn.exec_driver_sql(
            "SELECT 1 FROM pg_database WHERE datname = %s", (url.database,)).scalar()
        if not exists:
            conn.exec_driver_sql(f'CREATE DATABASE "{url.database}"')
except sa.exc.OperationalError as exc:
    sys.exit(f"PostgreSQL is not reachable at {url.render_as_string(hide_password=True)}: "
             f"{exc.orig}. Start it, or set CUSTOMS_TEST_POSTGRES_URL.")
PY
CUSTOMS_TEST_DATABASE_URL="$PG_URL" python3 -m pytest "$@"
echo "== all tests passed on SQLite and PostgreSQL"
