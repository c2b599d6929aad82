"""The Territoires section: a territory's profile (fiche territoire) and its ecosystem.

Built the first time the section is shown. A commune, EPCI, département or
région is chosen by name or code (the field lists matches with their level);
the user's own catalyst's département opens by default. The profile and the
network are computed in background jobs (``territory_data``), the gazetteer's
place index first (about 0.4 s, once); the network only when its tab is shown.
The ecosystem of a directory selection opens here too (``show_selection``).
"""

from __future__ import annotations

from functools import partial

from PySide6.QtCore import QModelIndex, Qt, QTimer, Signal
from PySide6.QtGui import QShowEvent, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QCompleter,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QStackedWidget,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from companion.directory.town_halls import existing_town_hall
from companion.i18n import _
from companion.insights.places import Territory, find_territory, place_index, search_territories
from companion.insights.territory_data import load_ecosystem, load_profile, prepare_places
from companion.store import Store
from companion.ui.common.jobs import Job, run_in_background
from companion.ui.directory.actor_form import open_gazetteer
from companion.ui.directory.town_hall_action import action_text, add_commune_town_hall
from companion.ui.territory.ecosystem_view import EcosystemView
from companion.ui.territory.profile_view import TerritoryProfileView

SEARCH_DEBOUNCE_MS = 150
MATCHES_SHOWN = 15
PROFILE_TAB, ECOSYSTEM_TAB = range(2)
EMPTY, CONTENT = range(2)
TERRITORY = Qt.ItemDataRole.UserRole + 1  # the Territory on completer rows
COMPLETION = Qt.ItemDataRole.UserRole + 2  # the text the field takes


def match_text(territory: Territory) -> str:
    """ "Rhône (69) — Département", as the list of matches shows it."""
    return f"{territory.label} — {territory.level_label}"


