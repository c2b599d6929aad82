"""Right-click on the map, "Ajouter un acteur ici": the form, the store, the map, the directory."""

from __future__ import annotations

from needs import require_gazetteer
from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtTest import QTest

from companion.geo.gazetteer import Gazetteer, GazetteerMissing
from companion.store import Store
from companion.ui.map.scheme import register_scheme

from .map_helpers import dispose, js

QCoreApplication.setAttribute(Qt.ApplicationAttribute.AA_ShareOpenGLContexts)
register_scheme()

DRAW_TIMEOUT_MS = 60_000
LYON = (45.764, 4.8357)


def gazetteer_or_skip() -> Gazetteer:
    return require_gazetteer()


def right_click_in_page(qtbot, page, lat: float, lon: float):
    """What a right click at (lat, lon) does in the page: Leaflet's contextmenu event."""
    page.context_menu = None
    js(
        qtbot,
        page.view,
        f"companionMap.map().fire('contextmenu', {{latlng: L.latLng({lat}, {lon})}}); 1",
    )
    qtbot.waitUntil(lambda: page.context_menu is not None)
    action = page.context_menu.actions()[0]  # then "Fiche territoire : …" (territory tests)
    assert action.text() == "Ajouter un acteur ici"
    return action


def test_right_click_adds_an_actor_without_reloading_the_page(qtbot, network) -> None:
    from companion.ui.shell.main_window import MAP, MainWindow

    gazetteer_or_skip().close()
    store: Store = network.store
    store.update_actor(network.ids["mairie"], latitude=48.39, longitude=-4.49)
    window = MainWindow(store)
    window.show()
    window.show_section(MAP)
    page = window.map_page
    view = page.view
    qtbot.waitUntil(lambda: view.is_ready and view.is_drawn, timeout=DRAW_TIMEOUT_MS)
    before = js(qtbot, view, "companionMapStatus.visible")
    directory_rows = window.directory.model.rowCount()
    loads: list[bool] = []
    view.loadStarted.connect(lambda: loads.append(True))
    js(qtbot, view, "window.__sameDocument = 42; 1")

    right_click_in_page(qtbot, page, *LYON).trigger()
    form = page.actor_form
    assert form is not None and form.isVisible()
    place = form.commune_edit.text()
    assert place.startswith("Lyon") and place.endswith("(69)"), place
    commune = form.commune
    assert commune.insee == "69123" or commune.parent_insee == "69123"

    # Nothing typed: the error shows in the dialog, which stays open; nothing saved.
    form.accept()
    assert form.isVisible() and form.error.isVisible()
    assert form.error.text() == "Le nom de l'acteur est obligatoire."
    assert store.count_actors() == 4

    form.name.setText("Maison des Canuts")
    form.kind.setCurrentIndex(form.kind.findData("collectif"))
    form.description.setPlainText("Atelier de tissage partagé.")
    form.visibility.setCurrentIndex(form.visibility.findData("private"))
    with qtbot.waitSignal(view.applied, timeout=DRAW_TIMEOUT_MS) as blocker:
        form.accept()
    assert page.actor_form is None
    [added] = store.actors("canuts")
    assert (added.latitude, added.longitude) == LYON
    assert added.kind == "collectif" and added.visibility == "private"
    assert added.commune == commune.name and added.departement == "69"
    assert added.insee_code == commune.insee and added.postcode.startswith("690")
    assert added.description == "Atelier de tissage partagé."

    assert blocker.args[0]["visible"] == before + 1
    assert js(qtbot, view, "companionMapStatus.visible") == before + 1
    assert js(qtbot, view, "window.__sameDocument") == 42 and loads == []
    assert window.directory.model.rowCount() == directory_rows + 1

    # Cancel saves nothing.
    right_click_in_page(qtbot, page, 45.75, 4.85).trigger()
    page.actor_form.name.setText("Jamais enregistré")
    page.actor_form.reject()
    assert store.actors("jamais") == []
    dispose(qtbot, window)


