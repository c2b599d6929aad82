"""Stories in the Atelier: built from the map, edited, played in presentation, printed.

Real input events throughout: clicks on the panel's buttons and list, typing in its
fields, a click on the map's marker (``QTest`` on the web view's focus proxy), the
presenter's keys sent to the web view (a clicker sends PageUp/PageDown). What is
checked is what is drawn: the page's caption text, its extent and highlighted actors
read back, pixels of the highlight and the caption, and the handout's pages and text.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from PySide6.QtCore import QCoreApplication, QEvent, QPoint, QSize, Qt
from PySide6.QtGui import QColor, QImage, QKeyEvent
from PySide6.QtPdf import QPdfDocument
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QMessageBox

from companion.maps.filters import MapFilter
from companion.maps.stories import StoryStep, add_step, create_story, get_story, list_stories
from companion.store import Store
from companion.ui.map.scheme import register_scheme
from tests.french import fr

from .map_helpers import dispose, js, seq_of

QCoreApplication.setAttribute(Qt.ApplicationAttribute.AA_ShareOpenGLContexts)
register_scheme()

DRAW_TIMEOUT_MS = 60_000
LYON = (45.70, 4.77, 45.82, 4.92)
DIJON = (46.9, 4.3, 47.7, 5.8)
FRANCE = (41.0, -5.5, 51.5, 9.8)
STORY_STATUS = "JSON.stringify(companionMap.storyStatus())"
# The page is {width} wide and Leaflet has taken that size (and so fitted the step
# again): it does so a frame after the window's resize event.
SIZED = (
    "(function (m) {{ var c = m.getContainer(); return window.innerWidth === {width}"
    " && m.getSize().x === c.clientWidth && m.getSize().y === c.clientHeight; }})"
    "(companionMap.map())"
)


def amber(colour: QColor) -> bool:
    """The highlight's ring (#ffb300), as drawn or printed."""
    return colour.red() > 225 and 150 < colour.green() < 205 and colour.blue() < 50


def inside(outer, inner, slack: float = 0.0) -> bool:
    return (
        outer[0] <= inner[0] + slack
        and outer[1] <= inner[1] + slack
        and outer[2] >= inner[2] - slack
        and outer[3] >= inner[3] - slack
    )


@pytest.fixture
def actors(store: Store) -> dict[str, str]:
    ecole = store.add_actor(
        "École des Jardins",
        "association",
        latitude=45.764,
        longitude=4.836,
        commune="Lyon",
        departement="69",
        email="contact@ecole.example",
    )
    voisin = store.add_actor(
        "Maison Voisine", "association", latitude=45.750, longitude=4.850, departement="69"
    )
    fabrique = store.add_actor(
        "La Fabrique", "collectif", latitude=47.322, longitude=5.041, departement="21"
    )
    fondation = store.add_actor("Fondation Terres", "fondation", latitude=48.857, longitude=2.352)
    store.add_relation(fondation.id, ecole.id, "financement")
    store.add_relation(ecole.id, fabrique.id, "partenariat")
    return {"ecole": ecole.id, "voisin": voisin.id, "fabrique": fabrique.id,
            "fondation": fondation.id}  # fmt: skip


@pytest.fixture
def map_page(qtbot, store: Store, actors) -> Iterator:
    from companion.ui.map.page import MapPage

    page = MapPage(store)
    page.resize(1280, 860)
    page.show()
    page.activateWindow()  # focus and shortcuts as in an active window
    qtbot.waitUntil(page.isActiveWindow)
    qtbot.waitUntil(lambda: page.view.is_ready and page.view.is_drawn, timeout=DRAW_TIMEOUT_MS)
    yield page
    page.presentation.leave()
    dispose(qtbot, page)


def click(widget, pos: QPoint | None = None) -> None:
    QTest.mouseClick(widget, Qt.MouseButton.LeftButton, pos=pos or widget.rect().center())


def type_text(widget, text: str) -> None:
    """Key presses carrying ``text`` (QTest.keyClicks takes ASCII only)."""
    for char in text:
        if char == "\n":
            QTest.keyClick(widget, Qt.Key.Key_Return)
            continue
        for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
            QApplication.sendEvent(widget, QKeyEvent(kind, 0, Qt.KeyboardModifier.NoModifier, char))


