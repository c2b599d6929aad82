#!/usr/bin/env bash
# Re-extract the French source strings and merge them into each catalog.
set -euo pipefail
cd "$(dirname "$0")/.."
pot=$(mktemp --suffix=.pot)
.venv/bin/pybabel -q extract -k _ -k N_ -k ngettext:1,2 --no-location --sort-output \
  --project=Companion -o "$pot" companion >/dev/null
for po in companion/resources/locale/*/LC_MESSAGES/companion.po; do
  locale=$(basename "$(dirname "$(dirname "$po")")")
  .venv/bin/pybabel -q update --no-fuzzy-matching -l "$locale" -w 100 -i "$pot" -o "$po" >/dev/null
done
rm -f "$pot"
