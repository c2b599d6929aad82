"""Every section, the import wizard and the main dialogs at 1366×768, the smallest laptop
screen the catalysts use: no widget off-screen or clipped by its window, no label cut."""

from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import (
    QAbstractScrollArea,
    QApplication,
    QLabel,
    QScrollArea,
    QTableWidget,
    QWidget,
)

from companion.ui.shell.main_window import DIRECTORY, MAP, NETWORK, SYNC, TERRITORIES, TOOLBOX

from .conftest import Network, make_window

SCREEN = QRect(0, 0, 1366, 768)
DRAW_TIMEOUT_MS = 60_000
LONG_NAME = "Les Jardins Partagés du Plateau"


def _scrolled(widget: QWidget, window: QWidget) -> bool:
    """Inside a scroll area's viewport: scrolled content may lie outside the window."""
    parent = widget.parentWidget()
    while parent is not None and parent is not window:
        grand = parent.parentWidget()
        if isinstance(grand, QAbstractScrollArea) and parent is grand.viewport():
            return True
        parent = grand
    return False


def _collapsed(widget: QWidget, window: QWidget) -> bool:
    """In a splitter pane the user (or the app) collapsed to nothing: not drawn."""
    while widget is not None and widget is not window:
        if widget.width() == 0 or widget.height() == 0:
            return True
        widget = widget.parentWidget()
    return False


def misfits(window: QWidget) -> list[str]:
    """What is wrong with a shown window: widgets out of it, labels whose text is cut, forms
    (a scroll area's content) wider than their pane."""
    bounds = window.rect()
    problems = []
    for widget in window.findChildren(QWidget):
        if not widget.isVisibleTo(window) or widget.window() is not window:
            continue
        if _scrolled(widget, window) or _collapsed(widget, window):
            continue
        name = f"{type(widget).__name__} {widget.objectName()!r}"
        geometry = QRect(widget.mapTo(window, QPoint(0, 0)), widget.size())
        if not bounds.contains(geometry):
            problems.append(f"{name} at {geometry.getRect()} outside {bounds.getRect()}")
        if isinstance(widget, QScrollArea) and widget.horizontalScrollBar().isVisible():
            needed = widget.widget().minimumSizeHint().width()
            problems.append(f"{name} scrolls sideways: {widget.width()} < {needed} px")
        if isinstance(widget, QLabel) and _cut(widget):
            problems.append(
                f"label {widget.text()[:60]!r} cut: {widget.width()} < "
                f"{widget.sizeHint().width()} px"
            )
    return problems


def _cut(label: QLabel) -> bool:
    if label.wordWrap() or not label.text() or not label.pixmap().isNull():
        return False
    return label.sizeHint().width() > label.width()


def click_section(qtbot, window, index: int) -> None:
    """A real click on the section's item in the sidebar."""
    sidebar = window.sidebar
    center = sidebar.visualItemRect(sidebar.item(index)).center()
    QTest.mouseClick(sidebar.viewport(), Qt.MouseButton.LeftButton, pos=center)
    qtbot.waitUntil(lambda: window.current_section() == index)


def assert_fits(qtbot, window: QWidget) -> None:
    """Shown at most 1366×768, laid out, and everything inside."""
    assert window.width() <= SCREEN.width() and window.height() <= SCREEN.height(), (
        f"{type(window).__name__} is {window.width()}×{window.height()}"
    )
    hint = window.minimumSizeHint()
    assert hint.width() <= SCREEN.width() and hint.height() <= SCREEN.height(), (
        f"{type(window).__name__} needs at least {hint.width()}×{hint.height()}"
    )
    settle(window)
    problems = misfits(window)
    assert not problems, "\n".join(problems)


def settle(window: QWidget) -> None:
    """Every pending layout done, as before the window is painted (scroll bars appear then)."""
    for _round in range(5):
        QApplication.sendPostedEvents()
        QApplication.processEvents()
    window.grab()  # a paint: polished and laid out like on screen
    QApplication.processEvents()


def window_at_1366(qtbot, network: Network):
    window = make_window(qtbot, network)
    window.resize(SCREEN.size())
    qtbot.waitUntil(lambda: window.size() == SCREEN.size())
    return window


def test_the_directory_fits_and_its_card_opens_only_for_a_record(qtbot, network: Network):
    window = window_at_1366(qtbot, network)
    directory = window.directory
    assert window.current_section() == DIRECTORY
    qtbot.waitUntil(lambda: directory.model.rowCount() == 4)
    assert directory.card.width() == 0 or not directory.card.isVisible()  # nothing chosen
    table_width = directory.table.width()
    assert_fits(qtbot, window)
    row = directory.table.visualRect(directory.model.index(0, 0)).center()
    QTest.mouseClick(directory.table.viewport(), Qt.MouseButton.LeftButton, pos=row)
    qtbot.waitUntil(lambda: directory.card.isVisible() and directory.card.width() > 300)
    assert directory.table.width() < table_width
    assert_fits(qtbot, window)
    directory.show_people()
    people = directory.people
    qtbot.waitUntil(lambda: people.model.rowCount() == 2)
    assert not people.card.isVisible() or people.card.width() == 0
    row = people.table.visualRect(people.model.index(0, 0)).center()
    QTest.mouseClick(people.table.viewport(), Qt.MouseButton.LeftButton, pos=row)
    qtbot.waitUntil(lambda: people.card.isVisible() and people.card.width() > 300)
    assert_fits(qtbot, window)


