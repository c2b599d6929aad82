"""The main window: six sections, Annuaire first, shortcuts, status bar, lean imports."""

import subprocess
import sys

from PySide6.QtCore import Qt

from companion.ui.shell.main_window import DIRECTORY, MAP
from companion.ui.shell.placeholder_page import PlaceholderPage

from .conftest import Network, make_window


def test_six_sections_starting_on_the_directory(qtbot, network: Network) -> None:
    window = make_window(qtbot, network)
    assert window.windowTitle() == "Companion"
    titles = [window.sidebar.item(row).text() for row in range(window.sidebar.count())]
    assert titles == [
        "Carte", "Annuaire", "Boîte à outils", "Synchronisation", "Réseau", "Territoires"
    ]  # fmt: skip
    assert all(not window.sidebar.item(row).icon().isNull() for row in range(6))
    assert window.current_section() == DIRECTORY
    assert window.pages.currentWidget() is window.directory
    placeholders = [window.pages.widget(i) for i in (0, 2, 3, 4, 5)]
    assert all(isinstance(page, PlaceholderPage) for page in placeholders)
    assert placeholders[0].message.startswith("Chargement de la carte")  # built when shown
    assert placeholders[1].message.startswith("Chargement de la boîte à outils")
    assert placeholders[3].message.startswith("Chargement du réseau")
    assert placeholders[4].message.startswith("Chargement des territoires")
    qtbot.waitUntil(lambda: "4 acteurs" in window.status_label.text())
    assert str(network.store.path) in window.status_label.text()


def test_shortcuts_switch_sections_and_find(qtbot, network: Network) -> None:
    window = make_window(qtbot, network)
    qtbot.keyClick(window, Qt.Key.Key_2, Qt.KeyboardModifier.ControlModifier)
    assert window.current_section() == DIRECTORY
    qtbot.keyClick(window, Qt.Key.Key_1, Qt.KeyboardModifier.ControlModifier)
    assert window.current_section() == MAP
    qtbot.keyClick(window, Qt.Key.Key_4, Qt.KeyboardModifier.ControlModifier)
    assert window.current_section() == 3
    qtbot.keyClick(window, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert window.current_section() == DIRECTORY
    qtbot.waitUntil(window.directory.search_box.hasFocus)
    shortcuts = {action.shortcut().toString() for action in window.actions()}
    assert {"Ctrl+1", "Ctrl+2", "Ctrl+3", "Ctrl+4", "Ctrl+5", "Ctrl+6", "Ctrl+Q"} <= shortcuts


def test_clicking_the_sidebar_switches_pages(qtbot, network: Network) -> None:
    window = make_window(qtbot, network)
    window.sidebar.setCurrentRow(2)
    assert window.pages.currentIndex() == 2


def test_importing_the_window_loads_no_web_engine() -> None:
    code = (
        "import sys, companion.ui.shell.main_window, companion.ui.shell.app\n"
        "heavy = [m for m in sys.modules if 'QtWebEngine' in m or m.startswith('folium')"
        " or m.startswith('qtawesome') or m.startswith('qtpy') or 'QtPdf' in m"
        " or m.startswith(('markdown', 'companion.ui.toolbox', 'companion.toolbox',"
        " 'companion.ui.network', 'companion.network', 'companion.ui.territory',"
        " 'companion.ui.reports', 'companion.insights', 'networkx', 'numpy'))]\n"
        "print(heavy)"
    )
    output = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert output.strip() == "[]"


def test_english_interface(qtbot, network: Network) -> None:
    from companion.i18n import set_language

    set_language("en")
    window = make_window(qtbot, network)
    titles = [window.sidebar.item(row).text() for row in range(window.sidebar.count())]
    assert titles == ["Map", "Directory", "Toolbox", "Sync", "Network", "Territories"]
    qtbot.waitUntil(lambda: "4 actors" in window.status_label.text())
    header = window.directory.table.model().headerData(0, Qt.Orientation.Horizontal)
    assert header == "Name"
