"""Run by tests/ui/test_qt_french.py in a process of its own: open Qt's dialogs in French and
print, as JSON, every word of theirs that no installed catalogue translates.

The words are caught by a Python translator asked before the catalogues. A call into a
Python override costs PySide 6.12 a reference to None (ui/common/none_guard.py), so this
runs apart from the suite, None's count raised first.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

from PySide6.QtCore import QTranslator
from PySide6.QtPrintSupport import QPageSetupDialog, QPrintDialog, QPrinter, QPrintPreviewDialog
from PySide6.QtWidgets import QApplication, QFileDialog, QLabel, QTreeView

from companion.i18n import set_language
from companion.ui.common.none_guard import keep_none_alive
from companion.ui.shell import app as app_module


class Spy(QTranslator):
    def __init__(self, catalogues: list[QTranslator]) -> None:
        super().__init__()
        self.catalogues = catalogues
        self.untranslated: set[tuple[str, str]] = set()

    def translate(self, context, source, disambiguation=None, n=-1):
        for catalogue in self.catalogues:
            found = catalogue.translate(context, source, disambiguation, n)
            if found:
                return found
        if source:
            self.untranslated.add((context, source))
        return source or ""  # never None: see the module's docstring

    def isEmpty(self):  # noqa: N802
        return False


def main(folder: Path) -> None:
    keep_none_alive()
    app = QApplication([sys.argv[0], "-platform", "offscreen"])
    set_language("fr")
    app_module._install_qt_translations(app)
    names = ("companion-qt-translations", "companion-qt-supplement")
    catalogues = [app.findChild(QTranslator, name) for name in names]
    spy = Spy([c for c in catalogues if c is not None])
    app.installTranslator(spy)
    chooser = QFileDialog(None, "", str(folder))
    chooser.setOption(QFileDialog.Option.DontUseNativeDialog)
    chooser.show()
    view = chooser.findChild(QTreeView, "treeView")
    model, root = view.model(), view.rootIndex()
    deadline = time.monotonic() + 20
    kinds: list[str] = []
    while time.monotonic() < deadline:
        app.processEvents()
        kinds = [model.index(row, 2, root).data() for row in range(model.rowCount(root))]
        if len(kinds) == 2 and all(kinds):
            break
        time.sleep(0.02)
    printer = QPrinter()
    dialogs = [QPrintDialog(printer), QPrintPreviewDialog(printer), QPageSetupDialog(printer)]
    for dialog in dialogs:
        dialog.show()
        app.processEvents()
    print(
        json.dumps(
            {
                "untranslated": sorted(spy.untranslated),
                "labels": sorted(label.text() for label in chooser.findChildren(QLabel)),
                "kinds": sorted(kinds),
                "complete": bool(catalogues[0] and catalogues[1]),
            }
        )
    )


if __name__ == "__main__":
    main(Path(sys.argv[1]))