class TerritoryPage(QWidget):
    """A territory chosen at the top; its profile and its network in two tabs."""

    directory_requested = Signal(str)  # open this actor in the directory
    actor_added = Signal(str)  # a commune's town hall was added (UUID)
    status_message = Signal(str)

    def __init__(self, store: Store, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.store = store
        self.gazetteer, self.notice = open_gazetteer()
        self.places_ready = False
        self.territory: Territory | None = None
        self.selection: list[str] | None = None  # the directory's selection, when shown
        self.pending: tuple[str, str] | None = None  # asked for before the places were ready
        self.ecosystem_stale = True
        self.stale = False  # the records changed while the section was hidden
        self.jobs: dict[str, Job] = {}
        self._generation = 0

        self.field = QLineEdit()
        self.field.setPlaceholderText(
            _("Commune, intercommunalité, département ou région : nom ou code")
        )
        self.field.setClearButtonEnabled(True)
        self.matches = QStandardItemModel(self)
        self.completer = QCompleter(self.matches, self)
        self.completer.setCompletionMode(QCompleter.CompletionMode.UnfilteredPopupCompletion)
        self.completer.setCompletionRole(COMPLETION)
        self.completer.setMaxVisibleItems(MATCHES_SHOWN)
        self.completer.setWidget(self.field)
        self.completer.activated[QModelIndex].connect(self._on_match_chosen)
        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(SEARCH_DEBOUNCE_MS)
        self._search_timer.timeout.connect(self.run_search)
        self.field.textEdited.connect(self._search_timer.start)
        self.field.returnPressed.connect(self.choose_first_match)

        self.around = QHBoxLayout()  # the enclosing territories, one click away
        self.around.setContentsMargins(0, 0, 0, 0)
        self.progress = QProgressBar()
        self.progress.setMaximumWidth(220)
        self.progress.setTextVisible(False)
        self.town_hall_button = QPushButton()  # a commune's: add its town hall, or open it
        self.town_hall_button.setVisible(False)
        self.town_hall_button.clicked.connect(self._on_town_hall_clicked)
        self.town_hall_box = None  # "already in the directory", see town_hall_action
        self.progress_label = QLabel()
        self.progress_label.setTextFormat(Qt.TextFormat.PlainText)
        self.empty_label = QLabel()
        self.empty_label.setTextFormat(Qt.TextFormat.PlainText)
        self.empty_label.setWordWrap(True)
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_label.setMaximumWidth(560)

        self.profile_view = TerritoryProfileView()
        self.profile_view.status_message.connect(self.status_message)
        self.ecosystem_view = EcosystemView()
        self.ecosystem_view.directory_requested.connect(self.directory_requested)
        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        self.tabs.addTab(self.profile_view, _("Fiche territoire"))
        self.tabs.addTab(self.ecosystem_view, _("Écosystème"))
        self.tabs.currentChanged.connect(self._on_tab_changed)
        self.stack = QStackedWidget()
        empty = QWidget()
        empty_layout = QVBoxLayout(empty)
        empty_layout.addWidget(self.empty_label, 0, Qt.AlignmentFlag.AlignCenter)
        self.stack.addWidget(empty)
        self.stack.addWidget(self.tabs)

        top = QHBoxLayout()
        top.addWidget(QLabel(_("Territoire")))
        top.addWidget(self.field, 1)
        top.addWidget(self.progress)
        status = QHBoxLayout()
        status.addLayout(self.around)
        status.addStretch(1)
        status.addWidget(self.progress_label)
        status.addWidget(self.town_hall_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 6, 8, 6)
        layout.addLayout(top)
        layout.addLayout(status)
        layout.addWidget(self.stack, 1)
        self._show_idle()
        self._show_empty()
        self._prepare_places()

    # -- the gazetteer's places -----------------------------------------------------

    def _prepare_places(self) -> None:
        if self.gazetteer is None:
            self.field.setEnabled(False)
            return
        self.field.setEnabled(False)
        job = run_in_background(partial(prepare_places, self.gazetteer), self)
        self._watch("places", job)
        job.succeeded.connect(self._places_prepared)
        job.failed.connect(partial(self._job_failed, "places", 0))

    def _places_prepared(self, _result: object) -> None:
        self.places_ready = True
        self.field.setEnabled(True)
        if self.pending is not None:
            level, code = self.pending
            self.pending = None
            self.open_territory(level, code)
        elif self.territory is None and self.selection is None:
            self._open_default()

    def _open_default(self) -> None:
        """The département of the user's own catalyst, if known."""
        from companion.network.profiles import own_catalyst

        own = own_catalyst(self.store)
        if own is None or self.gazetteer is None:
            self._show_empty()
            return
        location = place_index(self.gazetteer).locate(own.insee_code, own.departement)
        if location.departement:
            self.open_territory("departement", location.departement)
        else:
            self._show_empty()

    # -- choosing a territory -----------------------------------------------------------

    def open_territory(self, level: str, code: str) -> bool:
        """Show the territory of this level and code; False if the gazetteer does not know it.

        Asked before the places are ready, it opens once they are.
        """
        if self.gazetteer is None:
            return False
        if not self.places_ready:
            self.pending = (level, code)
            return True
        territory = find_territory(self.gazetteer, level, code)
        if territory is None:
            self.status_message.emit(_("Territoire inconnu : « {code} »").format(code=code))
            return False
        self.show_territory(territory)
        return True

    def show_territory(self, territory: Territory) -> None:
        """Its profile now; its network when the Écosystème tab is shown."""
        self._generation += 1
        self.territory = territory
        self.selection = None
        self.field.setText(territory.label)
        self.completer.popup().hide()
        self._fill_around(territory)
        self._update_town_hall_button()
        self.tabs.setTabEnabled(PROFILE_TAB, True)
        self.stack.setCurrentIndex(CONTENT)
        self.profile_view.clear(_("Calcul de la fiche…"))
        self.ecosystem_view.clear(_("Le réseau se calcule quand cet onglet s'affiche."))
        self.ecosystem_stale = True
        self._start_profile()
        if self.tabs.currentIndex() == ECOSYSTEM_TAB:
            self._start_ecosystem()

    def show_selection(self, actor_ids: list[str]) -> None:
        """The network of these actors (a directory selection)."""
        self._generation += 1
        self.territory = None
        self.selection = list(actor_ids)
        self.pending = None
        self.field.clear()
        self._fill_around(None)
        self._update_town_hall_button()
        self.profile_view.clear()
        self.tabs.setTabEnabled(PROFILE_TAB, False)
        self.stack.setCurrentIndex(CONTENT)
        self.ecosystem_stale = True
        if self.tabs.currentIndex() == ECOSYSTEM_TAB:
            self._start_ecosystem()
        else:
            self.tabs.setCurrentIndex(ECOSYSTEM_TAB)  # starts it

    def refresh(self) -> None:
        """The records changed (an edit, an import, a sync): compute again what is shown,
        now if the section is on screen, else when it next is."""
        if not self.isVisible():
            self.stale = True
            return
        self.stale = False
        if self.territory is not None:
            self.show_territory(self.territory)
        elif self.selection is not None:
            self.show_selection(self.selection)

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt API
        super().showEvent(event)
        if self.stale:
            self.refresh()

    def _show_empty(self) -> None:
        if self.gazetteer is None:
            text = _("Les territoires ont besoin des données des communes.") + "\n\n" + self.notice
        else:
            text = _(
                "Choisissez un territoire : une commune, une intercommunalité, un département "
                "ou une région, par son nom ou son code (« Rhône », « 69 », « 69123 »).\n\n"
                "Vous y verrez sa population, ses acteurs par type, les catalyseurs qui y "
                "agissent, les alliances à l'œuvre, et son écosystème en réseau.\n\n"
                "Sur la carte, un clic droit ouvre aussi la fiche du territoire à cet endroit."
            )
        self.empty_label.setText(text)
        self.stack.setCurrentIndex(EMPTY)

    def _fill_around(self, territory: Territory | None) -> None:
        while self.around.count():
            widget = self.around.takeAt(0).widget()
            if widget is not None:
                widget.deleteLater()
        if territory is None or self.gazetteer is None:
            return
        wider = self.enclosing(territory)
        if wider:
            self.around.addWidget(QLabel(_("Voir aussi :")))
        for other in wider:
            button = QPushButton(other.label)
            button.setFlat(True)
            button.setCursor(Qt.CursorShape.PointingHandCursor)
            button.setToolTip(
                _("Voir la fiche : {name} ({level})").format(
                    name=other.label, level=other.level_label
                )
            )
            button.setProperty("territory", other.key)
            button.clicked.connect(self._on_around_clicked)
            self.around.addWidget(button)

    def _town_hall_commune(self):
        """The commune shown (None for another level), from the gazetteer."""
        if self.territory is None or self.territory.level != "commune" or self.gazetteer is None:
            return None
        return self.gazetteer.by_insee(self.territory.code)

    def _update_town_hall_button(self) -> None:
        """« Ajouter « Mairie de … » », or « Ouvrir « … » » when the directory has it."""
        commune = self._town_hall_commune()
        self.town_hall_button.setVisible(commune is not None)
        if commune is None:
            return
        existing = existing_town_hall(self.store, commune)
        self.town_hall_button.setProperty("actor", existing.id if existing else "")
        self.town_hall_button.setText(
            _("Ouvrir « {name} »").format(name=existing.name) if existing else action_text(commune)
        )

    def _on_town_hall_clicked(self) -> None:
        existing = str(self.town_hall_button.property("actor") or "")
        commune = self._town_hall_commune()
        if existing or commune is None:
            if existing:
                self.directory_requested.emit(existing)
            return
        actor = add_commune_town_hall(self, self.store, commune, self.directory_requested.emit)
        if actor is not None:
            self.actor_added.emit(actor.id)
            self.status_message.emit(_("« {name} » ajoutée à l'annuaire.").format(name=actor.name))
        self._update_town_hall_button()

    def enclosing(self, territory: Territory) -> list[Territory]:
        """The wider territories around one, narrowest first (its EPCI for a commune)."""
        assert self.gazetteer is not None
        index = place_index(self.gazetteer)
        found = []
        if territory.level == "commune":
            epci = index.locate(territory.code).epci
            if epci and (wider := index.territory("epci", epci)):
                found.append(wider)
        found += index.enclosing(territory)
        return found

    def _on_around_clicked(self) -> None:
        key = str(self.sender().property("territory"))
        level, _sep, code = key.partition(":")
        self.open_territory(level, code)

    # -- the search field ------------------------------------------------------------

    def run_search(self) -> list[Territory]:
        """List the territories matching the field (the completer's popup shows them)."""
        self._search_timer.stop()
        self.matches.clear()
        text = self.field.text().strip()
        if not text or not self.places_ready or self.gazetteer is None:
            self.completer.popup().hide()
            return []
        found = search_territories(self.gazetteer, text, MATCHES_SHOWN)
        for territory in found:
            item = QStandardItem(match_text(territory))
            item.setData(territory, TERRITORY)
            item.setData(territory.label, COMPLETION)
            item.setEditable(False)
            self.matches.appendRow(item)
        if found:
            self.completer.setCompletionPrefix("")
            self.completer.complete()
        else:
            self.completer.popup().hide()
            self.status_message.emit(
                _("Aucun territoire ne correspond à « {text} ».").format(text=text)
            )
        return found

    def match_rows(self) -> list[str]:
        """The texts of the listed matches (tests, accessibility)."""
        return [self.matches.item(row).text() for row in range(self.matches.rowCount())]

    def choose_first_match(self) -> None:
        """Enter in the field: the selected match, else the first one."""
        popup = self.completer.popup()
        if popup.isVisible() and popup.currentIndex().isValid():
            return  # the completer delivers it
        found = self.run_search()
        if found:
            self.show_territory(found[0])

    def _on_match_chosen(self, index: QModelIndex) -> None:
        territory = index.data(TERRITORY)
        if isinstance(territory, Territory):
            self.show_territory(territory)

    # -- jobs --------------------------------------------------------------------------

    def _start_profile(self) -> None:
        assert self.territory is not None and self.gazetteer is not None
        self._cancel("profile")
        job = run_in_background(
            partial(load_profile, self.store.path, self.gazetteer, self.territory), self
        )
        self._watch("profile", job)
        job.succeeded.connect(partial(self._profile_loaded, self._generation))
        job.failed.connect(partial(self._job_failed, "profile", self._generation))

    def _profile_loaded(self, generation: int, profile: object) -> None:
        if generation == self._generation and self.territory is not None:
            self.profile_view.show_profile(profile)  # type: ignore[arg-type]

    def _start_ecosystem(self) -> None:
        if self.gazetteer is None or (self.territory is None and self.selection is None):
            return
        self._cancel("ecosystem")
        self.ecosystem_stale = False
        self.ecosystem_view.clear(_("Calcul du réseau…"))
        job = run_in_background(
            partial(
                load_ecosystem, self.store.path, self.gazetteer, self.territory, self.selection
            ),
            self,
        )
        self._watch("ecosystem", job)
        job.succeeded.connect(partial(self._ecosystem_loaded, self._generation))
        job.failed.connect(partial(self._job_failed, "ecosystem", self._generation))

    def _ecosystem_loaded(self, generation: int, ecosystem: object) -> None:
        if generation == self._generation:
            self.ecosystem_view.show_ecosystem(ecosystem)  # type: ignore[arg-type]

    def _on_tab_changed(self, index: int) -> None:
        if index == ECOSYSTEM_TAB and self.ecosystem_stale:
            self._start_ecosystem()

    def _cancel(self, name: str) -> None:
        job = self.jobs.pop(name, None)
        if job is not None and job.is_running:
            job.cancel()
        self._update_progress()

    def _watch(self, name: str, job: Job) -> None:
        self.jobs[name] = job
        job.progress.connect(self._on_progress)
        job.finished.connect(self._update_progress)
        self._update_progress()

    def _on_progress(self, done: int, total: int, message: str) -> None:
        self.progress.setRange(0, max(total, 1))
        self.progress.setValue(done)
        if message:
            self.progress_label.setText(message)

    def _update_progress(self) -> None:
        running = [job for job in self.jobs.values() if job.is_running]
        if not running:
            self._show_idle()
            return
        self.progress.show()
        self.progress_label.show()
        if not self.progress_label.text():
            self.progress.setRange(0, 0)  # busy until the first report

    def _show_idle(self) -> None:
        self.progress.hide()
        self.progress_label.clear()
        self.progress_label.hide()

    def _job_failed(self, name: str, generation: int, error: BaseException) -> None:
        message = _("Le calcul n'a pas abouti : {error}").format(error=error)
        self.status_message.emit(message)
        if name == "places":
            self.empty_label.setText(message)
        elif generation != self._generation:
            return
        elif name == "profile":
            self.profile_view.clear(message)
        else:
            self.ecosystem_view.clear(message)

    def is_busy(self) -> bool:
        """Whether a computation is running (tests wait on it)."""
        return any(job.is_running for job in self.jobs.values())
