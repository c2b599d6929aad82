"""The main window: a sidebar of sections and the page of the chosen section."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QSize, Qt, QTimer
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QStackedWidget,
    QWidget,
)

from companion.i18n import _, ngettext
from companion.store import Store
from companion.ui.directory_page import DirectoryPage
from companion.ui.formatting import format_number
from companion.ui.icons import icon
from companion.ui.placeholder_page import PlaceholderPage

if TYPE_CHECKING:
    from companion.ui.map_page import MapPage

MAP, DIRECTORY, TOOLBOX, SYNC = range(4)


def _sections() -> list[tuple[str, str]]:
    """(title, qtawesome icon) of each section, in sidebar order."""
    return [
        (_("Carte"), "fa5s.map-marked-alt"),
        (_("Annuaire"), "fa5s.address-book"),
        (_("Boîte à outils"), "fa5s.toolbox"),
        (_("Synchronisation"), "fa5s.sync"),
    ]


class MainWindow(QMainWindow):
    """Companion's window over one open store."""

    def __init__(self, store: Store, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.store = store
        self.setWindowTitle("Companion")
        self.resize(1200, 760)

        self.directory = DirectoryPage(store)
        self.pages = QStackedWidget()
        # The map page loads QtWebEngine (about 0.2 s): it is built the first time
        # the Carte section is shown; until then this stands in for it.
        self.map_page: MapPage | None = None
        self.pages.addWidget(PlaceholderPage(_("Carte"), _("Chargement de la carte des acteurs…")))
        self.pages.addWidget(self.directory)
        self.pages.addWidget(
            PlaceholderPage(
                _("Boîte à outils"),
                _(
                    "La boîte à outils arrive bientôt : fiches méthode, modèles de documents "
                    "et guides d'animation, disponibles même sans connexion."
                ),
            )
        )
        self.pages.addWidget(
            PlaceholderPage(
                _("Synchronisation"),
                _(
                    "La synchronisation arrive bientôt : vous travaillerez hors ligne et "
                    "partagerez vos fiches avec le réseau dès qu'une connexion est disponible."
                ),
            )
        )
        self.sidebar = self._build_sidebar()

        central = QWidget()
        layout = QHBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.sidebar)
        layout.addWidget(self.pages, 1)
        self.setCentralWidget(central)

        self._add_shortcuts()
        self.status_label = QLabel()
        self.status_label.setTextFormat(Qt.TextFormat.PlainText)
        self.statusBar().addWidget(self.status_label, 1)
        # The counts scan whole tables (about 10 ms on the demo): fill the status
        # bar just after the window appears rather than delay its first paint.
        QTimer.singleShot(0, self.update_status)
        self.show_section(DIRECTORY)

    def _build_sidebar(self) -> QListWidget:
        sidebar = QListWidget()
        sidebar.setIconSize(QSize(22, 22))
        sidebar.setSpacing(2)
        for title, icon_name in _sections():
            item = QListWidgetItem(icon(icon_name), title)
            item.setSizeHint(QSize(0, 40))
            sidebar.addItem(item)
        widest = max(sidebar.fontMetrics().horizontalAdvance(title) for title, _icon in _sections())
        sidebar.setFixedWidth(widest + sidebar.iconSize().width() + 48)
        sidebar.currentRowChanged.connect(self._on_section_changed)
        return sidebar

    def _on_section_changed(self, index: int) -> None:
        if index == MAP and self.map_page is None:
            self._create_map_page()
        self.pages.setCurrentIndex(index)

    def _create_map_page(self) -> None:
        from companion.ui.map_page import MapPage  # loads QtWebEngine: only now

        self.map_page = MapPage(self.store)
        self.map_page.actor_activated.connect(self.open_actor)
        self.map_page.actor_added.connect(self._on_actor_added)
        self.map_page.presentation.changed.connect(self._on_presentation)
        placeholder = self.pages.widget(MAP)
        self.pages.insertWidget(MAP, self.map_page)
        self.pages.removeWidget(placeholder)
        placeholder.deleteLater()

    def _on_actor_added(self, _actor_id: str) -> None:
        self.directory.refresh()
        self.update_status()

    def _on_presentation(self, on: bool) -> None:
        """Presentation mode: only the map shows (the map page handles full screen)."""
        self.sidebar.setVisible(not on)
        self.statusBar().setVisible(not on)

    def open_actor(self, actor_id: str) -> None:
        """Show an actor in the directory: searched by name, selected, its card open."""
        actor = self.store.get_actor(actor_id)
        if actor is None:
            return
        self.show_section(DIRECTORY)
        directory = self.directory
        directory.search_box.setText(actor.name)
        directory.apply_search()
        directory.model.actor_at(0)  # reads the first page of results
        row = directory.model.row_of(actor_id)
        if row is not None:
            directory.table.selectRow(row)
            directory.table.scrollTo(directory.model.index(row, 0))
        directory.card.show_actor(actor_id)

    def _add_shortcuts(self) -> None:
        for number in range(4):
            action = QAction(self)
            action.setShortcut(QKeySequence(f"Ctrl+{number + 1}"))
            action.triggered.connect(lambda _checked=False, n=number: self.show_section(n))
            self.addAction(action)
        find = QAction(self)
        find.setShortcut(QKeySequence(QKeySequence.StandardKey.Find))
        find.triggered.connect(self.find_actor)
        self.addAction(find)
        quit_action = QAction(_("Quitter"), self)
        quit_action.setShortcut(QKeySequence("Ctrl+Q"))
        quit_action.triggered.connect(QApplication.quit)
        self.addAction(quit_action)

    def show_section(self, index: int) -> None:
        self.sidebar.setCurrentRow(index)

    def current_section(self) -> int:
        return self.pages.currentIndex()

    def find_actor(self) -> None:
        """Ctrl+F: go to the directory and put the cursor in its search box."""
        self.show_section(DIRECTORY)
        self.directory.focus_search()

    def update_status(self) -> None:
        counts = self.store.counts(("actors", "people", "relations"))
        actors, people, relations = counts["actors"], counts["people"], counts["relations"]
        parts = [
            ngettext("{n} acteur", "{n} acteurs", actors).format(n=format_number(actors)),
            ngettext("{n} personne", "{n} personnes", people).format(n=format_number(people)),
            ngettext("{n} relation", "{n} relations", relations).format(n=format_number(relations)),
        ]
        text = _("Base : {path} — {counts}").format(path=self.store.path, counts=", ".join(parts))
        self.status_label.setText(text)
