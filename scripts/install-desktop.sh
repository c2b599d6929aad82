#!/bin/sh
# Add Companion to this user's applications menu. Shipped in the bundle as install.sh:
# unpack companion-linux-*.tar.gz where it should live (e.g. ~/.local/opt), then run
# companion/install.sh. Nothing needs root; nothing is downloaded.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
data=${XDG_DATA_HOME:-$HOME/.local/share}
mkdir -p "$HOME/.local/bin" "$data/applications" "$data/icons"
ln -sf "$here/companion" "$HOME/.local/bin/companion"
cp -R "$here/share/icons/hicolor" "$data/icons/"
sed "s|^Exec=companion$|Exec=\"$here/companion\"|" "$here/companion.desktop" \
  > "$data/applications/companion.desktop"
command -v update-desktop-database >/dev/null && update-desktop-database -q "$data/applications" || true
echo "Companion ajouté au menu des applications (et ~/.local/bin/companion)."
