#!/usr/bin/env bash
# Run the bundle's self-check as a fresh machine would: headless, in a clean environment
# (env -i: no venv, no PYTHONPATH, only PATH=/usr/bin:/bin), with an empty home folder and,
# where a private mount namespace can be made (root + unshare), every Python of this
# machine hidden, so the bundle can only use what it carries. First, every library of the
# bundle must find what it links to (ldd).
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

# Every library of the bundle finds what it links to, in the bundle or on the system
# (the libraries it leaves to the system, see build.spec's SYSTEM_LIBRARIES), except
# Wayland's own client libraries, present wherever a Wayland session runs.
unresolved=0
while IFS= read -r -d '' file; do
  missing=$(env LD_LIBRARY_PATH="$bundle/_internal" ldd "$file" 2>/dev/null \
    | grep "not found" | grep -v "libwayland-" || true)
  if [ -n "$missing" ]; then
    echo "✗ ${file#"$bundle"/} : $(echo "$missing" | awk '{print $1}' | sort -u | tr '\n' ' ')"
    unresolved=1
  fi
done < <(find "$bundle" -type f \( -name "*.so*" -o -name companion -o -name QtWebEngineProcess \) -print0)
if [ "$unresolved" = 1 ]; then
  echo "Des bibliothèques manquent au paquet ou au système (ci-dessus)." >&2
  exit 1
fi
echo "Bibliothèques : toutes trouvées (dans le paquet ou sur le système)"

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
