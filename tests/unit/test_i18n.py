"""Every French string of the code has an English translation, and switching works."""

from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from companion import domain, i18n
from companion.store.store import InvalidRecord

ROOT = Path(__file__).resolve().parents[2]
CATALOG = ROOT / "companion" / "resources" / "locale" / "en" / "LC_MESSAGES" / "companion.po"
KEYWORDS = {"_": None, "N_": None, "ngettext": (1, 2)}


def source_messages():
    found = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
        str(ROOT / "companion"), keywords=KEYWORDS, comment_tags=()
    ):
        found.add(message if isinstance(message, str) else tuple(message))
    return found


def test_every_source_string_has_an_english_translation():
    catalog = read_po(CATALOG.open("rb"))
    translated = {
        (m.id if isinstance(m.id, str) else tuple(m.id)): m.string for m in catalog if m.id
    }
    missing = sorted(str(m) for m in source_messages() if not translated.get(m))
    assert missing == [], "run scripts/update-translations.sh and translate: " + "; ".join(missing)


def test_switching_language_translates_core_and_vocabulary():
    assert i18n.set_language("en_GB.UTF-8") == "en"
    assert domain.label(domain.ACTOR_KINDS, "collectivite") == "Local authority"
    assert i18n.ngettext("{n} acteur", "{n} acteurs", 2).format(n=2) == "2 actors"
    assert "required" in str(InvalidRecord(i18n._("Le nom de l'acteur est obligatoire.")))
    assert i18n.set_language("de") == "fr"  # unknown languages fall back to French
    assert domain.label(domain.ACTOR_KINDS, "collectivite") == "Collectivité"