def choose_in_menu(qtbot, button, action) -> None:
    """Press ``button`` (its menu pops up on the press), then click ``action`` in it."""
    menu = button.menu()
    QTest.mousePress(button, Qt.MouseButton.LeftButton, pos=button.rect().center())
    qtbot.waitUntil(menu.isVisible)
    QTest.mouseClick(menu, Qt.MouseButton.LeftButton, pos=menu.actionGeometry(action).center())
    qtbot.waitUntil(lambda: not menu.isVisible())


def story_status(qtbot, view) -> dict:
    return json.loads(js(qtbot, view, STORY_STATUS))


def page_bounds(qtbot, view) -> list[float]:
    return json.loads(js(qtbot, view, "JSON.stringify(companionMap.bounds())"))


def fit(qtbot, page, bounds) -> None:
    with qtbot.waitSignal(page.view.moved, timeout=10_000):
        page.view.fit_bounds(bounds)


def marker_point(qtbot, view, key: int) -> list[int] | None:
    return json.loads(js(qtbot, view, f"JSON.stringify(companionMap.markerPoint({key}))"))


def point_of(qtbot, view, lat: float, lon: float) -> list[int]:
    """Where a place is drawn in the page (CSS pixels), whether clustered or not."""
    code = (
        f"JSON.stringify((function (m) {{ var p = m.latLngToContainerPoint([{lat}, {lon}]);"
        " var r = m.getContainer().getBoundingClientRect();"
        " return [Math.round(r.left + p.x), Math.round(r.top + p.y)]; })(companionMap.map()))"
    )
    return json.loads(js(qtbot, view, code))


def grab_until(qtbot, view, condition, stable: int = 8) -> QImage:
    """The view's picture once ``condition(image)`` holds and the picture stays the same
    ``stable`` grabs in a row (grab() returns the last composited frame, which lags)."""
    shots: list[QImage] = []

    def ready() -> bool:
        image = view.grab().toImage()
        if not condition(image) or (shots and image != shots[-1]):
            shots.clear()
        if condition(image):
            shots.append(image)
        return len(shots) >= stable

    qtbot.waitUntil(ready, timeout=20_000)
    return shots[-1]


def rect_of(qtbot, view, selector: str) -> list[float]:
    code = (
        "JSON.stringify((function (r) { return [r.left, r.top, r.right, r.bottom]; })"
        f"(document.querySelector('{selector}').getBoundingClientRect()))"
    )
    return json.loads(js(qtbot, view, code))


def amber_near(image: QImage, point: list[int], radius: int = 30) -> int:
    ratio = image.devicePixelRatio()
    found = 0
    for dy in range(-radius, radius + 1, 2):
        for dx in range(-radius, radius + 1, 2):
            x, y = round((point[0] + dx) * ratio), round((point[1] + dy) * ratio)
            if 0 <= x < image.width() and 0 <= y < image.height():
                found += amber(image.pixelColor(x, y))
    return found


def steps_of(store: Store, story_id: str) -> list[StoryStep]:
    return list(get_story(store, story_id).steps)


