"""The Carte section: saved views, workshop controls and filters beside the actor map.

Importing this module loads QtWebEngineWidgets (about 0.2 s): the main window
imports it only when the Carte section is first shown.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QAction, QCursor, QKeySequence
from PySide6.QtWidgets import (
    QCheckBox,
    QFormLayout,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMenu,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QSplitter,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from companion.geo import Commune
from companion.i18n import _, ngettext
from companion.maps.extents import METROPOLE, find_place
from companion.maps.filters import MapFilter, tag_names
from companion.maps.stories import Story, step_counter, step_highlight
from companion.maps.tiles.settings import Basemaps
from companion.maps.views import Bounds
from companion.maps.views import MapView as SavedView
from companion.store import Store, zones
from companion.text import fold
from companion.ui.common.formatting import format_number
from companion.ui.common.icons import icon
from companion.ui.directory.actor_form import ActorForm, open_gazetteer
from companion.ui.directory.town_hall_action import action_text, add_commune_town_hall
from companion.ui.map.export_dialog import export_action, open_export_dialog
from companion.ui.map.filter_panel import MapFilterPanel
from companion.ui.map.presentation import Presentation
from companion.ui.map.stories_panel import MapStoriesPanel
from companion.ui.map.tile_panel import TilePanel
from companion.ui.map.view import MapView
from companion.ui.map.views_panel import MapViewsPanel

DRAWER_SETTING = "map.drawer_open"  # the side drawer, as the user left it


PRESENT_KEY = "F5"  # listed by Aide › Raccourcis clavier (ui/shell/section_shortcuts.py)
FILTERS_KEY = "Ctrl+Shift+F"


class MapPage(QWidget):
    """The side column on the left, the map on the right; the map loads with the page."""

    actor_activated = Signal(str)  # open this actor (UUID) in the directory
    actor_added = Signal(str)  # an actor was created from the map (UUID)
    profile_requested = Signal(str)  # open this catalyst's profile in the Réseau (UUID)
    territory_requested = Signal(str, str)  # open a territory's profile: level, code
    actor_opened = Signal(str)  # the user opened this actor's card on the map (UUID)
    actor_changed = Signal(str)  # an actor was changed from the map (placed) (UUID)
    status_message = Signal(str)  # for the status bar
    zones_changed = Signal()  # a zone was renamed or deleted (an undo step)
    import_requested = Signal()  # the empty map's « Importer un fichier… »

    def __init__(self, store: Store, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.store = store
        self.current_view_id: str | None = None
        self.highlighted: tuple[str, str, str] | None = None  # level, code, name
        self._applying_view = False
        self.context_menu: QMenu | None = None
        self.town_hall_box: QMessageBox | None = None  # "already in the directory"
        self.actor_form: ActorForm | None = None
        self.zone_dialog: QInputDialog | None = None  # renaming a zone
        self.panel = MapFilterPanel(tag_names(store.conn))
        self.basemaps = Basemaps(store)
        self.view = MapView(store, tiles=self.basemaps)
        self.tiles = TilePanel(self.basemaps, self.view)
        self.views = MapViewsPanel(store, self._capture, self._typed_title)
        self.stories = MapStoriesPanel(store, self._capture, self.view.ask_open_actor)
        self.presentation = Presentation(self)
        self.count_label = QLabel(_("Chargement de la carte…"))
        self.count_label.setTextFormat(Qt.TextFormat.PlainText)
        self.count_label.setWordWrap(True)
        self.title_edit = QLineEdit()
        self.title_edit.setPlaceholderText(_("Titre affiché en présentation"))
        self.title_edit.setClearButtonEnabled(True)
        self.contacts = QCheckBox(_("Afficher les coordonnées"))
        self.contacts.setToolTip(
            _("Montre les personnes, courriels et téléphones dans la fiche d'un acteur cliqué")
        )
        self.present_button = QPushButton(_("Présenter (F5)"))
        self.export_action = export_action(self)
        self.export_button = QPushButton(self.export_action.text())
        self.export_button.setToolTip(self.export_action.toolTip())

        self.side = self._build_side()
        self.drawer_button = self._drawer_button()
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(self.side)
        splitter.addWidget(self.view)
        splitter.setStretchFactor(1, 1)
        splitter.setCollapsible(1, False)
        self.splitter = splitter
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        self.top_bar = self._build_top_bar()
        layout.addWidget(self.top_bar)
        layout.addWidget(splitter, 1)
        # Over the map's top edge, not above it: the map keeps its size when it goes.
        self.empty_notice = self._build_empty_notice()
        self.view.installEventFilter(self)
        self._update_empty_notice()
        self.actor_added.connect(self._update_empty_notice)
        self.set_drawer_open(self.store.setting(DRAWER_SETTING, "1") != "0", remember=False)
        present = QAction(_("Présenter"), self)
        present.setShortcut(QKeySequence(PRESENT_KEY))
        present.triggered.connect(self.presentation.enter)
        self.addAction(present)
        self.addAction(self.export_action)
        self.export_action.triggered.connect(self.open_export_dialog)
        self.export_button.clicked.connect(self.open_export_dialog)

        self.panel.filter_changed.connect(self.apply_filter)
        self.views.view_chosen.connect(self.apply_view)
        self.stories.step_chosen.connect(self.show_story_step)
        self.stories.play_requested.connect(self.presentation.play)
        self.stories.status_message.connect(self.status_message)
        self.title_edit.textChanged.connect(lambda text: self.view.set_title(text.strip()))
        self.contacts.toggled.connect(self.view.set_contacts)
        self.present_button.clicked.connect(self.presentation.enter)
        self.view.applied.connect(self._show_count)
        self.view.relations_drawn.connect(self._show_relation_count)
        self._actors_text = ""
        self._relations_text = ""
        self.view.page_error.connect(self._show_error)
        self.view.actor_activated.connect(self.actor_activated)
        self.view.profile_requested.connect(self.profile_requested)
        self.view.territory_requested.connect(self.show_actor_territory)
        self.view.context_requested.connect(self.show_context_menu)
        self.view.actor_opened.connect(self.actor_opened)
        self.view.actors_shown.connect(self._report_shown)
        self.view.page_key.connect(self._on_page_key)
        self.view.actor_placed.connect(self.confirm_place)
        self.view.load_map()

    def _build_side(self) -> QScrollArea:
        workshop = QGroupBox(_("Atelier"))
        workshop_layout = QFormLayout(workshop)
        workshop_layout.setContentsMargins(6, 6, 6, 6)
        workshop_layout.addRow(self.title_edit)
        workshop_layout.addRow(self.contacts)
        workshop_layout.addRow(self.present_button)
        workshop_layout.addRow(self.export_button)
        stories_label = QLabel(_("Récits"))
        stories_label.setStyleSheet("font-weight: 600; margin-top: 6px;")
        stories_label.setToolTip(
            _("Un récit : des étapes sur la carte, chacune avec un titre et quelques lignes")
        )
        workshop_layout.addRow(stories_label)
        workshop_layout.addRow(self.stories)
        saved = QGroupBox(_("Vues enregistrées"))
        saved_layout = QVBoxLayout(saved)
        saved_layout.setContentsMargins(6, 6, 6, 6)
        saved_layout.addWidget(self.views)
        side = QWidget()
        side_layout = QVBoxLayout(side)
        side_layout.setContentsMargins(8, 6, 4, 0)
        # What the map shows first: a filter is what one changes most.
        side_layout.addWidget(self.panel)
        side_layout.addWidget(saved)
        side_layout.addWidget(workshop)
        side_layout.addWidget(self.tiles)
        side_layout.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidget(side)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setMinimumWidth(side.sizeHint().width() + 24)
        return scroll

    def _build_top_bar(self) -> QWidget:
        """Above the map: the drawer's button, the map's search, what the map shows."""
        bar = QWidget()
        row = QHBoxLayout(bar)
        row.setContentsMargins(6, 4, 6, 4)
        row.addWidget(self.drawer_button)
        row.addWidget(self._frame_button())
        self.panel.text.setMinimumWidth(220)
        self.panel.text.setMaximumWidth(420)
        row.addWidget(self.panel.text, 2)
        row.addWidget(self.count_label, 3)
        bar.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)
        return bar

    def _drawer_button(self) -> QToolButton:
        button = QToolButton()
        button.setText(_("Filtres"))
        button.setIcon(icon("fa5s.sliders-h"))
        button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        button.setCheckable(True)
        button.setShortcut(QKeySequence(FILTERS_KEY))
        button.setToolTip(_("Afficher ou masquer les filtres et les vues (Ctrl+Maj+F)"))
        button.toggled.connect(self.set_drawer_open)
        return button

    def _frame_button(self) -> QToolButton:
        """« Cadrer sur »: France, what the filter shows, its territory, any territory."""
        button = QToolButton()
        button.setText(_("Cadrer sur"))
        button.setIcon(icon("fa5s.expand"))
        button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        menu = QMenu(button)
        menu.addAction(_("La France métropolitaine"), lambda: self.frame(METROPOLE))
        menu.addAction(_("Les acteurs affichés"), self._frame_shown)
        self.frame_filter_action = menu.addAction("", self.frame_filter_territory)
        menu.addAction(_("Un territoire…"), self.ask_territory)
        menu.addSeparator()
        self.unhighlight_action = menu.addAction("", lambda: self.highlight_territory(None))
        menu.aboutToShow.connect(self._update_frame_menu)
        button.setMenu(menu)
        self.frame_menu = menu
        self._update_frame_menu()
        return button

    def frame(self, bounds: Bounds, territory: tuple[str, str, str] | None = None) -> None:
        """Fit the map to ``bounds``; outline ``territory`` (level, code, name), or none."""
        self.view.fit_bounds(bounds)
        self.highlight_territory(territory)

    def _frame_shown(self) -> None:
        self.view.fit_shown()
        self.highlight_territory(None)

    def highlight_territory(self, territory: tuple[str, str, str] | None) -> None:
        """Outline a commune, an EPCI, a département or a région on the map (None: no more)."""
        self.highlighted = territory
        found = [territory[:2]] if territory else []
        self.view.highlight_territories("frame", found)

    def _filter_place(self) -> tuple[str, str, str] | None:
        """(level, code, name) of the territory the filter keeps, if any."""
        spec = self.panel.current_filter()
        if spec.departement:
            return "departement", spec.departement, self.panel.departement.currentText()
        if spec.region:
            return "region", spec.region, self.panel.region.currentText()
        return None

    def _update_frame_menu(self) -> None:
        highlighted = self.highlighted
        self.unhighlight_action.setVisible(highlighted is not None)
        if highlighted is not None:
            self.unhighlight_action.setText(
                _("Retirer le contour de {name}").format(name=highlighted[2])
            )
        place = self._filter_place()
        self.frame_filter_action.setVisible(place is not None)
        if place is not None:
            self.frame_filter_action.setText(
                _("Le territoire filtré : {name}").format(name=place[2])
            )

    def frame_filter_territory(self) -> None:
        place = self._filter_place()
        if place is not None:
            self._frame_place(*place)

    def _frame_place(self, level: str, code: str, name: str) -> None:
        gazetteer, notice = open_gazetteer()
        if gazetteer is None:
            self.status_message.emit(notice)
            return
        with gazetteer:
            bounds = gazetteer.bounds(level, code)
        if bounds is not None:
            self.frame(bounds, (level, code, name))

    def ask_territory(self) -> None:
        """A commune, an intercommunalité, a département or a région, by name or code."""
        text, ok = QInputDialog.getText(
            self, _("Cadrer sur un territoire"),
            _("Commune, intercommunalité, département ou région (nom ou code) :"),
        )  # fmt: skip
        if not ok or not text.strip():
            return
        gazetteer, notice = open_gazetteer()
        if gazetteer is None:
            self.status_message.emit(notice)
            return
        with gazetteer:
            place = find_place(gazetteer, text)
        if place is None:
            self.status_message.emit(_("Aucun territoire « {text} ».").format(text=text.strip()))
            return
        self.frame(place.bounds, (place.level, place.code, place.name))
        self.status_message.emit(_("Carte cadrée sur {name}.").format(name=place.name))

    def place_actor(self, actor_id: str) -> None:
        """« Placer sur la carte » from the directory: the actor's pin, ready to drag."""
        self.view.start_placing(actor_id)

    def confirm_place(self, actor_id: str, latitude: float, longitude: float) -> bool:
        """The user dropped an actor's pin: asked first, then one undoable, synced edit."""
        actor = self.store.get_actor(actor_id)
        if actor is None:
            return False
        question = _("Placer « {name} » à cet endroit ?").format(name=actor.name)
        commune = _commune_at(latitude, longitude)
        if commune and actor.commune and fold(commune) != fold(actor.commune):
            question += "\n\n" + _(
                "Cet endroit est à {here} ; la fiche garde sa commune, {commune}."
            ).format(here=commune, commune=actor.commune)
        answer = QMessageBox.question(
            self, _("Placer l'acteur"), question,
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.Yes,
        )  # fmt: skip
        if answer != QMessageBox.StandardButton.Yes:
            return False  # the pin stays: another try, or Esc
        with self.store.undoable(_("Placer « {name} » sur la carte").format(name=actor.name)):
            self.store.update_actor(
                actor_id, latitude=round(latitude, 6), longitude=round(longitude, 6)
            )
        self.view.stop_placing()
        self.refresh()
        self.actor_changed.emit(actor_id)
        self.status_message.emit(
            _("« {name} » est placé sur la carte — Ctrl+Z pour annuler").format(name=actor.name)
        )
        return True

    def _on_page_key(self, action: str) -> None:
        if action == "present":
            self.presentation.enter()
        elif action == "drawer":
            self.set_drawer_open(not self.side.isVisible())

    def set_drawer_open(self, open_: bool, remember: bool = True) -> None:
        """The side drawer (filters, views, workshop, basemap) shown or folded away."""
        self.side.setVisible(open_)
        self.drawer_button.blockSignals(True)
        self.drawer_button.setChecked(open_)
        self.drawer_button.blockSignals(False)
        if remember:
            self.store.set_setting(DRAWER_SETTING, "1" if open_ else "0")

    # -- filters and views ------------------------------------------------------

    def apply_filter(self, spec: MapFilter) -> None:
        """Show what ``spec`` keeps (the page is not rebuilt), and bring it into view when
        it keeps some actors only (a saved view brings its own extent)."""
        self.view.apply_filter(spec, fit=spec.filters_actors() and not self._applying_view)

    def apply_view(self, saved: SavedView) -> None:
        """Show a saved view: its filter in the panel and on the map, its extent, its title."""
        self.clear_story()
        self.current_view_id = saved.id
        self.views.select(saved.id)
        self._applying_view = True
        try:
            self.panel.set_filter(saved.filter)
        finally:
            self._applying_view = False
        if saved.bounds is not None:
            self.view.fit_bounds(saved.bounds)
        self.title_edit.setText(saved.title)

    def show_story_step(self, story: Story, index: int) -> None:
        """A story's step on the map: its filter, its highlighted actors and links, its
        caption (shown in presentation), its extent."""
        step = story.steps[index]
        self.current_view_id = None
        self.views.select(None)
        self.stories.follow(story.id, index)
        self._applying_view = True
        try:
            self.panel.set_filter(step.filter)
        finally:
            self._applying_view = False
        self.view.show_story(
            {
                "title": step.title,
                "text": step.text,
                "counter": step_counter(index, len(story.steps)),
                **step_highlight(self.store.conn, step),
            }
        )
        # After the caption: the extent is fitted above it.
        if step.bounds is not None:
            self.view.fit_bounds(step.bounds)
        else:
            self.view.fit_shown()

    def clear_story(self) -> None:
        """No story step on the map any more (highlights and caption gone)."""
        if self.view.story is not None:
            self.view.show_story(None)

    def show_actors(self, actor_ids: list[str]) -> None:
        """The directory's selection on the map: one actor zoomed to with its card open,
        several fitted in view (the filters stay as the user set them)."""
        self.view.show_actors(actor_ids)

    def _report_shown(self, asked: int, shown: int) -> None:
        if shown == asked:
            return
        if shown == 0:
            message = ngettext(
                "Cet acteur n'est pas sur la carte : sans emplacement, ou masqué par les filtres.",
                "Ces {n} acteurs ne sont pas sur la carte : sans emplacement, ou masqués par les "
                "filtres.",
                asked,
            )
        else:
            message = ngettext(
                "{n} acteur sur {total} n'est pas sur la carte : sans emplacement, ou masqué par "
                "les filtres.",
                "{n} acteurs sur {total} ne sont pas sur la carte : sans emplacement, ou masqués "
                "par les filtres.",
                asked - shown,
            )
        self.status_message.emit(message.format(n=asked - shown or asked, total=asked))

    def show_catalysts(self, bounds: Bounds | None, region: str = "") -> None:
        """The catalysts only (of a région, if given), the map fitted to ``bounds``."""
        self.panel.set_filter(MapFilter(kinds=frozenset({"catalyseur"}), region=region))
        if bounds is not None:
            self.view.fit_bounds(bounds)

    def open_export_dialog(self) -> None:
        """Ctrl+E: export what the map shows (HTML, PNG or PDF), titled like the screen."""
        title = self.title_edit.text().strip()
        open_export_dialog(self.store, self.view.filter, self.view, title=title, parent=self)

    def _capture(self) -> tuple[MapFilter, Bounds | None]:
        return self.view.filter, self.view.bounds

    def _typed_title(self) -> str:
        return self.title_edit.text().strip()

    def refresh(self) -> None:
        """Read the store again (after an edit, an import, a sync or an undo); the page stays."""
        self.view.reload_data()
        self.views.refresh()
        self.stories.refresh()
        self._update_empty_notice()

    def _build_empty_notice(self) -> QWidget:
        """An empty map says what it shows and how to fill it (hidden once it has actors)."""
        notice = QFrame(self.view)
        notice.setFrameShape(QFrame.Shape.StyledPanel)
        notice.setAutoFillBackground(True)
        row = QHBoxLayout(notice)
        text = QLabel(
            _(
                "La carte montre les acteurs de l'annuaire, à leur adresse ou au centre de "
                "leur commune, et leurs alliances. Elle est vide : faites un clic droit sur "
                "la carte pour y placer un premier acteur, ou importez un tableur ou une "
                "carte uMap."
            )
        )
        text.setWordWrap(True)
        button = QPushButton(_("Importer un fichier…"))
        button.clicked.connect(self.import_requested)
        row.addWidget(text, 1)
        row.addWidget(button)
        self.empty_import_button = button
        return notice

    def _update_empty_notice(self) -> None:
        self.empty_notice.setVisible(self.store.count_actors() == 0)
        self._place_empty_notice()

    def _place_empty_notice(self) -> None:
        """Across the top of the map, clear of its zoom buttons (Leaflet's, at the left)."""
        notice, margin = self.empty_notice, 8
        width = max(200, self.view.width() - 60 - margin)
        layout = notice.layout()
        height = layout.totalHeightForWidth(width) if layout.hasHeightForWidth() else 0
        notice.setFixedSize(width, max(height, layout.totalMinimumSize().height()))
        notice.move(60, margin)
        notice.raise_()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt's)
        if watched is self.view and event.type() == QEvent.Type.Resize:
            self._place_empty_notice()
        return super().eventFilter(watched, event)

    def current_filter(self) -> MapFilter:
        return self.view.filter

    # -- adding an actor where the user right-clicked ---------------------------

    def show_context_menu(self, latitude: float, longitude: float) -> QMenu:
        menu = QMenu(self)
        menu.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        add = menu.addAction(_("Ajouter un acteur ici"))
        add.triggered.connect(lambda: self.add_actor_at(latitude, longitude))
        commune = commune_at(latitude, longitude)
        if commune is not None:
            town_hall = menu.addAction(action_text(commune))
            town_hall.triggered.connect(lambda: self.add_town_hall(commune))
        zone = self.view.context_zone
        if zone is not None:
            menu.addSeparator()
            rename = menu.addAction(_("Renommer la zone « {name} »…").format(name=zone[1]))
            rename.triggered.connect(lambda: self.rename_zone(*zone))
            delete = menu.addAction(_("Supprimer la zone « {name} »").format(name=zone[1]))
            delete.triggered.connect(lambda: self.delete_zone(*zone))
        places = territories_of(commune)
        if places:
            menu.addSeparator()
        for level, code, name in places:
            action = menu.addAction(_("Fiche territoire : {name}").format(name=name))
            action.setData(f"{level}:{code}")
            action.triggered.connect(self._on_territory_action)
        self.context_menu = menu
        menu.popup(QCursor.pos())
        return menu

    def rename_zone(self, zone_id: str, name: str) -> QInputDialog:
        """Ask for a zone's new name (window-modal); renamed on OK, one undo step."""
        dialog = QInputDialog(self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.setWindowTitle(_("Renommer la zone"))
        dialog.setLabelText(_("Nouveau nom de la zone :"))
        dialog.setTextValue(name)
        dialog.setOkButtonText(_("Renommer"))
        dialog.setCancelButtonText(_("Annuler"))

        def renamed(text: str) -> None:
            if text.strip():
                zones.rename_zone(self.store, zone_id, text)
                self._zones_changed(_("Zone renommée : « {name} ».").format(name=text.strip()))

        dialog.textValueSelected.connect(renamed)
        self.zone_dialog = dialog
        dialog.open()
        return dialog

    def delete_zone(self, zone_id: str, name: str) -> None:
        """Delete a zone (Ctrl+Z brings it back)."""
        zones.delete_zone(self.store, zone_id)
        self._zones_changed(
            _("Zone « {name} » supprimée (Ctrl+Z pour l'annuler).").format(name=name)
        )

    def _zones_changed(self, message: str) -> None:
        self.view.reload_data()
        self.zones_changed.emit()
        self.status_message.emit(message)

    def add_town_hall(self, commune: Commune) -> None:
        """Add the commune's town hall at its place (or offer to open the one there is)."""
        actor = add_commune_town_hall(self, self.store, commune, self.actor_activated.emit)
        if actor is None:
            return
        self.refresh()
        self.actor_added.emit(actor.id)
        self.status_message.emit(_("« {name} » ajoutée à l'annuaire.").format(name=actor.name))

    def _on_territory_action(self) -> None:
        level, _sep, code = str(self.sender().data()).partition(":")
        self.territory_requested.emit(level, code)

    def show_actor_territory(self, actor_id: str) -> None:
        """The profile of an actor's commune (its département if it has no commune)."""
        actor = self.store.get_actor(actor_id)
        if actor is None:
            return
        if actor.insee_code:
            self.territory_requested.emit("commune", actor.insee_code)
        elif actor.departement:
            self.territory_requested.emit("departement", actor.departement)

    def add_actor_at(self, latitude: float, longitude: float) -> ActorForm:
        """Open the actor form for this point; the map and the directory follow on OK."""
        gazetteer, notice = open_gazetteer()
        form = ActorForm(self.store, latitude, longitude, gazetteer, notice, self)
        form.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        form.finished.connect(lambda _result: self._form_closed(form))
        self.actor_form = form
        form.open()
        return form

    def _form_closed(self, form: ActorForm) -> None:
        if form.gazetteer is not None:
            form.gazetteer.close()
        if self.actor_form is form:
            self.actor_form = None
        if form.actor is not None:
            self.refresh()
            self.actor_added.emit(form.actor.id)

    # -- status -----------------------------------------------------------------

    def _show_count(self, detail: dict) -> None:
        visible = int(detail.get("visible", 0))
        self._actors_text = ngettext(
            "{n} acteur sur la carte", "{n} acteurs sur la carte", visible
        ).format(n=format_number(visible))
        self._update_count()

    def _show_relation_count(self, detail: dict) -> None:
        self._relations_text = relations_text(detail, self.panel.current_filter().territory)
        self._update_count()

    def _update_count(self) -> None:
        parts = [text for text in (self._actors_text, self._relations_text) if text]
        self.count_label.setText(", ".join(parts))

    def _show_error(self, message: str) -> None:
        self.count_label.setText(
            _("La carte n'a pas pu s'afficher : {message}").format(message=message)
        )


def territories_at(latitude: float, longitude: float) -> list[tuple[str, str, str]]:
    """(level, code, name) of the commune, EPCI, département and région at a point
    (none at sea, abroad or without the gazetteer)."""
    return territories_of(commune_at(latitude, longitude))


def commune_at(latitude: float, longitude: float) -> Commune | None:
    """The commune (its commune nouvelle for a commune déléguée) at a point, if any."""
    gazetteer, _notice = open_gazetteer()
    if gazetteer is None:
        return None
    with gazetteer:
        commune = gazetteer.reverse(latitude, longitude)
        if commune is not None and commune.kind != "COM" and commune.parent_insee:
            commune = gazetteer.by_insee(commune.parent_insee) or commune
    return commune


def territories_of(commune: Commune | None) -> list[tuple[str, str, str]]:
    """(level, code, name) of a commune, its EPCI, département and région."""
    if commune is None:
        return []
    found = [("commune", commune.insee, f"{commune.name} ({commune.departement})")]
    if commune.epci:
        found.append(("epci", commune.epci, commune.epci_name or commune.epci))
    found.append(
        ("departement", commune.departement, f"{commune.departement_name} ({commune.departement})")
    )
    found.append(("region", commune.region, commune.region_name))
    return found


def relations_text(detail: dict, territory: bool) -> str:
    """What the count line says of the relations (see the page's "relations" report)."""
    number = lambda key: int(detail.get(key) or 0)  # noqa: E731
    drawn, available, overseas = number("drawn"), number("available"), number("overseas")
    mode = detail.get("mode")
    if mode == "flows":
        text = ngettext(
            "{n} relation en {flows} flux entre départements",
            "{n} relations en {flows} flux entre départements",
            drawn,
        ).format(n=format_number(drawn), flows=format_number(number("flows")))
    elif mode == "auto" and not territory and not detail.get("around") and available:
        text = ngettext(
            "{n} relation : cliquez un acteur pour voir les siennes",
            "{n} relations : cliquez un acteur pour voir les siennes",
            available,
        ).format(n=format_number(available))
    elif mode == "none":
        text = ngettext(
            "{n} relation (non tracée)", "{n} relations (non tracées)", available
        ).format(n=format_number(available))
    else:
        text = ngettext("{n} relation", "{n} relations", drawn).format(n=format_number(drawn))
    if overseas:
        text += " " + ngettext(
            "({n} avec l'outre-mer, non tracée)", "({n} avec l'outre-mer, non tracées)", overseas
        ).format(n=format_number(overseas))
    return text


def _commune_at(latitude: float, longitude: float) -> str | None:
    """The name of the commune at a point, if the gazetteer knows one."""
    gazetteer, _notice = open_gazetteer()
    if gazetteer is None:
        return None
    with gazetteer:
        commune = gazetteer.reverse(latitude, longitude)
    return commune.name if commune else None
