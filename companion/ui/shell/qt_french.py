"""Qt's own words its French catalogue lacks.

PySide6 6.12 ships ``qtbase_fr.qm`` from older Qt sources: a few strings Qt has changed
since (« &Look in: » was « Look in: ») have no French in it, so the file chooser and the
print dialogs came out half English. ``resources/locale/qt/companion_qt_fr.ts`` holds the
app's French for exactly those, compiled by ``make translations`` (pyside6-lrelease) into
``companion_qt_fr.qm``: an ordinary Qt catalogue, asked after ``qtbase_fr``. (Not a Python
``QTranslator`` subclass: PySide 6.12 loses a reference to None at each call into a Python
override, and Qt translates thousands of words.) ``tests/ui/test_qt_french.py`` opens the
file chooser and the print dialogs and fails on any English left.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QTranslator

from companion.paths import resource_path

CATALOGUE = "companion_qt_fr"


def french_supplement(app: QCoreApplication) -> QTranslator | None:
    """The compiled supplement, as a translator owned by ``app`` (None if not built)."""
    translator = QTranslator(app)
    if translator.load(CATALOGUE, str(resource_path("locale", "qt"))):
        return translator
    translator.deleteLater()
    return None