def test_a_story_is_built_from_the_map_and_edited_in_the_atelier(
    qtbot, map_page, store, actors
) -> None:
    page, panel, view = map_page, map_page.stories, map_page.view
    assert panel.isVisible() and not panel.add_button.isEnabled()  # no story yet

    click(panel.new_button)
    dialog = panel.dialog
    assert dialog is not None and dialog.isVisible()
    type_text(dialog.name, "Atelier du 14 mars")
    QTest.keyClick(dialog.name, Qt.Key.Key_Return)
    [story] = list_stories(store)
    assert story.name == "Atelier du 14 mars" and panel.stories.currentText() == story.name
    page.activateWindow()  # the offscreen platform does not give it back after a dialog
    qtbot.waitUntil(page.isActiveWindow)

    # Step 1: the associations around Lyon, École's card open (a click on its marker).
    with qtbot.waitSignal(view.applied, timeout=DRAW_TIMEOUT_MS):
        page.panel.set_filter(MapFilter(kinds=frozenset({"association", "collectif"})))
    fit(qtbot, page, LYON)
    key = seq_of(store, actors["ecole"])
    qtbot.waitUntil(lambda: marker_point(qtbot, view, key) is not None, timeout=10_000)
    with qtbot.waitSignal(view.actor_opened, timeout=10_000):
        click(view.focusProxy(), QPoint(*marker_point(qtbot, view, key)))
    click(panel.add_button)
    qtbot.waitUntil(lambda: len(steps_of(store, story.id)) == 1, timeout=10_000)
    [first] = steps_of(store, story.id)
    assert first.actors == (actors["ecole"],)
    assert first.filter == MapFilter(kinds=frozenset({"association", "collectif"}))
    assert first.bounds == view.bounds and inside(first.bounds, LYON, slack=0.01)
    assert panel.title.hasFocus()  # ready to be named
    type_text(panel.title, "Les jardins lyonnais")
    click(panel.text)
    type_text(panel.text, "Trois écoles\nune fondation")
    qtbot.waitUntil(lambda: steps_of(store, story.id)[0].text == "Trois écoles\nune fondation")
    assert steps_of(store, story.id)[0].title == "Les jardins lyonnais"
    assert panel.steps.item(0).text() == "1. Les jardins lyonnais"
    assert "École des Jardins" in panel.highlights.text()

    # Step 2: the whole of France, no card open: nothing highlighted.
    js(qtbot, view, "companionMap.map().closePopup(); 1")
    fit(qtbot, page, FRANCE)
    click(panel.add_button)
    qtbot.waitUntil(lambda: len(steps_of(store, story.id)) == 2, timeout=10_000)
    assert steps_of(store, story.id)[1].actors == ()
    type_text(panel.title, "La France")
    QTest.keyClick(panel.title, Qt.Key.Key_Tab)  # leaving the field saves at once
    assert steps_of(store, story.id)[1].title == "La France"

    # Reorder: step 2 up.
    click(panel.up_button)
    assert [s.title for s in steps_of(store, story.id)] == ["La France", "Les jardins lyonnais"]
    assert [panel.steps.item(r).text() for r in range(panel.steps.count())] == [
        "1. La France",
        "2. Les jardins lyonnais",
    ]
    assert panel.steps.currentRow() == 0 and not panel.up_button.isEnabled()

    # A step clicked in the list shows on the map: its extent, its highlighted actor.
    rect = panel.steps.visualItemRect(panel.steps.item(1))
    with qtbot.waitSignal(view.moved, timeout=10_000):
        click(panel.steps.viewport(), rect.center())
    qtbot.waitUntil(lambda: story_status(qtbot, view)["actors"] == [key], timeout=10_000)
    assert inside(page_bounds(qtbot, view), LYON, slack=0.02)
    assert story_status(qtbot, view)["links"] == 1  # École–Fabrique (the fondation is hidden)
    assert not story_status(qtbot, view)["captionVisible"]  # the caption is for presentation
    assert panel.title.text() == "Les jardins lyonnais"

    # Deleting asks first; « Annuler » keeps the step.
    click(panel.delete_step_button)
    box = panel.confirmation
    assert isinstance(box, QMessageBox) and "Les jardins lyonnais" in box.text()
    click(box.button(QMessageBox.StandardButton.No))
    assert len(steps_of(store, story.id)) == 2
    click(panel.delete_step_button)
    click(panel.confirmation.button(QMessageBox.StandardButton.Yes))
    assert [s.title for s in steps_of(store, story.id)] == ["La France"]
    assert store.journal.last().label == fr("Supprimer l'étape « Les jardins lyonnais »")


def test_a_story_is_shared_renamed_and_deleted_from_its_menu(qtbot, map_page, store) -> None:
    panel = map_page.stories
    story = create_story(store, "Brouillon")
    add_step(store, story.id, StoryStep(title="Un", bounds=LYON))
    panel.refresh(select=story.id)
    messages: list[str] = []
    panel.status_message.connect(messages.append)

    choose_in_menu(qtbot, panel.more_button, panel.share_action)
    assert get_story(store, story.id).shared and panel.share_action.isChecked()
    assert messages[-1] == fr("Le récit « Brouillon » sera partagé à la prochaine synchronisation.")

    choose_in_menu(qtbot, panel.more_button, panel.rename_action)
    dialog = panel.dialog
    assert dialog is not None and dialog.isVisible() and dialog.name.text() == "Brouillon"
    dialog.name.clear()
    type_text(dialog.name, "Notre quartier")
    QTest.keyClick(dialog.name, Qt.Key.Key_Return)
    assert get_story(store, story.id).name == "Notre quartier"
    assert panel.stories.currentText() == "Notre quartier"

    choose_in_menu(qtbot, panel.more_button, panel.delete_story_action)
    box = panel.confirmation
    assert isinstance(box, QMessageBox) and "Notre quartier" in box.text()
    click(box.button(QMessageBox.StandardButton.Yes))
    assert list_stories(store) == [] and panel.stories.count() == 0
    assert not panel.add_button.isEnabled() and not panel.play_button.isEnabled()
    assert messages[-1] == fr("Supprimer le récit « Notre quartier » — Ctrl+Z pour annuler")


