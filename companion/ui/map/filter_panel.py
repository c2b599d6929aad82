"""The Carte page's side panel: what the map shows (kinds, tags, territory, text, relations)."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QColor, QIcon, QPainter, QPixmap
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from companion.domain import ACTOR_KINDS, RELATION_TYPES, label
from companion.i18n import _
from companion.maps import basemap
from companion.maps.filters import MapFilter
from companion.maps.style import KIND_COLOURS, RELATION_STYLES
from companion.text import sort_key

TEXT_DEBOUNCE_MS = 250
VISIBILITY_CHOICES = ("", "network", "private")


def swatch(colour: str, size: int = 12) -> QIcon:
    """A small filled disc of ``colour``, for legends in lists."""
    pixmap = QPixmap(size, size)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setBrush(QColor(colour))
    painter.setPen(QColor("#ffffff"))
    painter.drawEllipse(1, 1, size - 2, size - 2)
    painter.end()
    return QIcon(pixmap)


def _add_check(
    widget: QListWidget, code: str, text: str, item_icon: QIcon | None, checked: bool
) -> None:
    item = QListWidgetItem(text)
    if item_icon is not None:
        item.setIcon(item_icon)
    item.setData(Qt.ItemDataRole.UserRole, code)
    item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
    item.setCheckState(Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)
    widget.addItem(item)


def _codes(widget: QListWidget) -> list[str]:
    return [widget.item(row).data(Qt.ItemDataRole.UserRole) for row in range(widget.count())]


def _check_only(widget: QListWidget, codes: frozenset[str] | None) -> None:
    """Check the items whose code is in ``codes``; all of them for None."""
    for row in range(widget.count()):
        item = widget.item(row)
        on = codes is None or item.data(Qt.ItemDataRole.UserRole) in codes
        item.setCheckState(Qt.CheckState.Checked if on else Qt.CheckState.Unchecked)


def _select(combo: QComboBox, code: str) -> None:
    """Select the entry whose data is ``code`` (the first, "all", when it is not listed)."""
    combo.setCurrentIndex(max(0, combo.findData(code)))


def _checklist(items: list[tuple[str, str, QIcon | None]], checked: bool) -> QListWidget:
    widget = QListWidget()
    for code, text, item_icon in items:
        _add_check(widget, code, text, item_icon, checked)
    rows = max(1, min(len(items), 9))
    # As tall as its rows really are (the font's height is a poor guess beside an icon).
    row_height = widget.sizeHintForRow(0) if items else widget.fontMetrics().height() + 6
    widget.setFixedHeight(rows * row_height + 2 * widget.frameWidth() + 2)
    return widget


def _checked(widget: QListWidget) -> list[str]:
    return [
        widget.item(row).data(Qt.ItemDataRole.UserRole)
        for row in range(widget.count())
        if widget.item(row).checkState() == Qt.CheckState.Checked
    ]


class MapFilterPanel(QWidget):
    """Emits ``filter_changed`` with a new MapFilter whenever the user changes a control."""

    filter_changed = Signal(object)  # MapFilter

    def __init__(self, tags: list[str], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.text = QLineEdit()
        self.text.setPlaceholderText(_("Rechercher sur la carte…"))
        self.text.setClearButtonEnabled(True)
        self._text_timer = QTimer(self)
        self._text_timer.setSingleShot(True)
        self._text_timer.setInterval(TEXT_DEBOUNCE_MS)
        self._text_timer.timeout.connect(self._emit)
        self.text.textChanged.connect(self._text_timer.start)
        self.text.returnPressed.connect(self._emit)

        self.kinds = _checklist(
            [(c, label(ACTOR_KINDS, c), swatch(KIND_COLOURS[c])) for c in ACTOR_KINDS], True
        )
        self.tags = _checklist([(name, name, None) for name in tags], False)
        self.region = QComboBox()
        self.region.addItem(_("Toutes les régions"), "")
        for region in _territories(basemap.regions):
            self.region.addItem(region.name, region.code)
        self.departement = QComboBox()
        self._fill_departements()
        self.visibility = QComboBox()
        for code, text in zip(
            VISIBILITY_CHOICES, (_("Toutes les fiches"), _("Réseau"), _("Privées")), strict=True
        ):
            self.visibility.addItem(text, code)
        self.relations = QComboBox()
        for mode, text, tip in _relation_modes():
            self.relations.addItem(text, mode)
            self.relations.setItemData(self.relations.count() - 1, tip, Qt.ItemDataRole.ToolTipRole)
        self.relation_types = _checklist(
            [(c, label(RELATION_TYPES, c), swatch(RELATION_STYLES[c][0])) for c in RELATION_TYPES],
            True,
        )
        self.zones = QCheckBox(_("Afficher les zones importées"))
        self.zones.setToolTip(
            _("Périmètres, quartiers et autres surfaces ou lignes venues d'une carte uMap ou "
              "GeoJSON, dessinés sous les acteurs")
        )  # fmt: skip
        self.zones.setChecked(True)
        reset = QPushButton(_("Réinitialiser les filtres"))
        reset.clicked.connect(self.reset)

        territory = QFormLayout()
        territory.addRow(_("Région"), self.region)
        territory.addRow(_("Département"), self.departement)
        territory.addRow(_("Visibilité"), self.visibility)
        layout = QVBoxLayout(self)  # the text search is the page's, above the map
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(_group(_("Types d'acteurs"), self.kinds))
        layout.addWidget(_group(_("Étiquettes"), self.tags))
        layout.addLayout(territory)
        layout.addWidget(_group(_("Relations"), self.relations, self.relation_types))
        layout.addWidget(_group(_("Zones"), self.zones))
        layout.addWidget(reset)

        for widget in (self.kinds, self.tags, self.relation_types):
            widget.itemChanged.connect(self._emit)
        self.region.currentIndexChanged.connect(self._on_region_changed)
        self.departement.currentIndexChanged.connect(self._emit)
        self.visibility.currentIndexChanged.connect(self._emit)
        self.relations.currentIndexChanged.connect(self._emit)
        self.zones.toggled.connect(self._emit)
        self._quiet = False

    def current_filter(self) -> MapFilter:
        """The filter the controls describe now."""
        kinds = _checked(self.kinds)
        tags = _checked(self.tags)
        types = _checked(self.relation_types)
        return MapFilter(
            kinds=None if len(kinds) == self.kinds.count() else frozenset(kinds),
            tags=frozenset(tags) if tags else None,
            region=self.region.currentData() or "",
            departement=self.departement.currentData() or "",
            visibility=self.visibility.currentData() or "",
            text=self.text.text().strip(),
            relation_types=None if len(types) == self.relation_types.count() else frozenset(types),
            relations=self.relations.currentData() or "auto",
            zones=self.zones.isChecked(),
        )

    def set_filter(self, spec: MapFilter) -> None:
        """Set every control from ``spec`` (a saved view), then emit ``filter_changed`` once."""
        self._quiet = True
        try:
            for name in sorted(spec.tags or (), key=sort_key):
                if name not in _codes(self.tags):
                    _add_check(self.tags, name, name, None, checked=False)
            _check_only(self.kinds, spec.kinds)
            _check_only(self.tags, spec.tags if spec.tags is not None else frozenset())
            _check_only(self.relation_types, spec.relation_types)
            _select(self.region, spec.region)  # refills the départements
            _select(self.departement, spec.departement)
            _select(self.visibility, spec.visibility)
            _select(self.relations, spec.relations)
            self.zones.setChecked(spec.zones)
            self.text.setText(spec.text)
            self._text_timer.stop()
        finally:
            self._quiet = False
        self._emit()

    def reset(self) -> None:
        """Back to "show everything"."""
        self._quiet = True
        try:
            for widget, state in (
                (self.kinds, True),
                (self.tags, False),
                (self.relation_types, True),
            ):
                for row in range(widget.count()):
                    widget.item(row).setCheckState(
                        Qt.CheckState.Checked if state else Qt.CheckState.Unchecked
                    )
            self.region.setCurrentIndex(0)
            self.visibility.setCurrentIndex(0)
            self.relations.setCurrentIndex(0)
            self.zones.setChecked(True)
            self.text.clear()
            self._text_timer.stop()
        finally:
            self._quiet = False
        self._emit()

    def _fill_departements(self) -> None:
        region = self.region.currentData() or ""
        self.departement.blockSignals(True)
        self.departement.clear()
        self.departement.addItem(_("Tous les départements"), "")
        for dep in _territories(basemap.departements):
            if not region or dep.region == region:
                self.departement.addItem(f"{dep.code} – {dep.name}", dep.code)
        self.departement.blockSignals(False)

    def _on_region_changed(self) -> None:
        self._fill_departements()
        self._emit()

    def _emit(self) -> None:
        self._text_timer.stop()
        if not self._quiet:
            self.filter_changed.emit(self.current_filter())


def _territories(read: Callable[[], list[basemap.Territory]]) -> list[basemap.Territory]:
    """Régions or départements; none when the outlines were not built (no territory filter)."""
    try:
        return read()
    except basemap.BasemapMissing:
        return []


def _group(title: str, *widgets: QWidget) -> QGroupBox:
    box = QGroupBox(title)
    layout = QVBoxLayout(box)
    layout.setContentsMargins(6, 6, 6, 6)
    for widget in widgets:
        layout.addWidget(widget)
    return box


def _relation_modes() -> list[tuple[str, str, str]]:
    """(mode, label, tooltip) of each choice of relations (maps/filters.py), default first."""
    return [
        ("auto", _("Autour de l'acteur choisi"),
         _("Les relations de l'acteur dont la fiche est ouverte ; toutes celles d'une "
           "région ou d'un département filtré")),
        ("all", _("Toutes"), _("Toutes les relations entre les acteurs affichés")),
        ("flows", _("Flux entre départements"),
         _("Une ligne par paire de départements, d'autant plus épaisse qu'elle compte de "
           "relations")),
        ("none", _("Aucune"), _("Pas de lignes sur la carte")),
    ]  # fmt: skip