def test_every_other_section_fits(qtbot, network: Network):
    window = window_at_1366(qtbot, network)
    click_section(qtbot, window, MAP)
    view = window.map_page.view
    qtbot.waitUntil(lambda: view.is_ready and view.is_drawn, timeout=DRAW_TIMEOUT_MS)
    assert_fits(qtbot, window)
    assert window.map_page.panel.isVisible()  # the filters beside the map, checked too
    for index, page in [
        (TOOLBOX, "toolbox_page"),
        (SYNC, "sync_page"),
        (NETWORK, "network_page"),
        (TERRITORIES, "territory_page"),
    ]:
        click_section(qtbot, window, index)
        qtbot.waitUntil(lambda page=page: getattr(window, page) is not None)
        qtbot.waitUntil(lambda page=page: getattr(window, page).isVisible())
        assert_fits(qtbot, window)
    # Panes that would be empty wait for something to show.
    assert not window.toolbox_page.reader.side.isVisibleTo(window)
    assert not window.sync_page.conflicts.table.isVisibleTo(window)
    assert not window.network_page.near_list.isVisibleTo(window)


def test_a_territory_s_profile_and_ecosystem_fit(qtbot, store):
    from companion.geo import Gazetteer
    from companion.ui.territory.page import ECOSYSTEM_TAB

    from .territory_helpers import rhone, wait_ecosystem, wait_profile

    gazetteer = Gazetteer.open()
    try:
        window = window_at_1366(qtbot, rhone(store, gazetteer))
        click_section(qtbot, window, TERRITORIES)
        page = window.territory_page
        wait_profile(qtbot, page)  # my catalyst's département, the Rhône
        assert_fits(qtbot, window)
        page.tabs.setCurrentIndex(ECOSYSTEM_TAB)
        wait_ecosystem(qtbot, page)
        assert_fits(qtbot, window)
    finally:
        gazetteer.close()


def test_the_main_dialogs_fit(qtbot, network: Network):
    from companion.ui.map.export_dialog import MapExportDialog

    window = window_at_1366(qtbot, network)
    window.new_actor()
    assert_fits(qtbot, window.actor_form)
    window.actor_form.reject()
    window.open_settings()
    assert_fits(qtbot, window.settings_dialog)
    window.settings_dialog.reject()
    dialog = MapExportDialog(network.store, parent=window)
    dialog.show()
    qtbot.waitExposed(dialog)
    assert_fits(qtbot, dialog)
    dialog.reject()


def test_the_import_wizard_fits_and_its_previews_read_whole(qtbot, network: Network, tmp_path):
    from companion.ui.data.import_state import CHECK, FORMAT, MAPPING
    from companion.ui.data.import_wizard import ImportWizard

    path = tmp_path / "acteurs.csv"
    path.write_text(
        "Nom;Type;Ville;Courriel\n"
        f"{LONG_NAME};Association;Clermont-Ferrand;jardins@example.org\n"
        "Garage solidaire;Entreprise;Lyon;\n",
        encoding="utf-8",
    )
    window = window_at_1366(qtbot, network)
    wizard = ImportWizard(network.store, window)
    qtbot.addWidget(wizard)
    wizard.show()
    qtbot.waitExposed(wizard)
    assert_fits(qtbot, wizard)
    wizard.file_page.path_edit.setText(str(path))
    wizard.next()
    assert wizard.currentId() == FORMAT
    assert_fits(qtbot, wizard)
    assert_reads_whole(qtbot, wizard.format_page.preview, LONG_NAME)
    wizard.next()
    assert wizard.currentId() == MAPPING
    assert_fits(qtbot, wizard)
    assert_reads_whole(qtbot, wizard.mapping_page.preview, LONG_NAME)
    wizard.next()
    assert wizard.currentId() == CHECK
    qtbot.waitUntil(lambda: not wizard.check_page.checking, timeout=20_000)
    assert_fits(qtbot, wizard)


def assert_reads_whole(qtbot, table: QTableWidget, text: str) -> None:
    """The cell holding ``text`` is wide enough to draw it whole."""
    cells = table.findItems(text, Qt.MatchFlag.MatchExactly)
    assert cells, f"{text!r} not in the preview"
    column = cells[0].column()
    needed = table.fontMetrics().horizontalAdvance(text)
    qtbot.waitUntil(lambda: table.columnWidth(column) > needed, timeout=3_000)
    last = table.columnCount() - 1
    right = table.columnViewportPosition(last) + table.columnWidth(last)
    assert right <= table.viewport().width() + 1  # the columns fit, no scrolling needed here