def test_a_deleted_step_comes_back_with_ctrl_z(qtbot, network) -> None:
    from companion.ui.shell.main_window import MAP

    from .conftest import make_window

    store = network.store
    story = create_story(store, "Tournée")
    for title in ("Un", "Deux"):
        add_step(store, story.id, StoryStep(title=title, bounds=LYON))
    window = make_window(qtbot, network)
    window.show_section(MAP)
    page = window.map_page
    qtbot.waitUntil(lambda: page.view.is_ready, timeout=DRAW_TIMEOUT_MS)
    panel = page.stories
    assert panel.steps.count() == 2
    click(panel.delete_step_button)  # the first step is selected
    click(panel.confirmation.button(QMessageBox.StandardButton.Yes))
    assert panel.steps.count() == 1
    QTest.keyClick(window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert [s.title for s in steps_of(store, story.id)] == ["Un", "Deux"]
    assert [panel.steps.item(r).text() for r in range(panel.steps.count())] == ["1. Un", "2. Deux"]
    dispose(qtbot, window)


@pytest.fixture
def story(store: Store, actors) -> str:
    made = create_story(store, "Notre territoire")
    add_step(
        store,
        made.id,
        StoryStep(
            title="Les jardins lyonnais",
            text="Trois écoles partagent leurs jardins.\nUne fondation les soutient.",
            filter=MapFilter(),
            bounds=LYON,
            actors=(actors["ecole"],),
        ),
    )
    add_step(
        store,
        made.id,
        StoryStep(
            title="La Fabrique de Dijon",
            text="Un tiers-lieu.",
            filter=MapFilter(kinds=frozenset({"collectif"})),
            bounds=DIJON,
        ),
    )
    add_step(store, made.id, StoryStep(title="Toute la France", bounds=FRANCE))
    return made.id


def test_presenting_a_story_steps_through_it_with_the_presenters_keys(
    qtbot, map_page, store, actors, story, tmp_path
) -> None:
    page, view = map_page, map_page.view
    # A twin at École's address: the two never leave their cluster.
    store.add_actor("Jumelle", "association", latitude=45.764, longitude=4.836)
    with qtbot.waitSignal(view.applied, timeout=DRAW_TIMEOUT_MS):
        page.refresh()
    page.stories.refresh(select=story)
    key = seq_of(store, actors["ecole"])
    click(page.stories.play_button)
    assert page.presentation.active and page.window().isFullScreen() and page.side.isHidden()
    banner = "document.getElementById('companion-banner').textContent"
    assert js(qtbot, view, banner) == "Notre territoire"

    def shows(counter: str) -> bool:
        return story_status(qtbot, view)["caption"].startswith(counter)

    qtbot.waitUntil(lambda: shows("1 / 3"), timeout=10_000)
    status = story_status(qtbot, view)
    assert status["captionVisible"] and status["actors"] == [key] and status["links"] == 2
    assert "Les jardins lyonnais" in status["caption"]
    assert "Une fondation les soutient." in status["caption"]
    # Fitted to the step once the page has its full-screen size, above the caption.
    screen = page.screen().geometry().size()
    qtbot.waitUntil(lambda: view.width() == screen.width(), timeout=10_000)
    sized = SIZED.format(width=view.width())
    qtbot.waitUntil(lambda: js(qtbot, view, sized) is True, timeout=10_000)
    qtbot.waitUntil(lambda: inside(page_bounds(qtbot, view), LYON, slack=0.01), timeout=10_000)
    point = point_of(qtbot, view, 45.764, 4.836)  # École, in a cluster at this size
    # Drawn: the amber ring around École, the caption's white box with its amber edge.
    caption = rect_of(qtbot, view, ".companion-story-caption")
    assert not (caption[0] <= point[0] <= caption[2] and caption[1] <= point[1] <= caption[3])

    def drawn(image: QImage) -> bool:
        ratio = image.devicePixelRatio()
        inner = image.pixelColor(round((caption[2] - 8) * ratio), round((caption[3] - 6) * ratio))
        edge = image.pixelColor(round((caption[0] + 3) * ratio), round((caption[1] + 20) * ratio))
        return amber_near(image, point) > 10 and inner.lightness() > 235 and amber(edge)

    grab_until(qtbot, view, drawn).save(str(tmp_path / "story-step-1.png"))
    # École's name: near its ring but clear of it, on screen, clear of the map's boxes.
    name = rect_of(qtbot, view, ".companion-story-name-text")
    assert abs((name[0] + name[2]) / 2 - point[0]) < 300 and abs(name[1] - point[1]) < 80
    assert not (name[0] < point[0] + 18 and name[2] > point[0] - 18 and name[1] < point[1] + 18
                and name[3] > point[1] - 18)  # fmt: skip
    assert 0 <= name[0] and name[2] <= view.width() and 0 <= name[1]
    for other in (rect_of(qtbot, view, ".companion-legend"), caption):
        assert name[2] < other[0] or name[0] > other[2] or name[3] < other[1] or name[1] > other[3]

    # A highlighted actor answers a click, even inside its cluster: its card opens.
    assert marker_point(qtbot, view, key) is None
    with qtbot.waitSignal(view.actor_opened, timeout=10_000) as opened:
        click(view.focusProxy(), QPoint(*point))
    assert opened.args == [actors["ecole"]]

    target = view.focusProxy() or view
    steps = [
        (Qt.Key.Key_PageDown, "2 / 3", DIJON, []),
        (Qt.Key.Key_Space, "3 / 3", FRANCE, []),
        (Qt.Key.Key_Right, "3 / 3", FRANCE, []),  # past the last step: stays
        (Qt.Key.Key_PageUp, "2 / 3", DIJON, []),
        (Qt.Key.Key_Left, "1 / 3", LYON, [key]),
    ]
    for pressed, counter, box, highlighted in steps:
        QTest.keyClick(target, pressed)
        qtbot.waitUntil(lambda c=counter: shows(c), timeout=10_000)
        qtbot.waitUntil(
            lambda b=box: inside(page_bounds(qtbot, view), b, slack=0.05), timeout=10_000
        )
        assert story_status(qtbot, view)["actors"] == highlighted
    assert page.presentation.step_index == 0

    # The window's shortcuts carry the keys when the page does not have the focus.
    page.setFocus()
    QTest.keyClick(page, Qt.Key.Key_PageDown)
    qtbot.waitUntil(lambda: shows("2 / 3"), timeout=10_000)

    QTest.keyClick(target, Qt.Key.Key_Escape)
    assert page.stories.steps.currentRow() == 1  # the panel follows: step 2 was on screen
    assert not page.presentation.active and not page.window().isFullScreen()
    status = story_status(qtbot, view)
    assert not status["shown"] and status["actors"] == [] and not status["captionVisible"]
    assert page.side.isVisible()


CAPTION_BOX = (
    "JSON.stringify((function (e) { var r = e.getBoundingClientRect();"
    " return {w: r.width, h: r.height, title: parseFloat("
    "getComputedStyle(e.querySelector('.companion-story-title')).fontSize),"
    " text: parseFloat(getComputedStyle(e.querySelector('.companion-story-text')).fontSize),"
    " overflow: e.scrollHeight > e.clientHeight + 1}; })"
    "(document.querySelector('.companion-story-caption')))"
)


@pytest.mark.parametrize("size", [QSize(1920, 1080), QSize(1366, 768)])
def test_the_caption_fits_a_projector_and_a_laptop(qtbot, map_page, store, story, size) -> None:
    page, view = map_page, map_page.view
    store.set_setting("presentation.full_screen", "0")  # the size is the test's
    page.resize(size)
    page.presentation.play(get_story(store, story))
    qtbot.waitUntil(lambda: story_status(qtbot, view)["captionVisible"], timeout=10_000)
    sized = SIZED.format(width=size.width())
    qtbot.waitUntil(lambda: js(qtbot, view, sized) is True, timeout=10_000)
    box = json.loads(js(qtbot, view, CAPTION_BOX))
    assert box["title"] >= 32 and box["text"] >= 24  # readable from the back of a room
    assert box["w"] <= 0.5 * size.width() and box["h"] <= 0.36 * size.height()
    assert not box["overflow"]  # the whole text shows
    # The step fits beside the caption, as large as without it on a wide screen.
    qtbot.waitUntil(lambda: inside(page_bounds(qtbot, view), LYON, slack=0.01), timeout=10_000)
    left = json.loads(
        js(qtbot, view, "JSON.stringify(companionMap.map().latLngToContainerPoint([45.70, 4.77]))")
    )
    assert left["x"] >= rect_of(qtbot, view, ".companion-story-caption")[2]

    # A long text is written smaller until the caption holds it whole.
    long_text = " ".join(["Une alliance de quartier, ses jardins et ses écoles."] * 12)
    view.show_story({"title": "Un long récit", "text": long_text, "counter": "1 / 1",
                     "actors": [], "links": []})  # fmt: skip
    qtbot.waitUntil(lambda: "Un long récit" in story_status(qtbot, view)["caption"])
    box = json.loads(js(qtbot, view, CAPTION_BOX))
    assert not box["overflow"] and 24 * 0.6 <= box["text"] < 24
    assert box["h"] <= 0.5 * size.height()


def test_the_handout_has_one_page_per_step(qtbot, map_page, store, story, tmp_path) -> None:
    panel = map_page.stories
    panel.refresh(select=story)
    out = tmp_path / "livret.pdf"
    messages: list[str] = []
    panel.status_message.connect(messages.append)
    handout = panel.export_handout(out)
    assert handout is not None and panel.handout_progress.isVisible()
    qtbot.waitUntil(lambda: handout.outcome != "", timeout=120_000)
    assert handout.outcome == "succeeded", handout.error
    document = QPdfDocument()
    assert document.load(str(out)) == QPdfDocument.Error.None_
    assert document.pageCount() == 3
    texts = [" ".join(document.getAllText(n).text().split()) for n in range(3)]
    assert "Étape 1 / 3" in texts[0] and "Les jardins lyonnais" in texts[0]
    assert "Trois écoles partagent leurs jardins." in texts[0]
    assert "Récit : Notre territoire" in texts[0]
    assert "Étape 2 / 3" in texts[1] and "Un tiers-lieu." in texts[1]
    assert "Étape 3 / 3" in texts[2] and "Toute la France" in texts[2]
    assert all("@" not in text for text in texts)  # no contacts on paper
    size = document.pagePointSize(0)
    assert size.height() > size.width()  # A4 portrait
    page_one = document.render(0, QSize(827, 1170))
    page_two = document.render(1, QSize(827, 1170))
    page_one.save(str(tmp_path / "livret-1.png"))
    # The map is drawn (many colours), and École's amber ring on step 1 only.
    map_band = range(150, 650)

    def ambers(image: QImage) -> int:
        return sum(amber(image.pixelColor(x, y)) for y in map_band for x in range(40, 790, 2))

    assert ambers(page_one) > 20 and ambers(page_two) == 0
    colours = {page_one.pixel(x, y) for y in map_band[::7] for x in range(40, 790, 7)}
    assert len(colours) > 30
    assert messages == [fr(f"Livret écrit : {out}")] and not panel.error.isVisible()
    assert panel.handout is None and not panel.handout_progress


def test_the_handout_asked_for_is_offered_to_open(
    qtbot, map_page, story, tmp_path, monkeypatch
) -> None:
    """« Exporter le livret… »: the name asked (« .pdf » added), then « Ouvrir » / « Afficher
    dans le dossier » once written (tests/ui/test_saved_file.py clicks them)."""
    from PySide6.QtWidgets import QFileDialog

    from companion.ui.map import stories_panel

    panel = map_page.stories
    panel.refresh(select=story)
    chosen = tmp_path / "livret-atelier"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *_a, **_k: (str(chosen), ""))
    offered: list = []
    monkeypatch.setattr(stories_panel, "offer_to_open", lambda *args: offered.append(args[2]))
    handout = panel.ask_handout()
    assert handout is not None
    qtbot.waitUntil(lambda: handout.outcome != "", timeout=120_000)
    qtbot.waitUntil(lambda: panel.handout is None)
    assert offered == [tmp_path / "livret-atelier.pdf"]


def test_the_handout_can_be_cancelled(qtbot, map_page, story, tmp_path) -> None:
    panel = map_page.stories
    panel.refresh(select=story)
    out = tmp_path / "livret.pdf"
    handout = panel.export_handout(out)
    progress = panel.handout_progress
    qtbot.waitUntil(lambda: progress.value() >= 1, timeout=60_000)  # drawing the first map
    [cancel] = [b for b in progress.findChildren(type(panel.play_button)) if b.text() == "Annuler"]
    with qtbot.waitSignal(handout.finished, timeout=60_000):
        click(cancel)
    assert handout.outcome == "cancelled"
    assert not out.exists() and list(tmp_path.glob("*livret*")) == []
    assert panel.handout is None
