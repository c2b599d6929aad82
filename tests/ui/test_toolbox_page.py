"""The Boîte à outils section: catalogue, filters with counts, search as you type, own lists."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt, QUrl

from companion.store import Store
from companion.toolbox import catalogue, personal, search
from companion.toolbox.reader_html import segments_html
from companion.ui.shell.main_window import MAP, TOOLBOX, MainWindow
from companion.ui.toolbox.catalogue import ALL, FAVOURITES, RECENT, Row
from companion.ui.toolbox.page import ToolboxPage

from .conftest import Network


@pytest.fixture
def toolbox(store: Store) -> Store:
    catalogue.install_bundled(store)
    return store


def make_page(qtbot, store: Store) -> ToolboxPage:
    page = ToolboxPage(store)
    qtbot.addWidget(page)
    page.resize(1300, 800)
    page.show()
    qtbot.waitExposed(page)
    return page


def combo_texts(box) -> list[str]:
    return [box.itemText(index) for index in range(box.count())]


def count_of(store: Store, column: str, value: str) -> int:
    sql = f"SELECT count(*) FROM toolbox_items WHERE {column} = ?"
    return store.conn.execute(sql, (value,)).fetchone()[0]


def test_the_catalogue_lists_every_item_with_counts_in_its_filters(qtbot, toolbox: Store) -> None:
    page = make_page(qtbot, toolbox)
    shelf = page.catalogue
    assert shelf.count_label.text() == "19 éléments"
    assert shelf.model.rowCount() == 19
    guides = count_of(toolbox, "type", "guide")
    assert f"Guides ({guides})" in combo_texts(shelf.type_box)
    assert combo_texts(shelf.type_box)[0] == "Tous les types (19)"
    assert combo_texts(shelf.theme_box)[0] == "Tous les thèmes (19)"

    shelf.type_box.setCurrentIndex(shelf.type_box.findData("guide"))
    shelf.type_box.activated.emit(shelf.type_box.currentIndex())
    assert shelf.count_label.text() == f"{guides} éléments"
    assert all(row.type == "guide" for row in shelf.rows)
    # The themes now count guides only, and the choice stays.
    assert combo_texts(shelf.theme_box)[0] == f"Tous les thèmes ({guides})"
    assert shelf.type_box.currentData() == "guide"
    carto = count_of_both(toolbox, "cartographie", "guide")
    shelf.theme_box.setCurrentIndex(shelf.theme_box.findData("cartographie"))
    shelf.theme_box.activated.emit(shelf.theme_box.currentIndex())
    assert len(shelf.rows) == carto
    assert {row.theme for row in shelf.rows} == {"cartographie"}


def count_of_both(store: Store, theme: str, kind: str) -> int:
    sql = "SELECT count(*) FROM toolbox_items WHERE theme = ? AND type = ?"
    return store.conn.execute(sql, (theme, kind)).fetchone()[0]


def test_search_as_you_type_shows_matches_in_bold(qtbot, toolbox: Store) -> None:
    page = make_page(qtbot, toolbox)
    shelf = page.catalogue
    qtbot.keyClicks(shelf.search_box, "elus entreprises")
    expected = search.count_matches(toolbox.conn, "elus entreprises")
    assert expected > 1
    qtbot.waitUntil(lambda: shelf.count_label.text() == f"{expected} résultats")
    first = shelf.rows[0]
    assert first.title == "Préparer une rencontre entre élus et entreprises"
    rich = shelf.model.item(0).data(Qt.ItemDataRole.UserRole + 1)
    assert "<b>élus</b>" in rich and "<b>entreprises</b>" in rich
    # The type filter counts the matches only.
    assert sum(
        int(text.rsplit("(", 1)[1].rstrip(")")) for text in combo_texts(shelf.type_box)[1:]
    ) == (expected)
    shelf.search_box.clear()
    qtbot.waitUntil(lambda: shelf.count_label.text() == "19 éléments")
    qtbot.keyClicks(shelf.search_box, "zzzqx")
    qtbot.waitUntil(lambda: shelf.count_label.text() == "Aucun résultat")


def test_text_from_items_is_never_markup() -> None:
    segments = (("<img src=http://x>", False), ("<b>", True))
    assert segments_html(segments) == "&lt;img src=http://x&gt;<b>&lt;b&gt;</b>"
    row = Row("id", "<script>", "a & b", "posture", "guide")
    assert "&lt;script&gt;" in row.rich_text() and "a &amp; b" in row.rich_text()


def test_enter_opens_the_first_match_and_the_selected_row(qtbot, toolbox: Store) -> None:
    page = make_page(qtbot, toolbox)
    shelf = page.catalogue
    qtbot.keyClicks(shelf.search_box, "gouvernance")
    qtbot.keyClick(shelf.search_box, Qt.Key.Key_Return)  # before the pause: searched at once
    top = search.search(toolbox.conn, "gouvernance")[0]
    assert page.reader.current_id() == top.id
    # Down goes into the list; Enter there opens the selected row.
    qtbot.keyClick(shelf.search_box, Qt.Key.Key_Down)
    assert shelf.list.hasFocus() or shelf.list.currentIndex().row() == 0
    qtbot.keyClick(shelf.list, Qt.Key.Key_Down)
    qtbot.keyClick(shelf.list, Qt.Key.Key_Return)
    assert page.reader.current_id() == shelf.rows[1].id


def test_one_click_or_an_arrow_key_shows_the_item_beside_the_list(qtbot, toolbox: Store) -> None:
    """Like a mail client: no double-click needed."""
    page = make_page(qtbot, toolbox)
    shelf = page.catalogue
    rect = shelf.list.visualRect(shelf.model.index(2, 0))
    qtbot.mouseClick(shelf.list.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert page.reader.current_id() == shelf.rows[2].id
    assert shelf.rows[2].title in page.reader.browser.toPlainText()
    qtbot.keyClick(shelf.list, Qt.Key.Key_Down)
    assert page.reader.current_id() == shelf.rows[3].id


def test_favourites_and_recent_views(qtbot, toolbox: Store) -> None:
    page = make_page(qtbot, toolbox)
    shelf = page.catalogue
    shelf.show_view(FAVOURITES)
    assert shelf.rows == [] and shelf.count_label.text().startswith("Aucun favori")
    first, second = shelf_ids = [entry.id for entry in search.catalogue(toolbox.conn)[:2]]
    page.open_item(first)
    page.reader.favourite_action.trigger()
    assert shelf.item_ids() == [first]  # the favourites view follows the star
    assert [entry.id for entry in personal.favourites(toolbox.conn)] == [first]

    shelf.show_view(RECENT)
    assert shelf.item_ids() == [first]
    page.open_item(second)
    assert shelf.item_ids() == [second, first]
    # Filters and search apply to these views too.
    qtbot.keyClicks(shelf.search_box, search.catalogue(toolbox.conn)[1].title.split()[0])
    qtbot.waitUntil(lambda: second in shelf.item_ids() and len(shelf.item_ids()) <= 2)
    assert set(shelf.item_ids()) <= set(shelf_ids)
    shelf.show_view(ALL)
    assert len(shelf.rows) >= 1


def test_the_main_window_builds_the_section_when_shown_and_installs_the_bundle(
    qtbot, network: Network
) -> None:
    window = MainWindow(network.store)
    qtbot.addWidget(window)
    assert window.toolbox_page is None
    assert catalogue.item_titles(network.store) == {}  # not before the window shows
    window.show_section(TOOLBOX)
    page = window.toolbox_page
    assert page is not None and window.pages.currentWidget() is page
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    # The bundle arrives in the background, then the open catalogue lists it.
    qtbot.waitUntil(lambda: page.catalogue.model.rowCount() == 19, timeout=10_000)
    assert window.toolbox_install.outcome == "succeeded"
    # Ctrl+F searches the toolbox while it is shown.
    qtbot.keyClick(window, Qt.Key.Key_2, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(window, Qt.Key.Key_3, Qt.KeyboardModifier.ControlModifier)
    assert window.pages.currentWidget() is page
    qtbot.keyClick(window, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert window.current_section() == TOOLBOX
    qtbot.waitUntil(page.catalogue.search_box.hasFocus)


def test_the_presentation_link_starts_presenting_the_map(qtbot, network: Network) -> None:
    window = MainWindow(network.store)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    catalogue.install_bundled(network.store)
    window.show_section(TOOLBOX)
    page = window.toolbox_page
    kit = catalogue.get_item_by_slug(network.store, "kit-atelier-lancement-alliance")
    assert page.open_item(kit.item.id)
    page.reader.follow_link(QUrl("companion://action/presentation"))
    assert window.current_section() == MAP
    assert window.map_page is not None and window.map_page.presentation.active
    qtbot.waitUntil(lambda: not window.sidebar.isVisible())
    window.map_page.presentation.leave()
    assert window.sidebar.isVisible()
