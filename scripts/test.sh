#!/usr/bin/env bash
# The test command: architecture contracts, lint, then the whole suite on SQLite and on
# PostgreSQL, with the virtual environment scripts/setup.sh made (.venv). PostgreSQL comes from
# CUSTOMS_TEST_POSTGRES_URL (default: the local server, database customs_test, created if
# missing); the local PostgreSQL and Redis are started when they are installed but not running.
# Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! .venv/bin/python -c 'import customs' >/dev/null 2>&1; then
  echo "test: no working .venv in $PWD: run bash scripts/setup.sh first" >&2
  exit 1
fi
export PATH="$PWD/.venv/bin:$PATH"
PG_URL="${CUSTOMS_TEST_POSTGRES_URL:-postgresql+psycopg://postgres@127.0.0.1:5432/customs_test}"
REDIS_HOST=127.0.0.1 REDIS_PORT=6379  # tests/api/test_rate_limits.py (database 15)

redis_up() { python -c "import redis, sys; redis.Redis('$REDIS_HOST', $REDIS_PORT, \
socket_timeout=2).ping()" >/dev/null 2>&1; }
if ! redis_up && command -v redis-server >/dev/null 2>&1; then
  echo "== starting Redis on $REDIS_HOST:$REDIS_PORT (memory only)"
  redis-server --daemonize yes --bind "$REDIS_HOST" --port "$REDIS_PORT" --save '' \
               --appendonly no >/dev/null
  for _ in $(seq 50); do redis_up && break; sleep 0.1; done
fi
if ! redis_up; then
  echo "test: Redis is not running on $REDIS_HOST:$REDIS_PORT and could not be started" \
       "(sudo apt-get install redis-server, or start it): the shared rate-limit test needs it" >&2
  exit 1
fi

# Creates the test database when missing; with "say", a server that does not answer is told in
# one line (without it, silently: the server may be starting).
pg_check() { python - "$PG_URL" "$@" <<'PY'
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
    reason = (str(exc.orig).strip().splitlines() or ["no answer"])[-1].strip()
    sys.exit(f"test: PostgreSQL is not reachable at {url.render_as_string(hide_password=True)} "
             f"({reason}): start it, or set CUSTOMS_TEST_POSTGRES_URL"
             if sys.argv[2:] == ["say"] else 3)
PY
}
if ! pg_check; then
  # The machine's own server, installed but stopped (root can start it).
  if [ "$(id -u)" = 0 ] && command -v pg_ctlcluster >/dev/null 2>&1 && [ -d /etc/postgresql ] \
     && ! pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; then
    for version in $(ls /etc/postgresql); do
      echo "== starting PostgreSQL $version (cluster main)"
      pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
    done
    for _ in $(seq 30); do pg_check && break; sleep 1; done
  fi
  pg_check say
fi

echo "== architecture: import-linter contracts"
lint-imports --no-cache
echo "== lint: ruff"
ruff check .

echo "== tests on SQLite"
CUSTOMS_TEST_DATABASE_URL= python -m pytest "$@"

echo "== tests on PostgreSQL ($PG_URL)"
CUSTOMS_TEST_DATABASE_URL="$PG_URL" python -m pytest "$@"
echo "== all tests passed on SQLite and PostgreSQL"
