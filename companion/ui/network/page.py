"""The Réseau section: every catalyst as a card, filters, "who near me practises X", profiles.

Built the first time the section is shown. The list is filtered in memory
(about 350 catalysts); cards are built a page at a time. The profile of the
chosen catalyst shows on the right; the user's own catalyst's is editable.
"""

from __future__ import annotations

from PySide6.QtCore import QLocale, Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFormLayout,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QScrollArea,
    QSplitter,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from companion.domain import METIERS, label
from companion.i18n import _, current_language, ngettext
from companion.network import profiles
from companion.network.profiles import Catalyst, CatalystFilter, Nearby
from companion.network.territories import Place
from companion.store import Store
from companion.text import sort_key
from companion.ui.common.commune_field import CommuneField
from companion.ui.common.empty_state import EmptyState
from companion.ui.common.formatting import format_number
from companion.ui.directory.actor_form import open_gazetteer
from companion.ui.network.catalyst_card import CatalystCard
from companion.ui.network.catalyst_profile_form import ProfileForm
from companion.ui.network.catalyst_profile_view import ProfileView

PAGE_SIZE = 40  # cards built at a time
NEAR_LIMIT = 15

Bounds = tuple[float, float, float, float]


class NetworkPage(QWidget):
    """Cards and filters on the left; "near me" and the chosen profile on the right."""

    map_requested = Signal(object, str)  # bounds (or None), région code: show on the map
    directory_requested = Signal(str)  # open this actor in the directory
    changed = Signal()  # a profile was saved
    status_message = Signal(str)
    join_requested = Signal()  # no catalyst yet: « Rejoindre mon réseau… »

    def __init__(self, store: Store, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.store = store
        self.gazetteer, notice = open_gazetteer()
        self.all: list[Catalyst] = []
        self.shown: list[Catalyst] = []
        self.cards: list[CatalystCard] = []
        self.nearby: list[Nearby] = []
        self.form: ProfileForm | None = None
        self.own: Catalyst | None = None

        self.search = QLineEdit()
        self.search.setPlaceholderText(_("Rechercher un catalyseur, une structure, un thème…"))
        self.search.setClearButtonEnabled(True)
        self.metier = self._metier_combo(_("Tous les métiers"))
        self.region = QComboBox()
        self.region.addItem(_("Toutes les régions"), "")
        if self.gazetteer is not None:
            for code, name in sorted(self.gazetteer.regions(), key=lambda r: sort_key(r[1])):
                self.region.addItem(name, code)
        self.region.setEnabled(self.gazetteer is not None)
        self.theme = QComboBox()
        self.count_label = QLabel()
        self.count_label.setTextFormat(Qt.TextFormat.PlainText)
        self.map_button = QPushButton(_("Voir sur la carte"))
        self.own_button = QPushButton(_("Mon profil"))
        self.more_button = QPushButton()
        self.cards_box = QWidget()
        self.cards_layout = QVBoxLayout(self.cards_box)
        self.cards_layout.setAlignment(Qt.AlignmentFlag.AlignTop)
        self.cards_layout.setContentsMargins(0, 0, 6, 0)

        self.near_metier = self._metier_combo(_("Tous les métiers"))
        self.near_commune = CommuneField(self.gazetteer)
        self.near_button = QPushButton(_("Chercher"))
        self.near_list = QListWidget()
        self.near_list.setMaximumHeight(self.fontMetrics().height() * 9)
        self.near_list.hide()  # until a search: no empty box
        self.profile_view = ProfileView(self.gazetteer)

        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(self._build_list_side(notice))
        splitter.addWidget(self._build_profile_side())
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        splitter.setSizes([600, 400])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 6, 8, 6)
        layout.addWidget(splitter)

        self.search.textChanged.connect(self.apply_filters)
        for combo in (self.metier, self.region, self.theme):
            combo.currentIndexChanged.connect(self.apply_filters)
        self.map_button.clicked.connect(self.show_list_on_map)
        self.own_button.clicked.connect(self.show_own_profile)
        self.more_button.clicked.connect(self.show_more)
        self.near_button.clicked.connect(self.find_near)
        self.near_metier.currentIndexChanged.connect(self._on_near_metier_changed)
        self.near_commune.edited.connect(self._on_near_commune_edited)
        self.near_list.itemActivated.connect(self._on_near_item)
        self.near_list.itemClicked.connect(self._on_near_item)
        self.profile_view.edit_requested.connect(self.edit_profile)
        self.profile_view.map_requested.connect(self.show_catalyst_on_map)
        self.profile_view.directory_requested.connect(self.directory_requested)
        self.refresh()
        self._default_near_commune()

    def _metier_combo(self, everything: str) -> QComboBox:
        combo = QComboBox()
        combo.addItem(everything, "")
        for code in METIERS:
            combo.addItem(label(METIERS, code), code)
        return combo

    def _build_list_side(self, notice: str) -> QWidget:
        filters = QHBoxLayout()
        filters.addWidget(self.metier, 1)
        filters.addWidget(self.region, 1)
        filters.addWidget(self.theme, 1)
        status = QHBoxLayout()
        status.addWidget(self.count_label, 1)
        status.addWidget(self.own_button)
        status.addWidget(self.map_button)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        holder = QWidget()
        holder_layout = QVBoxLayout(holder)
        holder_layout.setContentsMargins(0, 0, 0, 0)
        holder_layout.addWidget(self.cards_box)
        holder_layout.addWidget(self.more_button)
        holder_layout.addStretch(1)
        scroll.setWidget(holder)
        self.scroll = scroll
        # No catalyst at all yet: what the section is for, and how it fills.
        self.empty = EmptyState(
            _("Les catalyseurs du réseau"),
            _(
                "Ici, les catalyseurs du réseau : qui fait quoi, où, avec quels métiers, et qui "
                "pratique un métier près de chez vous. Leurs profils arrivent avec la "
                "synchronisation : rejoignez votre réseau pour les recevoir."
            ),
            [(_("Rejoindre mon réseau…"), self.join_requested.emit)],
        )
        self.list_stack = QStackedWidget()
        self.list_stack.addWidget(scroll)
        self.list_stack.addWidget(self.empty)
        side = QWidget()
        layout = QVBoxLayout(side)
        layout.setContentsMargins(0, 0, 4, 0)
        if notice:
            warning = QLabel(notice)
            warning.setTextFormat(Qt.TextFormat.PlainText)
            warning.setWordWrap(True)
            layout.addWidget(warning)
        layout.addWidget(self.search)
        layout.addLayout(filters)
        layout.addLayout(status)
        layout.addWidget(self.list_stack, 1)
        return side

    def _build_profile_side(self) -> QWidget:
        near = QGroupBox(_("Qui pratique… près de moi ?"))
        form = QFormLayout(near)
        form.addRow(_("Métier"), self.near_metier)
        form.addRow(_("Près de"), self.near_commune)
        form.addRow(self.near_button)
        form.addRow(self.near_list)
        side = QWidget()
        layout = QVBoxLayout(side)
        layout.setContentsMargins(4, 0, 0, 0)
        layout.addWidget(near)
        layout.addWidget(self.profile_view, 1)
        return side

    # -- the list -------------------------------------------------------------

    def refresh(self) -> None:
        """Read the catalysts again (after a save, an undo, a sync); filters and profile stay."""
        self.all = profiles.catalysts(self.store)
        self.own = profiles.own_catalyst(self.store)
        self.own_button.setEnabled(self.own is not None)
        self._fill_themes()
        self.apply_filters()
        if self.profile_view.actor_id:
            self.show_profile(self.profile_view.actor_id)

    def _fill_themes(self) -> None:
        current = self.theme.currentData() or ""
        self.theme.blockSignals(True)
        self.theme.clear()
        self.theme.addItem(_("Tous les thèmes"), "")
        for theme in profiles.themes_in_use(self.store):
            self.theme.addItem(theme, theme)
        index = self.theme.findData(current)
        self.theme.setCurrentIndex(max(0, index))
        self.theme.blockSignals(False)

    def current_filter(self) -> CatalystFilter:
        return CatalystFilter(
            metier=self.metier.currentData() or "",
            region=self.region.currentData() or "",
            theme=self.theme.currentData() or "",
            text=self.search.text(),
        )

    def apply_filters(self) -> None:
        self.shown = profiles.filter_catalysts(self.all, self.current_filter(), self.gazetteer)
        count = len(self.shown)
        self.count_label.setText(
            ngettext("{n} catalyseur", "{n} catalyseurs", count).format(n=format_number(count))
        )
        self.map_button.setEnabled(count > 0)
        self.list_stack.setCurrentWidget(self.empty if not self.all else self.scroll)
        self._clear_cards()
        self.show_more()
        self.scroll.verticalScrollBar().setValue(0)

    def show_more(self) -> None:
        """Build the next page of cards."""
        start = len(self.cards)
        own_id = self.own.actor_id if self.own else None
        for catalyst in self.shown[start : start + PAGE_SIZE]:
            card = CatalystCard(catalyst, self.gazetteer, catalyst.actor_id == own_id)
            card.chosen.connect(self.show_profile)
            card.profile_button.clicked.connect(self._on_card_profile)
            card.map_button.clicked.connect(self._on_card_map)
            self.cards_layout.addWidget(card)
            self.cards.append(card)
        left = len(self.shown) - len(self.cards)
        following = min(left, PAGE_SIZE)
        text = ngettext(
            "Afficher {n} catalyseur de plus", "Afficher {n} catalyseurs de plus", following
        )
        self.more_button.setText(text.format(n=following))
        self.more_button.setVisible(left > 0)

    def _clear_cards(self) -> None:
        for card in self.cards:
            card.setParent(None)
            card.deleteLater()
        self.cards = []

    def _on_card_profile(self) -> None:
        self.show_profile(str(self.sender().property("actor_id")))

    def _on_card_map(self) -> None:
        self.show_catalyst_on_map(str(self.sender().property("actor_id")))

    # -- profiles -------------------------------------------------------------

    def show_profile(self, actor_id: str) -> bool:
        """Show a catalyst's profile on the right; False if it is no (live) catalyst."""
        catalyst = profiles.get_catalyst(self.store, actor_id)
        if catalyst is None:
            self.profile_view.clear()
            return False
        self.profile_view.show_catalyst(catalyst, profiles.can_edit(self.store, catalyst))
        return True

    def show_own_profile(self) -> None:
        if self.own is not None:
            self.show_profile(self.own.actor_id)

    def edit_profile(self, actor_id: str) -> ProfileForm | None:
        """Open the profile form (window-modal); the list and profile follow on save."""
        catalyst = profiles.get_catalyst(self.store, actor_id)
        if catalyst is None or not profiles.can_edit(self.store, catalyst):
            return None
        form = ProfileForm(self.store, catalyst, self.gazetteer, self)
        form.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        form.finished.connect(self._on_form_finished)
        self.form = form
        form.open()
        return form

    def _on_form_finished(self, result: int) -> None:
        form, self.form = self.form, None
        if form is None or result != QDialog.DialogCode.Accepted or form.saved is None:
            return
        self.refresh()
        self.show_profile(form.saved.actor_id)
        self.status_message.emit(_("Profil enregistré — Ctrl+Z pour annuler"))
        self.changed.emit()

    # -- the map --------------------------------------------------------------

    def show_list_on_map(self) -> None:
        self.map_requested.emit(profiles.bounds(self.shown), self.region.currentData() or "")

    def show_catalyst_on_map(self, actor_id: str) -> None:
        catalyst = profiles.get_catalyst(self.store, actor_id)
        if catalyst is not None:
            self.map_requested.emit(profiles.bounds([catalyst]), "")

    # -- who near me practises X ----------------------------------------------

    def _default_near_commune(self) -> None:
        """The user's own catalyst's commune, if known."""
        if self.gazetteer is None or self.own is None or not self.own.insee_code:
            return
        commune = self.gazetteer.by_insee(self.own.insee_code)
        if commune is not None:
            self.near_commune.choose(commune)
            self.find_near()

    def find_near(self) -> list[Nearby]:
        """List the catalysts of the chosen métier nearest to the chosen commune."""
        self.near_list.clear()
        self.near_list.show()
        problem = self.near_commune.problem()
        commune = self.near_commune.commune
        if problem or commune is None:
            self._near_line(problem or _("Choisissez une commune."))
            self.nearby = []
            return []
        metier = self.near_metier.currentData() or ""
        self.nearby = profiles.near(
            self.store, metier, Place.of_commune(commune), self.gazetteer, NEAR_LIMIT
        )
        for hit in self.nearby:
            item = QListWidgetItem(near_text(hit))
            item.setData(Qt.ItemDataRole.UserRole, hit.catalyst.actor_id)
            self.near_list.addItem(item)
        if not self.nearby:
            self._near_line(_("Aucun catalyseur ne pratique ce métier pour l'instant."))
        return self.nearby

    def _near_line(self, text: str) -> None:
        item = QListWidgetItem(text)
        item.setFlags(Qt.ItemFlag.NoItemFlags)
        self.near_list.addItem(item)

    def _on_near_metier_changed(self) -> None:
        if self.near_commune.commune is not None:
            self.find_near()

    def _on_near_commune_edited(self) -> None:
        if self.near_commune.commune is not None:  # picked in the list
            self.find_near()

    def _on_near_item(self, item: QListWidgetItem) -> None:
        actor_id = item.data(Qt.ItemDataRole.UserRole)
        if actor_id:
            self.show_profile(actor_id)


def near_text(hit: Nearby) -> str:
    """ "Pôle X (Lyon) — 12 km", or "… — agit sur ce territoire"."""
    name = hit.catalyst.name
    if hit.acts_here:
        return _("{name} — agit sur ce territoire").format(name=name)
    return _("{name} — {km} km").format(name=name, km=distance_text(hit.distance_km))


def distance_text(km: float) -> str:
    """Whole kilometres from 10 km, one decimal below (``2,4`` in French)."""
    if km >= 10:
        return format_number(round(km))
    language = QLocale.Language.English if current_language() == "en" else QLocale.Language.French
    return QLocale(language).toString(km, "f", 1)
