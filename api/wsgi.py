"""WSGI entry point for gunicorn: settings come from the environment.

Settings that cannot be used stop the process with one line per variable (no traceback);
exit status 4 is gunicorn's "the application cannot be loaded": it stops instead of
restarting workers that would fail the same way.
"""

import sys

from api import create_app
from customs.domain.errors import SettingsInvalid

try:
    app = create_app()
except SettingsInvalid as exc:
    for line in exc.lines:
        print(f"error: {line}", file=sys.stderr, flush=True)
    sys.exit(4)