def test_the_commune_can_be_typed_and_homonyms_are_listed(qtbot, store) -> None:
    from companion.ui.directory.actor_form import ActorForm

    gazetteer = gazetteer_or_skip()
    form = ActorForm(store, 47.322, 5.041, gazetteer)
    qtbot.addWidget(form)
    assert form.commune_edit.text() == "Dijon (21)"

    form.commune_edit.clear()
    QTest.keyClicks(form.commune_edit, "Saint-Denis")
    listed = [form.matches.item(row).text() for row in range(form.matches.count())]
    assert form.matches.isVisible() or listed
    assert any(text.startswith("Saint-Denis (93)") for text in listed)
    assert any(text.startswith("Saint-Denis (974)") for text in listed)
    assert form.commune is None
    form.name.setText("Collectif du canal")
    form.accept()
    assert form.result() == 0 and "choisissez" in form.error.text()
    assert store.count_actors() == 0
    reunion = next(i for i in range(form.matches.count()) if "(974)" in form.matches.item(i).text())
    form.matches.itemClicked.emit(form.matches.item(reunion))
    assert form.commune_edit.text() == "Saint-Denis (974)"

    form.commune_edit.clear()
    QTest.keyClicks(form.commune_edit, "21000")
    assert [c.name for c in form.candidates()] == ["Dijon"]
    form.accept()  # one candidate: taken
    [actor] = store.actors("collectif canal")
    assert actor.commune == "Dijon" and actor.postcode == "21000" and actor.departement == "21"
    assert (actor.latitude, actor.longitude) == (47.322, 5.041)

    form = ActorForm(store, 47.3, 5.0, gazetteer)
    qtbot.addWidget(form)
    form.name.setText("Nulle part")
    form.commune_edit.setText("Zzzzyx")
    form.commune_edit.textEdited.emit("Zzzzyx")
    form.accept()
    assert "Commune inconnue" in form.error.text() and form.result() == 0
    gazetteer.close()


def test_without_the_gazetteer_the_form_still_works(qtbot, store, monkeypatch, tmp_path) -> None:
    from companion.ui.directory import actor_form

    missing = tmp_path / "absent.sqlite"

    def absent(*_args, **_kwargs):
        raise GazetteerMissing(missing)

    monkeypatch.setattr(actor_form.Gazetteer, "open", absent)
    gazetteer, notice = actor_form.open_gazetteer()
    assert gazetteer is None and "Communes indisponibles" in notice
    form = actor_form.ActorForm(store, *LYON, gazetteer, notice)
    qtbot.addWidget(form)
    form.show()
    assert form.notice.isVisible() and "introuvables" in form.notice.text()
    assert form.commune_edit.text() == "" and not form.commune_edit.isEnabled()
    form.name.setText("Sans commune")
    form.accept()
    [actor] = store.actors("sans commune")
    assert actor.commune is None and actor.insee_code is None
    assert (actor.latitude, actor.longitude) == LYON


def test_a_real_right_click_opens_the_menu(qtbot, store) -> None:
    from companion.ui.map.page import MapPage

    page = MapPage(store)
    page.resize(900, 600)
    page.show()
    qtbot.waitUntil(lambda: page.view.is_ready and page.view.is_drawn, timeout=DRAW_TIMEOUT_MS)
    target = page.view.focusProxy() or page.view
    with qtbot.waitSignal(page.view.context_requested, timeout=10_000) as blocker:
        QTest.mouseClick(target, Qt.MouseButton.RightButton, pos=target.rect().center())
    lat, lon = blocker.args
    assert 41 < lat < 52 and -6 < lon < 10  # somewhere in France, the start view
    assert page.context_menu is not None
    page.context_menu.close()
    dispose(qtbot, page)


def test_an_empty_map_says_what_it_shows_and_how_to_fill_it(qtbot, store) -> None:
    from .map_helpers import drawn_map_page

    register_scheme()
    page = drawn_map_page(qtbot, store)
    try:
        assert page.empty_notice.isVisible()
        with qtbot.waitSignal(page.import_requested):
            QTest.mouseClick(page.empty_import_button, Qt.MouseButton.LeftButton)
        store.add_actor("Premier acteur", "association", latitude=45.76, longitude=4.83)
        page.refresh()
        assert not page.empty_notice.isVisible()
    finally:
        dispose(qtbot, page)
