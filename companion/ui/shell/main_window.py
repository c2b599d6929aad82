"""The main window: a sidebar of sections and the page of the chosen section."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QSize, Qt, QTimer
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QDialog,
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
from companion.ui.common.formatting import format_number
from companion.ui.common.icons import icon
from companion.ui.directory.page import DirectoryPage
from companion.ui.shell.placeholder_page import PlaceholderPage
from companion.ui.sync.runner import SyncRunner
from companion.ui.sync.status import SyncStatusWidget

if TYPE_CHECKING:
    from companion.toolbox.catalogue import InstallReport
    from companion.ui.common.jobs import Job
    from companion.ui.data.backup_scheduler import BackupScheduler
    from companion.ui.map.page import MapPage
    from companion.ui.network.page import NetworkPage
    from companion.ui.shell.global_search import GlobalSearch
    from companion.ui.sync.connect_dialog import SyncConnectDialog
    from companion.ui.sync.page import SyncPage
    from companion.ui.territory.page import TerritoryPage
    from companion.ui.toolbox.page import ToolboxPage

# New sections come last so that the shortcuts people learned (Ctrl+1 to Ctrl+5) stay.
MAP, DIRECTORY, TOOLBOX, SYNC, NETWORK, TERRITORIES = range(6)
MESSAGE_MS = 10_000  # how long a status-bar message (e.g. "Ctrl+Z pour annuler") stays
# After the first paint and the directory's first rows: the install's imports (about
# 15 ms of Python when the bundle is unchanged) never compete with them for the GIL.
TOOLBOX_INSTALL_DELAY_MS = 300
# The automatic backup's first check (a listing of sauvegardes/), once start-up's own work
# (the toolbox install, the first sync at 3 s) is under way.
BACKUP_CHECK_DELAY_MS = 10_000


def _sections() -> list[tuple[str, str]]:
    """(title, qtawesome icon) of each section, in sidebar order."""
    return [
        (_("Carte"), "fa5s.map-marked-alt"),
        (_("Annuaire"), "fa5s.address-book"),
        (_("Boîte à outils"), "fa5s.toolbox"),
        (_("Synchronisation"), "fa5s.sync"),
        (_("Réseau"), "fa5s.project-diagram"),
        (_("Territoires"), "fa5s.city"),
    ]


GETTING_STARTED_GUIDE = "guide-cartographier-ecosysteme"  # the toolbox guide to read first


class MainWindow(QMainWindow):
    """Companion's window over one open store."""

    def __init__(self, store: Store, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.store = store
        from companion.app.datafolder import DEMO_SETTING

        # The demonstration network says so everywhere it matters: here, the status bar,
        # the Synchronisation page.
        demo = store.setting(DEMO_SETTING) == "1"
        self.setWindowTitle(_("Companion — réseau de démonstration") if demo else "Companion")
        self.resize(1200, 760)

        self.directory = DirectoryPage(store)
        self.pages = QStackedWidget()
        # The map page loads QtWebEngine (about 0.2 s): it is built the first time
        # the Carte section is shown; until then this stands in for it.
        self.map_page: MapPage | None = None
        self.pages.addWidget(PlaceholderPage(_("Carte"), _("Chargement de la carte des acteurs…")))
        self.pages.addWidget(self.directory)
        # Built the first time the section is shown, like the map.
        self.toolbox_page: ToolboxPage | None = None
        self.toolbox_install: Job | None = None
        self.pages.addWidget(
            PlaceholderPage(_("Boîte à outils"), _("Chargement de la boîte à outils…"))
        )
        # Built when first shown too; the runner and the status exist from the start.
        self.sync_page: SyncPage | None = None
        self.sync_dialog: SyncConnectDialog | None = None
        self.pages.addWidget(
            PlaceholderPage(_("Synchronisation"), _("Chargement de la synchronisation…"))
        )
        # The catalysts of the network: built when first shown too.
        self.network_page: NetworkPage | None = None
        self.pages.addWidget(PlaceholderPage(_("Réseau"), _("Chargement du réseau…")))
        # Territory profiles and ecosystems (networkx, numpy): built when first shown too.
        self.territory_page: TerritoryPage | None = None
        self.pages.addWidget(PlaceholderPage(_("Territoires"), _("Chargement des territoires…")))
        self.sidebar = self._build_sidebar()

        central = QWidget()
        layout = QHBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.sidebar)
        layout.addWidget(self.pages, 1)
        self.setCentralWidget(central)

        self.actor_form = None
        self.help_dialog: QDialog | None = None  # Aide › Prise en main, À propos
        self.settings_dialog = None
        self.shortcuts_dialog = None
        self.global_search: GlobalSearch | None = None
        self._add_undo_action()
        self._add_menus()
        self.directory.changed.connect(self._on_directory_changed)
        self.directory.status_message.connect(self.show_message)
        self.directory.new_actor_requested.connect(self.new_actor)
        self.directory.import_requested.connect(self.open_import_wizard)
        self.directory.join_requested.connect(self.open_sync_dialog)
        self.directory.guide_requested.connect(self._open_guide)
        self.directory.actor_bulk.ecosystem_requested.connect(self.show_selection_network)
        self.directory.actor_bulk.map_requested.connect(self.show_actors_on_map)
        self.directory.import_banner.map_requested.connect(self.show_actors_on_map)
        self.directory.card.map_requested.connect(
            lambda actor_id: self.show_actors_on_map([actor_id])
        )
        self.directory.card.place_requested.connect(self.place_actor_on_map)
        self.status_label = QLabel()
        self.status_label.setTextFormat(Qt.TextFormat.PlainText)
        self.statusBar().addWidget(self.status_label, 1)
        self.closed = False
        self.successor: MainWindow | None = None  # the window that took its place
        self.sync = SyncRunner(store, self)
        self.sync.received.connect(self._after_import)  # the directory and map show it
        self.sync.toolbox_received.connect(self._on_toolbox_received)
        self.sync_status = SyncStatusWidget(self.sync)
        self.sync_status.clicked.connect(self.show_sync_section)
        self.sync_status.connect_requested.connect(self.open_sync_dialog)
        self.statusBar().addPermanentWidget(self.sync_status)
        # The counts scan whole tables (about 10 ms on the demo): fill the status
        # bar just after the window appears rather than delay its first paint.
        QTimer.singleShot(0, self.update_status)
        # The shipped toolbox is brought into the catalogue off the UI thread once the
        # window is up (a changed bundle means writes, and sqlite-utils to import).
        QTimer.singleShot(TOOLBOX_INSTALL_DELAY_MS, self._install_toolbox)
        self.backups: BackupScheduler | None = None
        QTimer.singleShot(BACKUP_CHECK_DELAY_MS, self._check_backups)
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
        elif index == TOOLBOX and self.toolbox_page is None:
            self._create_toolbox_page()
        elif index == SYNC and self.sync_page is None:
            self._create_sync_page()
        elif index == NETWORK and self.network_page is None:
            self._create_network_page()
        elif index == TERRITORIES and self.territory_page is None:
            self._create_territory_page()
        self.pages.setCurrentIndex(index)
        self.refresh_undo()

    def _put_page(self, index: int, page: QWidget) -> None:
        """A section built on first show takes the place of its placeholder."""
        placeholder = self.pages.widget(index)
        self.pages.insertWidget(index, page)
        self.pages.removeWidget(placeholder)
        placeholder.deleteLater()

    def _create_map_page(self) -> None:
        from companion.ui.map.page import MapPage  # loads QtWebEngine: only now

        self.map_page = MapPage(self.store)
        self.map_page.import_requested.connect(self.open_import_wizard)
        self.map_page.actor_activated.connect(self.open_actor)
        self.map_page.actor_added.connect(self._on_actor_added)
        self.map_page.profile_requested.connect(self.open_catalyst_profile)
        self.map_page.territory_requested.connect(self.open_territory)
        self.map_page.actor_opened.connect(self.directory.reveal_actor)
        self.map_page.status_message.connect(self.show_message)
        self.map_page.actor_changed.connect(self._on_actor_added)
        self.map_page.stories.stories_changed.connect(self.refresh_undo)  # a step deleted
        self.map_page.zones_changed.connect(self.refresh_undo)
        self.map_page.presentation.changed.connect(self._on_presentation)
        self._put_page(MAP, self.map_page)

    def _create_toolbox_page(self) -> None:
        from companion.ui.toolbox.page import ToolboxPage  # the reader and its Qt modules

        self.toolbox_page = ToolboxPage(self.store)
        self.toolbox_page.action_requested.connect(self.run_action)
        self.toolbox_page.status_message.connect(self.show_message)
        self._put_page(TOOLBOX, self.toolbox_page)

    def _create_sync_page(self) -> None:
        from companion.ui.sync.page import SyncPage

        self.sync_page = SyncPage(self.store, self.sync)
        self.sync_page.connect_requested.connect(self.open_sync_dialog)
        self.sync_page.start_for_real_requested.connect(self.open_settings)
        self.sync_page.changed.connect(self._after_import)
        self.sync_page.changed.connect(self.refresh_undo)
        self.sync_page.status_message.connect(self.show_message)
        self._put_page(SYNC, self.sync_page)

    def _create_network_page(self) -> None:
        from companion.ui.network.page import NetworkPage

        self.network_page = NetworkPage(self.store)
        self.network_page.map_requested.connect(self.show_catalysts_on_map)
        self.network_page.directory_requested.connect(self.open_actor)
        self.network_page.changed.connect(self.refresh_undo)
        self.network_page.status_message.connect(self.show_message)
        self.network_page.join_requested.connect(self.open_sync_dialog)
        self._put_page(NETWORK, self.network_page)

    def _create_territory_page(self) -> None:
        from companion.ui.territory.page import TerritoryPage

        self.territory_page = TerritoryPage(self.store)
        self.territory_page.directory_requested.connect(self.open_actor)
        self.territory_page.actor_added.connect(self._after_import)  # shown everywhere
        self.territory_page.actor_added.connect(lambda _id: self.refresh_undo())
        self.territory_page.status_message.connect(self.show_message)
        self._put_page(TERRITORIES, self.territory_page)

    def open_territory(self, level: str, code: str) -> None:
        """The Territoires section on this territory ("departement", "69"), from the map or
        the search."""
        self.show_section(TERRITORIES)
        if self.territory_page is not None:
            self.territory_page.open_territory(level, code)

    def show_selection_network(self, actor_ids: list[str]) -> None:
        """The ecosystem of the directory's selected actors, in the Territoires section."""
        if not actor_ids:
            return
        self.show_section(TERRITORIES)
        if self.territory_page is not None:
            self.territory_page.show_selection(actor_ids)

    def open_catalyst_profile(self, actor_id: str) -> None:
        """Show a catalyst's profile in the Réseau section (from the map's card)."""
        self.show_section(NETWORK)
        if self.network_page is not None:
            self.network_page.show_profile(actor_id)

    def show_actors_on_map(self, actor_ids: list[str]) -> None:
        """The Carte, showing the directory's selected actors (Ctrl+Shift+M)."""
        if not actor_ids:
            return
        self.show_section(MAP)
        if self.map_page is not None:
            self.map_page.show_actors(actor_ids)

    def show_import_batch(self, batch_id: str) -> None:
        """The Annuaire, listing only what one import wrote (undoable from there)."""
        self.show_section(DIRECTORY)
        self.directory.show_batch(batch_id)

    def place_actor_on_map(self, actor_id: str) -> None:
        """The Carte, with the actor's pin to drag to where it really is."""
        self.show_section(MAP)
        if self.map_page is not None:
            self.map_page.place_actor(actor_id)

    def show_catalysts_on_map(self, bounds: tuple | None, region: str = "") -> None:
        """The Carte, showing catalysts only, fitted to ``bounds``."""
        self.show_section(MAP)
        if self.map_page is not None:
            self.map_page.show_catalysts(bounds, region)

    def show_sync_section(self) -> None:
        self.show_section(SYNC)

    def sync_now(self) -> None:
        """F9: sync with the hub in the background; without a hub, the connection dialog."""
        if not self.sync.hub_url():
            self.open_sync_dialog()
        elif not self.sync.sync_now():
            self.show_message(_("Une synchronisation est déjà en cours."))

    def open_sync_dialog(self) -> None:
        """The hub's address and token; saving them starts a sync. Not for the demo."""
        from companion.ui.sync.connect_dialog import open_connect_dialog

        if self.sync.demo:
            self.show_section(SYNC)  # its notice says why, and how to start for real
            self.show_message(
                _("Le réseau de démonstration ne se synchronise pas : ouvrez un dossier vide.")
            )
            return

        self.sync_dialog = open_connect_dialog(self, self.sync, self.sync_dialog)

    def closeEvent(self, event: QCloseEvent) -> None:
        # Nothing may touch the store once the window is closed (it is closed next).
        self.closed = True
        self.sync.stop()
        super().closeEvent(event)

    def _on_toolbox_received(self) -> None:
        if self.toolbox_page is not None:
            self.toolbox_page.refresh()

    def _install_toolbox(self) -> None:
        if self.closed:  # closed before the delay: its store may be closed too
            return
        from companion.ui.toolbox.install import install_in_background

        self.toolbox_install = install_in_background(self.store.path, self)
        self.toolbox_install.succeeded.connect(self._toolbox_installed)
        self.toolbox_install.failed.connect(self._toolbox_install_failed)

    def open_again(self, size: QSize) -> MainWindow | None:
        """A new window on this window's data folder, in its place (``successor``: the
        app closes the last one at exit). None: the folder could not be opened again
        (``open_data_folder`` told the user why)."""
        from companion.ui.shell.startup import open_data_folder

        store = open_data_folder(self.store.path.parent)
        if store is None:
            return None
        window = MainWindow(store)
        window.resize(size)
        window.show()
        self.successor = window
        return window

    def backup_scheduler(self) -> BackupScheduler:
        """The automatic and manual backups of this window's database."""
        if self.backups is None:
            from companion.ui.data.backup_scheduler import BackupScheduler

            self.backups = BackupScheduler(self)
        return self.backups

    def _check_backups(self) -> None:
        if not self.closed:  # closed before the delay: its store may be closed too
            self.backup_scheduler().check()

    def _toolbox_installed(self, report: InstallReport) -> None:
        if self.closed:
            return
        if self.toolbox_page is not None and not report.up_to_date:
            self.toolbox_page.refresh()
        if report.problems:
            count = len(report.problems)
            text = ngettext(
                "Boîte à outils : {n} élément n'a pas pu être installé",
                "Boîte à outils : {n} éléments n'ont pas pu être installés",
                count,
            )
            self.show_message(text.format(n=count))

    def _toolbox_install_failed(self, error: BaseException) -> None:
        self.show_message(
            _("La boîte à outils n'a pas pu être mise à jour : {error}").format(error=error)
        )

    def run_action(self, name: str) -> None:
        """An action a toolbox item links to (``companion://action/<name>``)."""
        if name == "presentation":
            self.show_section(MAP)
            if self.map_page is not None:
                self.map_page.presentation.enter()
        else:
            self.show_message(_("Action inconnue : « {name} »").format(name=name))

    def open_global_search(self) -> None:
        """Ctrl+K: one box over actors, people, exchanges and the toolbox."""
        from companion.ui.shell.global_search import open_global_search

        self.global_search = open_global_search(self, self.open_search_hit, self.global_search)

    def open_settings(self) -> None:
        from companion.ui.shell.settings_dialog import SettingsDialog

        self.settings_dialog = SettingsDialog(self)
        self.settings_dialog.open()

    def open_about(self) -> None:
        """Aide › À propos: version, licences, data sources and theirs."""
        from companion.ui.shell.help_dialogs import AboutDialog

        self.help_dialog = AboutDialog(self)
        self.help_dialog.open()

    def open_getting_started(self) -> None:
        """Aide › Prise en main: five things to try first, each a button that does it."""
        from companion.ui.shell.help_dialogs import GettingStartedDialog

        steps = [
            (
                _("Explorer la carte"),
                _("Cliquez sur un acteur pour ouvrir sa fiche ; F5 présente la carte en plein "
                  "écran, pour un atelier ou des élus."),
                _("Ouvrir la carte"),
                lambda: self.show_section(MAP),
            ),
            (
                _("Ajouter votre premier acteur"),
                _("Une association, une entreprise, une collectivité… placée sur la carte par "
                  "sa commune ou son adresse (Ctrl+N)."),
                _("Nouvel acteur…"),
                self.new_actor,
            ),
            (
                _("Importer un tableur ou une carte"),
                _("Un fichier Excel ou CSV, une carte uMap, un carnet d'adresses : vérifié "
                  "ligne par ligne avant l'import, qui peut être annulé d'un coup (Ctrl+I)."),
                _("Importer…"),
                self.open_import_wizard,
            ),
            (
                _("Lire le guide « Cartographier son écosystème »"),
                _("La boîte à outils du réseau : guides, méthodes et modèles, lisibles sans "
                  "connexion."),
                _("Ouvrir le guide"),
                self._open_guide,
            ),
            (
                _("Rejoindre votre réseau"),
                _("Connectez-vous au hub de votre réseau pour partager vos fiches et recevoir "
                  "celles des autres catalyseurs."),
                _("Se connecter à un hub…"),
                self.open_sync_dialog,
            ),
        ]  # fmt: skip
        self.help_dialog = GettingStartedDialog(steps, self)
        self.help_dialog.open()

    def _open_guide(self) -> None:
        self.open_toolbox_item(GETTING_STARTED_GUIDE)

    def open_toolbox_item(self, slug: str) -> None:
        self.show_section(TOOLBOX)
        if self.toolbox_page is not None:
            self.toolbox_page.reader.open_slug(slug)

    def open_shortcuts(self) -> None:
        from companion.ui.shell.shortcuts_dialog import open_shortcuts

        self.shortcuts_dialog = open_shortcuts(self)

    def open_search_hit(self, entity: str, record_id: str) -> None:
        """Show a search result where it lives: a card in the directory, a toolbox page,
        a territory's profile."""
        if entity == "actor":
            self.open_actor(record_id)
        elif entity == "person":
            self.show_section(DIRECTORY)
            self.directory.show_people()
            self.directory.people.show_person(record_id)
        elif entity == "interaction":
            interaction = self.store.get_interaction(record_id)
            if interaction and interaction.actor_id:
                self.open_actor(interaction.actor_id)  # the exchange is on the actor's timeline
            elif interaction and interaction.person_id:
                self.open_search_hit("person", interaction.person_id)
        elif entity == "toolbox":
            self.show_section(TOOLBOX)
            if self.toolbox_page is not None:
                self.toolbox_page.open_item(record_id)
        elif entity == "territory":
            level, _sep, code = record_id.partition(":")
            self.open_territory(level, code)

    def _on_actor_added(self, _actor_id: str) -> None:
        self.directory.refresh()
        self.update_status()
        self.refresh_undo()

    def _on_presentation(self, on: bool) -> None:
        """Presentation mode: only the map shows (the map page handles full screen)."""
        self.sidebar.setVisible(not on)
        self.statusBar().setVisible(not on)
        self.menuBar().setVisible(not on)

    def open_actor(self, actor_id: str) -> None:
        """Show an actor in the directory: searched by name, selected, its card open."""
        actor = self.store.get_actor(actor_id)
        if actor is None:
            return
        self.show_section(DIRECTORY)
        directory = self.directory
        directory.show_actors()
        directory.search_box.setText(actor.name)
        directory.apply_search()
        directory.model.actor_at(0)  # reads the first page of results
        row = directory.model.row_of(actor_id)
        if row is not None:
            directory.table.selectRow(row)
            directory.table.scrollTo(directory.model.index(row, 0))
        directory.card.show_actor(actor_id)

    def _add_menus(self) -> None:
        from companion.ui.shell.menus import build_menus

        self.actions_by_name = build_menus(self)

    @staticmethod
    def section_titles() -> list[tuple[str, str]]:
        return _sections()

    def new_actor(self) -> None:
        """Ctrl+N: the actor form, anywhere (no map point); the new actor opens afterwards."""
        from companion.ui.directory.actor_form import ActorForm, open_gazetteer

        gazetteer, notice = open_gazetteer()
        form = ActorForm(self.store, gazetteer=gazetteer, notice=notice, parent=self)
        form.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        form.finished.connect(self._actor_form_closed)
        self.actor_form = form
        form.open()

    def _actor_form_closed(self, _result: int) -> None:
        form, self.actor_form = self.actor_form, None
        if form is None:
            return
        if form.gazetteer is not None:
            form.gazetteer.close()
        if form.actor is not None:
            self._on_actor_added(form.actor.id)
            self.open_actor(form.actor.id)

    def new_person(self) -> None:
        """Ctrl+Shift+N: the person form, from the directory's people tab."""
        self.show_section(DIRECTORY)
        self.directory.show_people()
        self.directory.people.new_person()

    def open_duplicates(self) -> None:
        from companion.ui.directory.duplicates_dialog import open_duplicates_dialog

        self.duplicates_dialog = open_duplicates_dialog(self, self.store)
        self.duplicates_dialog.changed.connect(self._on_directory_changed)
        self.duplicates_dialog.changed.connect(self.directory.refresh)
        self.duplicates_dialog.status_message.connect(self.show_message)

    def open_review(self) -> None:
        self.show_section(DIRECTORY)
        self.directory.show_people()
        self.directory.people.open_review()

    def open_recent_imports(self, _checked: bool = False) -> None:
        """The imports of this laptop: one is listed alone in the directory (to undo it)."""
        from companion.ui.data.recent_imports import RecentImportsDialog

        RecentImportsDialog(self.store, self.show_import_batch, self).open()

    def open_import_wizard(self, _checked: bool = False) -> None:
        """Ctrl+I: import a file; the directory, the map and the counts show it afterwards."""
        from companion.ui.data.import_wizard import open_import_wizard  # loaded on first use

        open_import_wizard(
            self, self.store, self._after_import, self.show_actors_on_map, self.show_import_batch
        )

    def _after_import(self, _outcome: object = None) -> None:
        self.directory.refresh()
        if self.map_page is not None:
            self.map_page.refresh()
        if self.network_page is not None:
            self.network_page.refresh()
        if self.territory_page is not None:
            self.territory_page.refresh()
        self.update_status()

    # -- undo -------------------------------------------------------------------

    def _add_undo_action(self) -> None:
        self.undo_action = QAction(_("Annuler"), self)
        self.undo_action.setShortcut(QKeySequence(QKeySequence.StandardKey.Undo))
        self.undo_action.triggered.connect(self.undo)
        self.refresh_undo()

    def refresh_undo(self) -> None:
        """Name the step Ctrl+Z would undo ("Annuler : Supprimer 3 acteurs"), or disable it."""
        step = self.store.journal.last()
        self.undo_action.setEnabled(step is not None)
        text = _("Annuler : {label}").format(label=step.label) if step else _("Annuler")
        self.undo_action.setText(text)

    def undo(self) -> None:
        """Undo the last user action, then show its result everywhere."""
        step = self.store.journal.undo()
        if step is not None:
            self.directory.refresh()
            if self.map_page is not None:
                self.map_page.refresh()
            if self.network_page is not None:
                self.network_page.refresh()
            if self.territory_page is not None:
                self.territory_page.refresh()
            self.update_status()
            self.show_message(_("Annulé : {label}").format(label=step.label))
        self.refresh_undo()

    def _on_directory_changed(self) -> None:
        if self.map_page is not None:
            self.map_page.refresh()
        if self.network_page is not None:  # a catalyst renamed, moved or deleted
            self.network_page.refresh()
        if self.territory_page is not None:
            self.territory_page.refresh()
        self.update_status()
        self.refresh_undo()

    def show_message(self, text: str) -> None:
        self.statusBar().showMessage(text, MESSAGE_MS)

    def changeEvent(self, event: QEvent) -> None:
        # A dialog of another part (a merge, an edit) may have recorded a step meanwhile.
        if event.type() == QEvent.Type.ActivationChange and self.isActiveWindow():
            self.refresh_undo()
        super().changeEvent(event)

    def show_section(self, index: int) -> None:
        self.sidebar.setCurrentRow(index)

    def current_section(self) -> int:
        return self.pages.currentIndex()

    def find_actor(self) -> None:
        """Ctrl+F: the toolbox's search box there, else the directory's."""
        if self.current_section() == TOOLBOX and self.toolbox_page is not None:
            self.toolbox_page.focus_search()
            return
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
        self.sync.notify()  # the pending count follows local edits
