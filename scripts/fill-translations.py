"""Fill English translations: python scripts/fill-translations.py 'French=English' ...

Only entries with an empty translation are filled (wrapped ones too); the catalog
is written back as pybabel writes it (width 100), so diffs stay small.
"""

import sys
from pathlib import Path

from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
PO = ROOT / "companion/resources/locale/en/LC_MESSAGES/companion.po"


def main(pairs: list[str]) -> int:
    with PO.open("rb") as handle:
        catalog = read_po(handle, locale="en")
    missing = []
    for pair in pairs:
        french, english = pair.split("=", 1)
        message = catalog.get(french)
        if message is None or message.string:
            missing.append(french)
            continue
        message.string = english
    with PO.open("wb") as handle:
        write_po(handle, catalog, width=100, omit_header=False)
    for french in missing:
        print(f"not found (or already translated): {french}", file=sys.stderr)
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
