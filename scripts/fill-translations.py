"""Fill English translations: python scripts/fill-translations.py 'French=English' ...

Only single-line msgids with an empty msgstr are filled; the catalog is otherwise untouched.
"""

import re
import sys
from pathlib import Path

PO = Path(__file__).resolve().parent.parent / "resources/locale/en/LC_MESSAGES/companion.po"


def quote(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"')


def main(pairs: list[str]) -> int:
    source = PO.read_text(encoding="utf-8")
    missing = []
    for pair in pairs:
        french, english = pair.split("=", 1)
        pattern = f'msgid "{re.escape(quote(french))}"\nmsgstr ""\n'
        replacement = f'msgid "{quote(french)}"\nmsgstr "{quote(english)}"\n'
        source, count = re.subn(pattern, lambda _m: replacement, source)
        if not count:
            missing.append(french)
    PO.write_text(source, encoding="utf-8")
    for french in missing:
        print(f"not found (or already translated): {french}", file=sys.stderr)
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
