#!/usr/bin/env bash
# Run the bundle's self-check as a fresh machine would: headless, in a clean environment
# (env -i: no venv, no PYTHONPATH, only PATH=/usr/bin:/bin), with an empty home folder and,
# where a private mount namespace can be made (root + unshare), every Python of this
# machine hidden, so the bundle can only use what it carries.
#   bash scripts/bundle-self-check.sh [BUNDLE_DIR]      (default: dist/companion)
set -euo pipefail
cd "$(dirname "$0")/.."
bundle=$(cd "${1:-dist/companion}" && pwd)
if [ ! -x "$bundle/companion" ]; then
  echo "no bundle in $bundle: run make bundle first" >&2
  exit 2
fi

if [ -z "${COMPANION_PYTHON_HIDDEN:-}" ] && [ "$(id -u)" = 0 ] \
  && unshare --mount --propagation private true 2>/dev/null; then
  # Again, inside a mount namespace of its own: what is mounted there is seen by nothing else.
  exec env COMPANION_PYTHON_HIDDEN=1 unshare --mount --propagation private bash "$0" "$bundle"
fi
if [ -n "${COMPANION_PYTHON_HIDDEN:-}" ]; then
  hidden=()
  for dir in /usr/lib/python3* /usr/local/lib/python3* /root/.pyenv /opt/python* "$PWD/.venv"; do
    if [ -d "$dir" ]; then mount -t tmpfs none "$dir" && hidden+=("$dir"); fi
  done
  for file in /usr/bin/python* /usr/local/bin/python* /usr/lib/*-linux-gnu/libpython3*; do
    if [ -f "$file" ]; then mount --bind /dev/null "$file" && hidden+=("$file"); fi
  done
  echo "Python masqué pour ce test : ${hidden[*]:-rien à masquer}"
else
  echo "Python reste visible (ni root ni unshare) : environnement vidé seulement"
fi

home=$(mktemp -d)
trap 'rm -rf "$home"' EXIT
vars=(PATH=/usr/bin:/bin HOME="$home" LANG=C.UTF-8 QT_QPA_PLATFORM=offscreen)
if [ "$(id -u)" = 0 ]; then
  vars+=(QTWEBENGINE_DISABLE_SANDBOX=1)  # Chromium refuses to run as root otherwise
fi
if env -i "${vars[@]}" python3 -c "" 2>/dev/null; then
  echo "(python3 est disponible sur ce PATH ; le paquet ne s'en sert pas)"
fi
env -i "${vars[@]}" "$bundle/companion" --self-check
