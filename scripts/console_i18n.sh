#!/usr/bin/env bash
# The console's translations (Flask-Babel): extract the strings of api/console (Python and
# templates) into messages.pot, merge them into each language's messages.po (translate the new
# or fuzzy entries there), and compile the .mo files the app reads. Both .po and .mo are
# committed, so a clean clone needs no step; tests/api/test_console_i18n.py fails when a .mo
# is behind its .po or a string is untranslated.
#   bash scripts/console_i18n.sh            # extract, update, compile
#   bash scripts/console_i18n.sh compile    # compile only
set -euo pipefail
cd "$(dirname "$0")/.."
PYBABEL="${PYBABEL:-$(dirname "$(command -v python)")/pybabel}"
[ -x "$PYBABEL" ] || PYBABEL=.venv/bin/pybabel
DIR=api/console/translations
if [ "${1:-}" != compile ]; then
  "$PYBABEL" extract -F api/console/babel.cfg -k _l --no-location --sort-output \
    --project customs -o "$DIR/messages.pot" api/console
  for lang in ru en; do
    if [ -f "$DIR/$lang/LC_MESSAGES/messages.po" ]; then
      "$PYBABEL" update --no-fuzzy-matching -i "$DIR/messages.pot" -d "$DIR" -l "$lang"
    else
      "$PYBABEL" init -i "$DIR/messages.pot" -d "$DIR" -l "$lang"
    fi
  done
fi
"$PYBABEL" compile -d "$DIR"
