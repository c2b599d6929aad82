"""Qt's own words its French catalogue lacks.

PySide6 6.12 ships ``qtbase_fr.qm`` from older Qt sources: a few strings Qt has changed
since (« &Look in: » was « Look in: ») have no French in it, so the file chooser and the
print dialogs came out half English. ``FrenchSupplement`` answers for exactly those,
installed after ``qtbase_fr`` (the last installed translator is asked first) and only in
French; for any other string it answers Qt's null string and Qt asks ``qtbase_fr``.
``tests/ui/test_qt_french.py`` opens each of Qt's dialogs the app shows and fails on any
string neither catalogue knows.
"""

from __future__ import annotations

from PySide6.QtCore import QTranslator

_NBSP = "\u00a0"  # French typography: a non-breaking space before « : »
MISSING_IN_QTBASE_FR: dict[tuple[str, str], str] = {
    ("QFileDialog", "&Look in:"): f"&Regarder dans{_NBSP}:",
    ("QFileDialog", "Files of &type:"): f"Fichiers de &type{_NBSP}:",
    ("QAbstractFileIconProvider", "Folder"): "Dossier",
    ("QAbstractFileIconProvider", "File"): "Fichier",
    ("QAbstractFileIconProvider", "%1 File"): "Fichier %1",
    ("QAbstractFileIconProvider", "Drive"): "Lecteur",
    ("QAbstractFileIconProvider", "Alias"): "Alias",
    ("QAbstractFileIconProvider", "Shortcut"): "Raccourci",
    ("QPageSetupWidget", "Page &order:"): f"&Ordre des pages{_NBSP}:",
    ("QPageSetupWidget", "Pages &per sheet:"): f"Pages &par feuille{_NBSP}:",
    ("QPrintSettingsOutput", "Page &Set:"): f"&Jeu de pages{_NBSP}:",
}


class FrenchSupplement(QTranslator):
    """The French of the strings ``qtbase_fr`` lacks; nothing for any other."""

    def translate(
        self, context: str, source: str, disambiguation: str | None = None, n: int = -1
    ) -> str | None:
        # None is Qt's null string: « not mine », and Qt asks the next catalogue (an empty
        # string would be an answer, and every other word would come out blank).
        return MISSING_IN_QTBASE_FR.get((context, source))

    def isEmpty(self) -> bool:  # noqa: N802 (Qt's)
        return False
