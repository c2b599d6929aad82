#!/usr/bin/env bash
# The Debian libraries Qt and QtWebEngine need (see FIELD-NOTES), and PostgreSQL
# for the hub's tests (Debian's `postgresql` puts initdb/pg_ctl/postgres in
# /usr/lib/postgresql/<version>/bin; the tests start their own throwaway
# cluster there, as the `postgres` user it creates), and for `make bundle` the tools
# that cut ICU's data to the shipped languages (icupkg, gcc, readelf; see
# scripts/icu_data.py), and npm for the geodata build. As root, installs those
# missing; otherwise prints the command to run. Idempotent.
set -euo pipefail
packages=(
  libnss3 libasound2 libdbus-1-3 libegl1 libgl1 libgbm1 libfontconfig1 libglib2.0-0
  libgssapi-krb5-2 libxkbcommon0 libxkbcommon-x11-0 libxkbfile1 libxcomposite1 libxdamage1
  libxrandr2 libxtst6 libx11-xcb1 libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-image0
  libxcb-randr0 libxcb-render-util0 libxcb-shape0 libxcb-xkb1 libxcb-glx0 libxcb-dri3-0
  libxcb-sync1 libxcb-xfixes0 libwayland-server0 libudev1 libcups2 xvfb xauth fonts-dejavu-core
  postgresql
  icu-devtools gcc binutils
)
command -v dpkg-query >/dev/null || exit 0   # not Debian: nothing we can check
missing=()
# Debian's own python3 needs python3-venv for `python3 -m venv`.
python3 -c "import ensurepip" 2>/dev/null || missing+=(python3-venv)
# `make data` takes the Grand Paris' territories (EPTs) from the npm registry.
command -v npm >/dev/null || missing+=(npm)
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -eq 0 ]; then
  echo "Installing system packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  # The tests run their own cluster: no need for Debian's default one, started at install.
  mkdir -p /etc/postgresql-common/createcluster.d
  echo "create_main_cluster = false" >/etc/postgresql-common/createcluster.d/companion.conf
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
  echo "Missing system packages (Qt libraries, PostgreSQL for the hub's tests); install them with:" >&2
  echo "  sudo apt-get install ${missing[*]}" >&2
fi
