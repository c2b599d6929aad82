"""Presentation mode for workshops: the map full screen, large text, saved views in turn.

Right/PageDown/Space and Left/PageUp (what presenter remotes send) step through the
saved views, or through a story's steps when one is played (``play``): each step's
map, its highlighted actors and its caption; Esc leaves and puts the window back as
it was. Two paths carry
the keys, because the web view keeps arrows and page keys for the page: when
the page has the focus, its script takes them (Leaflet would pan) and reports
them through the bridge; elsewhere, window shortcuts do. No application-wide
event filter: under PySide 6.12 one crashes the interpreter once QtWebEngine runs.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QWidget

from companion.maps.stories import Story
from companion.maps.views import list_views

if TYPE_CHECKING:
    from PySide6.QtWidgets import QAbstractButton, QLineEdit

    from companion.maps.views import MapView as SavedView
    from companion.store import Store
    from companion.ui.map.view import MapView

# Presentation defaults, set in the preferences (ui/shell/settings_dialog.py).
FULL_SCREEN_SETTING = "presentation.full_screen"
TITLE_SETTING = "presentation.default_title"
KEYS = {
    "next": (Qt.Key.Key_Right, Qt.Key.Key_PageDown, Qt.Key.Key_Space),
    "previous": (Qt.Key.Key_Left, Qt.Key.Key_PageUp),
    "leave": (Qt.Key.Key_Escape,),
}


class PresentedPage(Protocol):
    """The map page as presentation mode sees it (``ui/map/page.py``'s ``MapPage``, a
    QWidget: the actions are added to it, its window goes full screen)."""

    store: Store
    view: MapView
    side: QWidget  # the filter drawer, hidden while presenting
    top_bar: QWidget
    title_edit: QLineEdit
    drawer_button: QAbstractButton
    contacts: QAbstractButton  # « Afficher les coordonnées »: off while presenting
    current_view_id: str | None

    def apply_view(self, saved: SavedView) -> None: ...
    def show_story_step(self, story: Story, index: int) -> None: ...
    def clear_story(self) -> None: ...
    def addAction(self, action: QAction) -> None: ...  # noqa: N802 (Qt's)
    def window(self) -> QWidget: ...


class Presentation(QObject):
    """Enters and leaves presentation mode for one map page."""

    changed = Signal(bool)  # on/off: the main window hides or shows its own chrome

    def __init__(self, page: PresentedPage) -> None:
        super().__init__(page)
        self.page = page
        self.active = False
        self.story: Story | None = None  # the story played, if any
        self.step_index = 0
        self._window: QWidget | None = None
        self._window_state = Qt.WindowState.WindowNoState
        self.actions: list[QAction] = []
        for name, keys in KEYS.items():
            action = QAction(page)
            action.setShortcuts([QKeySequence(key) for key in keys])
            action.setEnabled(False)
            action.triggered.connect(lambda _checked=False, n=name: self.handle(n))
            page.addAction(action)
            self.actions.append(action)
        page.view.presenter_key.connect(self.handle)

    def enter(self) -> None:
        """Full screen, side panel hidden, presentation style, no contact details."""
        if self.active:
            return
        self.active = True
        page = self.page
        page.contacts.setChecked(False)  # personal data: off, whatever it was
        page.side.hide()
        page.top_bar.hide()
        self.changed.emit(True)
        window = page.window()
        self._window = window
        self._window_state = window.windowState()
        store = page.store
        if store.setting(FULL_SCREEN_SETTING, "1") == "1":  # Préférences › Présentation
            window.showFullScreen()
        title = page.title_edit.text().strip() or (store.setting(TITLE_SETTING, "") or "")
        page.view.set_presentation(True, title)
        for action in self.actions:
            action.setEnabled(True)
        page.view.setFocus()

    def leave(self) -> None:
        """Back to the page and the window as they were."""
        if not self.active:
            return
        self.active = False
        for action in self.actions:
            action.setEnabled(False)
        page = self.page
        page.view.set_presentation(False, page.title_edit.text().strip())
        if self.story is not None:
            self.story = None
            page.clear_story()
        window = self._window or page.window()
        window.setWindowState(self._window_state)
        page.top_bar.show()
        page.side.setVisible(page.drawer_button.isChecked())  # the drawer as it was
        self.changed.emit(False)

    def play(self, story: Story, index: int = 0) -> None:
        """Present ``story`` from step ``index``: its name in the banner, its steps in turn."""
        if not story.steps:
            return
        self.story = story
        self.enter()
        self.page.view.set_title(story.name)
        self.show_step(max(0, min(index, len(story.steps) - 1)))

    def show_step(self, index: int) -> None:
        assert self.story is not None
        self.step_index = index
        self.page.show_story_step(self.story, index)

    def step(self, delta: int) -> None:
        """Apply the next (+1) or previous (-1) saved view or story step; nothing past
        either end."""
        if self.story is not None:
            index = max(0, min(len(self.story.steps) - 1, self.step_index + delta))
            if index != self.step_index:
                self.show_step(index)
            return
        views = list_views(self.page.store)
        if not views:
            return
        ids = [view.id for view in views]
        current = self.page.current_view_id
        if current in ids:
            index = max(0, min(len(views) - 1, ids.index(current) + delta))
            if ids[index] == current:
                return
        else:
            index = 0 if delta > 0 else len(views) - 1
        self.page.apply_view(views[index])

    def handle(self, action: str) -> None:
        """A presenter's key: "next", "previous" or "leave" (ignored outside presentation)."""
        if not self.active:
            return
        if action == "leave":
            self.leave()
        elif action in ("next", "previous"):
            self.step(1 if action == "next" else -1)
