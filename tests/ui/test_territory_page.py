"""The Territoires section: a territory's profile (and its one-page PDF), its ecosystem as
a network with brokers, gaps and suggested links, presentation, the directory's selection
and Ctrl+K."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtPdf import QPdfDocument
from PySide6.QtWidgets import QFileDialog

from companion.geo import Gazetteer
from companion.insights.formatting import number
from companion.insights.graph import ecosystem_graph, ecosystem_metrics
from companion.insights.places import find_territory
from companion.insights.suggestions import suggest_links
from companion.insights.territory import (
    CatalystPresence,
    TerritoryFigures,
    TerritoryProfile,
    territory_profile,
)
from companion.ui.shell.main_window import DIRECTORY, TERRITORIES
from companion.ui.territory.page import CONTENT, ECOSYSTEM_TAB, EMPTY, PROFILE_TAB
from companion.ui.territory.profile_doc import paint_one_page, pdf_printer, profile_html
from companion.ui.territory.profile_view import suggested_name, write_profile_pdf
from tests.french import fr

from .conftest import make_window
from .territory_helpers import rhone, wait_ecosystem, wait_profile


@pytest.fixture(scope="module")
def gazetteer():
    opened = Gazetteer.open()
    yield opened
    opened.close()


@pytest.fixture
def rhone_network(store, gazetteer):
    return rhone(store, gazetteer)


def open_section(qtbot, window):
    qtbot.keyClick(window, Qt.Key.Key_6, Qt.KeyboardModifier.ControlModifier)
    assert window.current_section() == TERRITORIES
    page = window.territory_page
    assert page is not None and window.pages.currentWidget() is page
    return page


def pdf_text(path: Path) -> tuple[int, str]:
    document = QPdfDocument()
    assert document.load(str(path)) == QPdfDocument.Error.None_
    pages = document.pageCount()
    text = "".join(document.getAllText(page).text() for page in range(pages))
    document.close()
    return pages, text


def searched(page) -> bool:
    return not page._search_timer.isActive() and page.matches.rowCount() > 0


def digits(text: str) -> str:
    return "".join(c for c in text if c.isdigit())


def test_ctrl_6_opens_the_profile_of_my_catalyst_s_departement(
    qtbot, rhone_network, gazetteer
) -> None:
    window = make_window(qtbot, rhone_network)
    assert window.territory_page is None  # built when first shown
    assert window.sidebar.item(TERRITORIES).text() == "Territoires"
    page = open_section(qtbot, window)
    wait_profile(qtbot, page)
    assert page.territory.key == "departement:69"
    assert page.field.text() == "Rhône (69)"
    assert page.stack.currentIndex() == CONTENT
    expected = territory_profile(
        rhone_network.store.conn, gazetteer, find_territory(gazetteer, "departement", "69")
    )
    text = page.profile_view.text()
    assert "Fiche territoire : Rhône (69)" in text
    assert expected.figures.actors == 7  # the Paris network is outside
    assert number(expected.figures.population).replace("\u202f", " ") in text  # 1 843 319
    assert f"{number(expected.figures.actors)}\nActeurs" in text
    assert "Auvergne-Rhône-Alpes" in text  # compared with its région
    assert "Pôle Confluences" in text  # the catalyst active there
    buttons = [page.around.itemAt(i).widget().text() for i in range(page.around.count())]
    assert buttons == [fr("Voir aussi :"), "Auvergne-Rhône-Alpes"]


def test_without_a_catalyst_of_my_own_the_section_explains_what_to_do(
    qtbot, store, gazetteer
) -> None:
    window = make_window(qtbot, rhone(store, gazetteer, own_catalyst=False))
    page = open_section(qtbot, window)
    qtbot.waitUntil(lambda: page.places_ready, timeout=30_000)
    assert page.territory is None and page.stack.currentIndex() == EMPTY
    assert page.empty_label.text().startswith("Choisissez un territoire")
    assert page.field.isEnabled()


def test_the_field_lists_territories_with_their_level(qtbot, rhone_network) -> None:
    window = make_window(qtbot, rhone_network)
    page = open_section(qtbot, window)
    wait_profile(qtbot, page)
    page.field.clear()
    qtbot.keyClicks(page.field, "villeurb")
    qtbot.waitUntil(lambda: searched(page))
    assert page.match_rows()[0] == "Villeurbanne (69) — Commune"
    page.field.clear()
    qtbot.keyClicks(page.field, "rhone")
    qtbot.waitUntil(lambda: searched(page))
    rows = page.match_rows()
    assert rows[:3] == [
        "Rhône (69) — Département",
        "Bouches-du-Rhône (13) — Département",
        "Auvergne-Rhône-Alpes — Région",
    ]
    assert any(row.endswith("— Intercommunalité") for row in rows)
    popup = page.completer.popup()
    qtbot.waitUntil(popup.isVisible)
    popup.setCurrentIndex(page.completer.completionModel().index(2, 0))
    qtbot.keyClick(popup, Qt.Key.Key_Return)
    assert page.territory.key == "region:84"
    assert page.field.text() == "Auvergne-Rhône-Alpes"
    wait_profile(qtbot, page)
    assert "Fiche territoire : Auvergne-Rhône-Alpes" in page.profile_view.text()
    # A code and Enter: the first match, at once.
    page.field.setText("69123")
    qtbot.keyClick(page.field, Qt.Key.Key_Return)
    assert page.territory.key == "commune:69123"
    wait_profile(qtbot, page)
    around = [page.around.itemAt(i).widget().text() for i in range(page.around.count())]
    assert around == [
        fr("Voir aussi :"), "Métropole de Lyon (69)", "Rhône (69)", "Auvergne-Rhône-Alpes"
    ]  # fmt: skip
    page.around.itemAt(2).widget().click()  # one click up to the département
    assert page.territory.key == "departement:69"


def test_pdf_export_writes_one_page_with_the_name_and_population(
    qtbot, rhone_network, tmp_path, monkeypatch
) -> None:
    window = make_window(qtbot, rhone_network)
    page = open_section(qtbot, window)
    wait_profile(qtbot, page)
    asked = []

    def save_name(parent, title, suggested, file_filter):
        asked.append(suggested)
        return str(tmp_path / "fiche"), file_filter

    monkeypatch.setattr(QFileDialog, "getSaveFileName", save_name)
    from companion.ui.territory import profile_view

    offered: list[Path] = []
    monkeypatch.setattr(profile_view, "offer_to_open", lambda *args: offered.append(args[2]))
    path = page.profile_view.export_pdf()
    assert offered == [path]  # « Ouvrir » / « Afficher dans le dossier » (test_saved_file.py)
    assert Path(asked[0]).name == "Fiche territoire - Rhône.pdf"
    assert path == tmp_path / "fiche.pdf"
    pages, text = pdf_text(path)
    assert pages == 1
    assert "Rhône" in text
    population = page.profile_view.profile.figures.population
    assert str(population) in digits(text)
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".fiche-")]  # no leftovers
    # "Imprimer…" paints the same page on the printer chosen.
    printer = pdf_printer(str(tmp_path / "imprimée.pdf"), "x")
    with qtbot.waitSignal(page.profile_view.status_message) as sent:
        assert page.profile_view.print_on(printer)
    del printer
    assert sent.args == ["Envoyé à l'impression"]
    assert pdf_text(tmp_path / "imprimée.pdf")[0] == 1


def test_a_long_profile_is_scaled_to_stay_on_one_page(gazetteer, tmp_path) -> None:
    region = find_territory(gazetteer, "region", "84")
    figures = TerritoryFigures(
        region, 8_000_000, 4_000,
        {"association": 900, "entreprise": 500, "collectivite": 300, "fondation": 90},
        {"partenariat": 700, "financement": 300}, {"adhesion": 40},
    )  # fmt: skip
    catalysts = [
        CatalystPresence(f"id{n}", f"Pôle <b>{n}</b>", "Lyon", "Structure", ("dialogue",), True)
        for n in range(60)
    ]
    profile = TerritoryProfile(region, figures, catalysts, [figures, figures])
    path = tmp_path / "longue.pdf"
    assert write_profile_pdf(profile, path)
    pages, text = pdf_text(path)
    assert pages == 1
    assert "Pôle <b>1</b>" in text  # escaped: printed as text
    assert "… et 45 autres." in text
    assert "05/01/2026" in profile_html(profile, date(2026, 1, 5))
    # Whatever its length, the page is scaled down to one sheet.
    long = tmp_path / "très longue.pdf"
    printer = pdf_printer(str(long), "x")
    scale = paint_one_page("".join(f"<p>Ligne {n}</p>" for n in range(300)), printer)
    del printer
    assert 0 < scale < 0.3
    pages, text = pdf_text(long)
    assert pages == 1 and "Ligne 299" in text


def test_suggested_file_names_are_valid_everywhere(gazetteer) -> None:
    territory = find_territory(gazetteer, "commune", "69123")
    figures = TerritoryFigures(territory, 1, 1, {}, {}, {})
    profile = TerritoryProfile(territory, figures, [], [])
    assert suggested_name(profile) == "Fiche territoire - Lyon.pdf"
    odd = TerritoryProfile(type(territory)("commune", "1", 'A/B: "C"?'), figures, [], [])
    assert suggested_name(odd) == "Fiche territoire - A B C.pdf"


def test_the_ecosystem_shows_every_actor_brokers_gaps_and_suggestions(
    qtbot, rhone_network, gazetteer
) -> None:
    window = make_window(qtbot, rhone_network)
    page = open_section(qtbot, window)
    wait_profile(qtbot, page)
    assert page.ecosystem_view.drawn is None  # computed when its tab shows
    page.tabs.setCurrentIndex(ECOSYSTEM_TAB)
    wait_ecosystem(qtbot, page)
    view = page.ecosystem_view
    conn = rhone_network.store.conn
    graph = ecosystem_graph(conn, gazetteer, find_territory(gazetteer, "departement", "69"))
    metrics = ecosystem_metrics(graph)
    assert set(view.drawn.nodes) == set(graph.nodes) and len(view.drawn.nodes) == 7
    assert view.drawn.edge_count() == graph.number_of_edges() == 4
    brokers = view.brokers.texts()
    expected = [f"{n}. {b.name} — " for n, b in enumerate(metrics.brokers, start=1)]
    assert [text[: len(prefix)] for text, prefix in zip(brokers, expected, strict=True)] == expected
    assert brokers[0] == "1. Pôle Confluences — Catalyseur, 3 connexions"
    assert view.drawn.nodes[rhone_network.ids["pole"]].label.isVisible()  # its name shows
    isolated = view.isolated.texts()
    assert isolated == [
        "Institut des Berges — Institution publique",
        "Maraîchers Associés — Entreprise",
    ]
    figures = view.figure_texts()
    assert figures[0][:2] == ("Acteurs et relations", "7 acteurs, 4 relations")
    assert figures[-1] == (
        "Acteurs isolés",
        "2 (29\u202f%)",
        "2 acteurs n'ont aucune relation avec les autres acteurs de ce réseau.",
    )
    assert "2 acteurs n'ont aucune relation" in view.figures.text()  # shown, not only computed
    absent = view.absent.texts()
    assert absent == [a.reason for a in metrics.absent_alliances]
    assert "Aucune relation entre les associations (1) et les entreprises (2)." in absent
    suggestions = suggest_links(conn, gazetteer, graph)
    rows = view.suggestions.texts()
    assert rows[0] == f"1. {suggestions[0].reason}"
    assert "Jardins du Rhône" in rows[0] and "Maraîchers Associés" in rows[0]
    assert fr("« alimentation » et « insertion »") in rows[0]
    assert "Association&nbsp;(1)" in view.legend.text()


def test_clicking_an_actor_selects_it_and_opens_it_in_the_directory(qtbot, rhone_network) -> None:
    window = make_window(qtbot, rhone_network)
    page = open_section(qtbot, window)
    page.tabs.setCurrentIndex(ECOSYSTEM_TAB)
    wait_ecosystem(qtbot, page)
    view = page.ecosystem_view
    assert not view.open_button.isEnabled()
    node = view.drawn.nodes[rhone_network.ids["mairie"]]
    tooltip = "Mairie de Villeurbanne\nCollectivité — 2 connexions\nIntermédiaire n° 2"
    assert node.toolTip() == tooltip
    point = view.canvas.mapFromScene(node.pos())
    qtbot.mouseClick(view.canvas.viewport(), Qt.MouseButton.LeftButton, pos=point)
    assert view.selected_actor() == rhone_network.ids["mairie"]
    assert view.actor_name.text() == "Mairie de Villeurbanne"
    assert "2 connexions" in view.actor_detail.text()
    assert view.drawn.highlight.path().elementCount() == 4  # its two relations, darker
    qtbot.mouseClick(view.open_button, Qt.MouseButton.LeftButton)
    assert window.current_section() == DIRECTORY
    assert window.directory.card.actor_id == rhone_network.ids["mairie"]


def test_zoom_keys_and_the_brokers_list(qtbot, rhone_network) -> None:
    window = make_window(qtbot, rhone_network)
    page = open_section(qtbot, window)
    page.tabs.setCurrentIndex(ECOSYSTEM_TAB)
    wait_ecosystem(qtbot, page)
    canvas = page.ecosystem_view.canvas
    fitted = canvas.scale_factor()
    qtbot.keyClick(window, Qt.Key.Key_Equal, Qt.KeyboardModifier.ControlModifier)
    assert canvas.scale_factor() == pytest.approx(fitted * 1.25)
    qtbot.keyClick(window, Qt.Key.Key_Minus, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(window, Qt.Key.Key_Minus, Qt.KeyboardModifier.ControlModifier)
    assert canvas.scale_factor() == pytest.approx(fitted / 1.25)
    qtbot.keyClick(window, Qt.Key.Key_0, Qt.KeyboardModifier.ControlModifier)
    assert canvas.scale_factor() == pytest.approx(fitted) and canvas.fitted
    view = page.ecosystem_view
    view.brokers.activate(0)  # a broker in the list: chosen and shown
    assert view.selected_actor() == rhone_network.ids["pole"]
    assert canvas.scale_factor() >= 0.999  # close enough to tell neighbours apart


def test_presentation_goes_full_screen_and_esc_leaves(qtbot, rhone_network) -> None:
    window = make_window(qtbot, rhone_network)
    page = open_section(qtbot, window)
    page.tabs.setCurrentIndex(ECOSYSTEM_TAB)
    wait_ecosystem(qtbot, page)
    view = page.ecosystem_view
    with qtbot.waitSignal(view.presentation_changed) as changed:
        qtbot.keyClick(window, Qt.Key.Key_F5)
    assert changed.args == [True]
    shown = view.presentation
    assert shown is not None
    qtbot.waitUntil(shown.isVisible)
    assert shown.isFullScreen()
    assert shown.canvas.scene() is view.drawn.scene
    assert shown.title.text() == "Rhône (69)"
    with qtbot.waitSignal(view.presentation_changed) as changed:
        qtbot.keyClick(shown.canvas, Qt.Key.Key_Escape)
    assert changed.args == [False]
    assert view.presentation is None and not shown.isVisible()
    assert not window.isFullScreen()


def test_the_directory_selection_opens_as_a_network(qtbot, rhone_network) -> None:
    window = make_window(qtbot, rhone_network)
    ids = rhone_network.ids
    chosen = [ids["jardins"], ids["paris"], ids["mairie"]]
    window.directory.actor_bulk.selected_ids = lambda: chosen
    window.directory.table.selectAll()
    action = window.directory.actor_bulk.ecosystem_action
    assert action.isEnabled() and action.text() == "Voir le réseau de la sélection"
    action.trigger()
    assert window.current_section() == TERRITORIES
    page = window.territory_page
    wait_ecosystem(qtbot, page)
    assert page.tabs.currentIndex() == ECOSYSTEM_TAB
    assert not page.tabs.isTabEnabled(PROFILE_TAB)
    view = page.ecosystem_view
    assert set(view.drawn.nodes) == set(chosen)
    assert view.drawn.edge_count() == 1  # the association and the Paris network
    assert view.title.text() == fr("Réseau : Sélection de l'annuaire (3)")


def test_ctrl_k_finds_a_territory_and_opens_its_profile(qtbot, rhone_network) -> None:
    window = make_window(qtbot, rhone_network)
    qtbot.keyClick(window, Qt.Key.Key_K, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: window.global_search is not None and window.global_search.isVisible())
    box = window.global_search
    qtbot.keyClicks(box.box, "villeurbanne")
    qtbot.waitUntil(lambda: not box._timer.isActive() and "résultat" in box.count_label.text())
    rows = box.rows()
    assert ("territory", "commune:69266", "Villeurbanne (69)") in rows
    groups = [box.results.topLevelItem(i).text(0) for i in range(box.results.topLevelItemCount())]
    assert groups[-1] == "Territoires"
    box.box.clear()
    qtbot.keyClicks(box.box, "69")
    qtbot.waitUntil(lambda: not box._timer.isActive() and "résultat" in box.count_label.text())
    territories = [row for row in box.rows() if row[0] == "territory"]
    assert territories[0] == ("territory", "departement:69", "Rhône (69)")
    group = box.results.topLevelItem(box.results.topLevelItemCount() - 1)
    assert group.child(0).text(1) == "Département"
    box.results.setCurrentItem(group.child(0))
    box.choose_current()
    assert window.current_section() == TERRITORIES
    page = window.territory_page
    wait_profile(qtbot, page)
    assert page.territory.key == "departement:69"


def test_an_edit_elsewhere_is_counted_when_the_section_shows_again(qtbot, rhone_network) -> None:
    window = make_window(qtbot, rhone_network)
    page = open_section(qtbot, window)
    wait_profile(qtbot, page)
    before = page.profile_view.profile.figures.actors
    window.show_section(DIRECTORY)
    rhone_network.store.add_actor("Nouvelle venue", "association", departement="69")
    window._on_directory_changed()
    assert page.stale
    window.show_section(TERRITORIES)
    qtbot.waitUntil(
        lambda: (
            page.profile_view.profile is not None
            and page.profile_view.profile.figures.actors == before + 1
        ),
        timeout=30_000,
    )


def test_an_unknown_code_changes_nothing(qtbot, rhone_network) -> None:
    window = make_window(qtbot, rhone_network)
    page = open_section(qtbot, window)
    wait_profile(qtbot, page)
    assert not page.open_territory("departement", "00")
    assert page.territory.key == "departement:69"
    page._on_match_chosen(QModelIndex())  # nothing chosen: nothing happens
    assert page.territory.key == "departement:69"
