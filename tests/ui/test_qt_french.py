"""Qt's own dialogs (file chooser, print, page setup, preview) speak French all the way."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QTranslator
from PySide6.QtPrintSupport import QPageSetupDialog, QPrintDialog, QPrinter, QPrintPreviewDialog
from PySide6.QtWidgets import QApplication, QFileDialog, QLabel, QTreeView

from companion.i18n import current_language, set_language
from companion.ui.shell import app as app_module


class Spy(QTranslator):
    """Notes every string Qt asks for that no installed catalogue translates."""

    def __init__(self, catalogues: list[QTranslator]) -> None:
        super().__init__()
        self.catalogues = catalogues
        self.untranslated: set[tuple[str, str]] = set()

    def translate(self, context, source, disambiguation=None, n=-1):
        if source and not any(
            c.translate(context, source, disambiguation, n) for c in self.catalogues
        ):
            self.untranslated.add((context, source))
        return None  # a null string: Qt asks the next catalogue

    def isEmpty(self):  # noqa: N802
        return False


@pytest.fixture
def french(qapp):
    before = current_language()
    set_language("fr")
    app_module._install_qt_translations(qapp)
    catalogues = [
        qapp.findChild(QTranslator, name)
        for name in ("companion-qt-translations", "companion-qt-supplement")
    ]
    assert all(catalogues)
    yield catalogues
    for translator in catalogues:
        qapp.removeTranslator(translator)
    set_language(before)


def test_qts_dialogs_have_no_english_left(qtbot, french, tmp_path):
    (tmp_path / "dossier").mkdir()
    (tmp_path / "acteurs.csv").write_text("Nom\n", encoding="utf-8")
    spy = Spy(french)
    QApplication.instance().installTranslator(spy)
    try:
        chooser = QFileDialog(None, "", str(tmp_path))
        chooser.setOption(QFileDialog.Option.DontUseNativeDialog)
        qtbot.addWidget(chooser)
        chooser.show()
        view = chooser.findChild(QTreeView, "treeView")
        qtbot.waitUntil(lambda: view.model().rowCount(view.rootIndex()) == 2)
        printer = QPrinter()
        dialogs = (QPrintDialog(printer), QPrintPreviewDialog(printer), QPageSetupDialog(printer))
        for dialog in dialogs:
            qtbot.addWidget(dialog)
            dialog.show()
    finally:
        QApplication.instance().removeTranslator(spy)
    # MIME types' names come from Qt's database in each language (« document CSV »), their
    # English names asked of the catalogues for every type Qt loads: not the dialogs' words.
    assert {entry for entry in spy.untranslated if entry[0] != "QMimeType"} == set()
    labels = {label.text() for label in chooser.findChildren(QLabel)}
    assert "&Regarder dans\u00a0:" in labels and "Fichiers de &type\u00a0:" in labels
    assert "&Nom de fichier\u00a0:" in labels  # qtbase_fr still answers for the rest
    model, root = view.model(), view.rootIndex()

    def kinds() -> set[str]:
        return {model.index(row, 2, root).data() for row in range(model.rowCount(root))}

    qtbot.waitUntil(lambda: "" not in kinds())  # filled in by Qt's file info thread
    assert kinds() == {"Dossier", "document CSV"}
