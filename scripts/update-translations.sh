#!/usr/bin/env bash
# Re-extract the French source strings and merge them into each catalog.
set -euo pipefail
cd "$(dirname "$0")/.."
pot=$(mktemp --suffix=.pot)
.venv/bin/pybabel extract -k _ -k N_ -k ngettext:1,2 --no-location --sort-output \
  --project=Companion -o "$pot" companion >/dev/null
for po in resources/locale/*/LC_MESSAGES/companion.po; do
  .venv/bin/pybabel update --no-fuzzy-matching -i "$pot" -o "$po" >/dev/null
done
rm -f "$pot"
