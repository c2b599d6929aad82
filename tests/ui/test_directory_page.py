"""The directory page: search as you type, the card, literal text, keyboard."""

from PySide6.QtCore import Qt

from companion.ui.common.formatting import count_text
from companion.ui.directory.page import DirectoryPage
from tests.french import fr

from .conftest import Network


def make_page(qtbot, network: Network) -> DirectoryPage:
    page = DirectoryPage(network.store)
    qtbot.addWidget(page)
    page.resize(1000, 600)
    page.show()
    qtbot.waitExposed(page)
    return page


def select_actor(page: DirectoryPage, name: str) -> None:
    model = page.model
    row = next(r for r in range(model.rowCount()) if model.index(r, 0).data() == name)
    page.table.selectRow(row)


def test_count_label_in_french() -> None:
    assert count_text(14203, searching=False) == "14\u202f203 acteurs"
    assert count_text(1, searching=False) == "1 acteur"
    assert count_text(3, searching=True) == "3 résultats"
    assert count_text(0, searching=True) == "Aucun résultat"


def test_typing_filters_the_table_after_a_pause(qtbot, network: Network) -> None:
    page = make_page(qtbot, network)
    assert page.count_label.text() == "4 acteurs"
    assert page.search_box.placeholderText() == "Rechercher un acteur, une commune, une étiquette…"
    resets: list[str] = []
    page.model.modelReset.connect(lambda: resets.append(page.model.query))
    qtbot.keyClicks(page.search_box, "ecole")
    qtbot.waitUntil(lambda: page.model.rowCount() == 1)
    assert resets == ["ecole"]  # one search for the whole word, not one per keystroke
    assert page.count_label.text() == "1 résultat"
    assert page.model.index(0, 0).data() == "École des Jardins partagés"
    page.search_box.clear()
    qtbot.waitUntil(lambda: page.count_label.text() == "4 acteurs")


def test_selecting_a_row_fills_the_card(qtbot, network: Network) -> None:
    page = make_page(qtbot, network)
    with qtbot.waitSignal(page.actor_selected) as selected:
        select_actor(page, "École des Jardins partagés")
    assert selected.args == [network.ids["ecole"]]
    text = page.card.plain_text()
    for expected in (
        "École des Jardins partagés",
        "Association",
        "Lyon (69)",
        "Jardins pédagogiques dans les quartiers.",
        "alimentation, éducation",
        "Alice Martin — Présidente",
        "Bruno Durand — Animateur",
        "Financement ← Fondation Terres Vivantes",
        "Partenariat → Tiers-lieu La Fabrique",
        "14/03/2025 · Réunion · Bilan de saison",
    ):
        assert expected in text.splitlines(), expected


def test_html_in_a_name_is_shown_literally(qtbot, network: Network) -> None:
    hostile = "<b>x</b><img src=x>"
    network.store.add_actor(hostile, "autre", description="<script>alert(1)</script>")
    page = make_page(qtbot, network)
    page.refresh()
    select_actor(page, hostile)
    name_label = page.card.widget().findChildren(type(page.count_label))[0]
    assert name_label.text() == hostile
    assert name_label.textFormat() == Qt.TextFormat.PlainText
    assert "<script>alert(1)</script>" in page.card.plain_text().splitlines()
    row = next(r for r in range(page.model.rowCount()) if page.model.actor_at(r).name == hostile)
    tooltip = page.model.index(row, 0).data(Qt.ItemDataRole.ToolTipRole)
    assert tooltip == "<p>&lt;b&gt;x&lt;/b&gt;&lt;img src=x&gt;</p>"


def test_keyboard_search_down_and_enter(qtbot, network: Network) -> None:
    page = make_page(qtbot, network)
    page.activateWindow()
    page.focus_search()
    qtbot.waitUntil(page.search_box.hasFocus)
    qtbot.keyClicks(page.search_box, "fondation")
    qtbot.keyClick(page.search_box, Qt.Key.Key_Down)  # before the debounce: searches at once
    assert page.table.hasFocus()
    assert page.model.rowCount() == 1
    assert page.card.actor_id == network.ids["fondation"]
    page.card.clear()
    qtbot.keyClick(page.table, Qt.Key.Key_Return)
    assert page.card.actor_id == network.ids["fondation"]
    assert page.card.hasFocus()


def test_header_sort_and_back_to_default(qtbot, network: Network) -> None:
    page = make_page(qtbot, network)
    header = page.table.horizontalHeader()
    assert header.sortIndicatorSection() == -1
    page.table.sortByColumn(2, Qt.SortOrder.DescendingOrder)
    assert page.model.index(0, 2).data() == "Paris"
    page.table.sortByColumn(-1, Qt.SortOrder.AscendingOrder)
    assert page.model.index(0, 0).data() == "École des Jardins partagés"


def test_showing_100000_actors_reads_only_the_visible_page(qtbot, big_store_path) -> None:
    from companion.store import Store

    store = Store.open(big_store_path)
    page = DirectoryPage(store)
    try:
        page.resize(1000, 700)
        page.show()
        qtbot.waitExposed(page)
        qtbot.waitUntil(lambda: page.model.pages_fetched >= 1)
        assert page.count_label.text() == "100\u202f000 acteurs"
        assert page.model.pages_fetched <= 2
        qtbot.keyClicks(page.search_box, "lyon")
        qtbot.waitUntil(lambda: page.count_label.text() == "14\u202f286 résultats")
        assert page.model.pages_fetched <= 4
    finally:
        page.close()
        page.deleteLater()
        store.close()


def test_an_empty_directory_says_what_it_is_for_and_offers_its_first_actions(qtbot, store) -> None:
    """A fresh base: no blank table, but the way to fill it; the first actor, added, gives
    the table back. An empty search is not an empty directory."""
    from PySide6.QtCore import Qt as QtKeys
    from PySide6.QtTest import QTest

    from companion.ui.directory.page import DirectoryPage

    page = DirectoryPage(store)
    qtbot.addWidget(page)
    page.resize(1100, 700)
    page.show()
    assert page.actor_stack.currentWidget() is page.empty and page.empty.isVisible()
    labels = [button.text() for button in page.empty.buttons]
    assert labels == [
        "Ajouter un acteur", "Importer un fichier…", "Rejoindre mon réseau…",
        fr("Lire le guide « Cartographier son écosystème »"),
    ]  # fmt: skip
    for button, signal in zip(
        page.empty.buttons,
        (page.new_actor_requested, page.import_requested, page.join_requested,
         page.guide_requested),
        strict=True,
    ):  # fmt: skip
        with qtbot.waitSignal(signal):
            QTest.mouseClick(button, QtKeys.MouseButton.LeftButton)
    store.add_actor("Premier acteur", "association")
    page.refresh()
    assert page.actor_stack.currentWidget() is not page.empty and page.table.isVisible()
    QTest.keyClicks(page.search_box, "introuvable")
    page.apply_search()
    assert page.model.rowCount() == 0 and page.actor_stack.currentWidget() is not page.empty
