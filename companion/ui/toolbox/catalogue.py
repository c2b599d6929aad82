"""The toolbox's catalogue: every item, the favourites or the recent ones, filtered and searched.

Searching runs as the user types (after a short pause): the list then shows
each match's title and a passage with the matched words in bold. The theme and
type filters show how many items each choice would keep ("Guides (8)").
"""

from __future__ import annotations

import html
from dataclasses import dataclass

from PySide6.QtCore import QEvent, QModelIndex, QObject, QSize, Qt, QTimer, Signal
from PySide6.QtGui import (
    QAbstractTextDocumentLayout,
    QKeyEvent,
    QPainter,
    QPalette,
    QStandardItem,
    QStandardItemModel,
    QTextDocument,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListView,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTabBar,
    QVBoxLayout,
    QWidget,
)

from companion.i18n import N_, _, ngettext
from companion.store import Store
from companion.toolbox import personal, search
from companion.toolbox.items import THEMES, TYPES
from companion.toolbox.reader_html import kind_label, segments_html
from companion.toolbox.snippets import Segments
from companion.ui.common.formatting import format_number

SEARCH_DEBOUNCE_MS = 150
LIST_LIMIT = 200  # search hits listed at once (the count says how many match)
ALL, FAVOURITES, RECENT = range(3)
ITEM_ID = Qt.ItemDataRole.UserRole
RICH_TEXT = Qt.ItemDataRole.UserRole + 1
PADDING = 6

TYPE_PLURALS = {
    "guide": N_("Guides"),
    "fiche": N_("Fiches pratiques"),
    "modele": N_("Modèles"),
    "checklist": N_("Checklists"),
    "kit": N_("Kits atelier"),
}


@dataclass(frozen=True)
class Row:
    """One line of the list: an item, and with a search its highlighted title and passage."""

    id: str
    title: str
    summary: str
    theme: str
    type: str
    title_segments: Segments | None = None
    snippet: Segments | None = None

    def rich_text(self) -> str:
        title = (
            segments_html(self.title_segments) if self.title_segments else html.escape(self.title)
        )
        passage = segments_html(self.snippet) if self.snippet else html.escape(self.summary)
        return (
            f'<div style="font-size: large">{title}</div>'
            f'<div style="font-size: small">{html.escape(kind_label(self.type, self.theme))}</div>'
            f"<div>{passage}</div>"
        )


def _row(entry: search.CatalogueEntry | search.ToolboxHit, hit: search.ToolboxHit | None) -> Row:
    segments = (hit.title_segments, hit.snippet) if hit else (None, None)
    return Row(entry.id, entry.title, entry.summary, entry.theme, entry.type, *segments)


class RichTextDelegate(QStyledItemDelegate):
    """Paints a row's rich text (``RICH_TEXT`` role) below the usual selection background."""

    def _document(self, option: QStyleOptionViewItem, index: QModelIndex) -> QTextDocument:
        document = QTextDocument()
        document.setDefaultFont(option.font)
        document.setDocumentMargin(0)
        document.setHtml(index.data(RICH_TEXT) or "")
        width = option.rect.width()
        if width <= 0 and option.widget is not None:
            width = option.widget.viewport().width()
        document.setTextWidth(max(80, width - 2 * PADDING))
        return document

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: QModelIndex) -> None:
        options = QStyleOptionViewItem(option)
        self.initStyleOption(options, index)
        options.text = ""
        widget = option.widget
        style = widget.style() if widget is not None else None
        if style is not None:
            style.drawControl(QStyle.ControlElement.CE_ItemViewItem, options, painter, widget)
        document = self._document(option, index)
        context = QAbstractTextDocumentLayout.PaintContext()
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        role = QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text
        context.palette.setColor(QPalette.ColorRole.Text, option.palette.color(role))
        painter.save()
        painter.translate(option.rect.left() + PADDING, option.rect.top() + PADDING)
        document.documentLayout().draw(painter, context)
        painter.restore()

    def sizeHint(self, option: QStyleOptionViewItem, index: QModelIndex) -> QSize:  # noqa: N802
        document = self._document(option, index)
        return QSize(int(document.idealWidth()), int(document.size().height()) + 2 * PADDING)


class ToolboxCatalogue(QWidget):
    """The list of items with its search box, filters and views (all, favourites, recent)."""

    item_chosen = Signal(str)  # open this item (id)

    def __init__(self, store: Store, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.store = store
        self.rows: list[Row] = []
        self.views = QTabBar()
        self.views.setDocumentMode(True)
        self.views.setExpanding(False)
        for title in (_("Tout"), _("Favoris"), _("Récemment ouverts")):
            self.views.addTab(title)
        self.search_box = QLineEdit()
        self.search_box.setPlaceholderText(_("Rechercher dans la boîte à outils…"))
        self.search_box.setClearButtonEnabled(True)
        self.search_box.installEventFilter(self)
        self.theme_box = QComboBox()
        self.theme_box.setToolTip(_("Thème"))
        self.type_box = QComboBox()
        self.type_box.setToolTip(_("Type"))
        self.count_label = QLabel()
        self.count_label.setTextFormat(Qt.TextFormat.PlainText)
        self.model = QStandardItemModel(self)
        self.list = QListView()
        self.list.setModel(self.model)
        self.list.setItemDelegate(RichTextDelegate(self.list))
        self.list.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.list.setResizeMode(QListView.ResizeMode.Adjust)
        self.list.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.list.setWordWrap(True)
        self.list.setAlternatingRowColors(True)

        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(SEARCH_DEBOUNCE_MS)
        self._search_timer.timeout.connect(self.refresh)
        self.search_box.textChanged.connect(self._search_timer.start)
        self.search_box.returnPressed.connect(self.open_current)
        self.theme_box.activated.connect(self.refresh)
        self.type_box.activated.connect(self.refresh)
        self.views.currentChanged.connect(self.refresh)
        self.list.activated.connect(self._activated)
        # Like a mail client: a click shows the item beside the list, and so does moving
        # through the list with the arrow keys (not a refresh that moves the selection).
        self.list.clicked.connect(self._activated)
        self._filling = False
        self.list.selectionModel().currentChanged.connect(self._moved)

        filters = QHBoxLayout()
        filters.addWidget(self.theme_box, 1)
        filters.addWidget(self.type_box, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(self.views)
        layout.addWidget(self.search_box)
        layout.addLayout(filters)
        layout.addWidget(self.count_label)
        layout.addWidget(self.list, 1)
        self.refresh()

    # -- state ------------------------------------------------------------------

    def text(self) -> str:
        return self.search_box.text().strip()

    def chosen_theme(self) -> str | None:
        return self.theme_box.currentData() or None

    def chosen_type(self) -> str | None:
        return self.type_box.currentData() or None

    def show_view(self, view: int) -> None:
        """Tout, Favoris or Récemment ouverts."""
        self.views.setCurrentIndex(view)

    def focus_search(self) -> None:
        self.search_box.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search_box.selectAll()

    def item_ids(self) -> list[str]:
        return [row.id for row in self.rows]

    # -- listing ----------------------------------------------------------------

    def refresh(self) -> None:
        """List what the view, the search text and the filters keep (typing pauses call this)."""
        self._search_timer.stop()
        theme, kind, text = self.chosen_theme(), self.chosen_type(), self.text()
        if self.views.currentIndex() == ALL:
            rows, count, facets = self._all(theme, kind, text)
        else:
            rows, facets = self._personal(theme, kind, text)
            count = len(rows)
        self._fill_filters(facets)
        self._fill_list(rows)
        self.count_label.setText(self._count_text(count, bool(text)))

    def _all(
        self, theme: str | None, kind: str | None, text: str
    ) -> tuple[list[Row], int, search.Facets]:
        conn = self.store.conn
        facets = search.facets(conn, theme, kind, text)
        if text:
            hits = search.search(conn, text, theme, kind, limit=LIST_LIMIT)
            return (
                [_row(hit, hit) for hit in hits],
                search.count_matches(conn, text, theme, kind),
                facets,
            )
        entries = search.catalogue(conn, theme, kind)
        return [_row(entry, None) for entry in entries], len(entries), facets

    def _personal(
        self, theme: str | None, kind: str | None, text: str
    ) -> tuple[list[Row], search.Facets]:
        conn = self.store.conn
        if self.views.currentIndex() == FAVOURITES:
            entries = personal.favourites(conn)
        else:
            entries = personal.recent(conn, limit=personal.RECENT_KEPT)
        hits: dict[str, search.ToolboxHit] = {}
        if text:
            hits = {hit.id: hit for hit in search.search(conn, text, limit=10_000)}
            entries = [entry for entry in entries if entry.id in hits]
        themes: dict[str, int] = {}
        types: dict[str, int] = {}
        for entry in entries:
            if kind is None or entry.type == kind:
                themes[entry.theme] = themes.get(entry.theme, 0) + 1
            if theme is None or entry.theme == theme:
                types[entry.type] = types.get(entry.type, 0) + 1
        kept = [
            _row(entry, hits.get(entry.id))
            for entry in entries
            if (theme is None or entry.theme == theme) and (kind is None or entry.type == kind)
        ]
        return kept, search.Facets(themes, types)

    def _fill_filters(self, facets: search.Facets) -> None:
        def fill(box: QComboBox, everything: str, labels: dict[str, str], counts: dict[str, int]):
            chosen = box.currentData()
            box.blockSignals(True)
            box.clear()
            box.addItem(f"{everything} ({format_number(sum(counts.values()))})", "")
            for code, label in labels.items():
                box.addItem(f"{_(label)} ({format_number(counts.get(code, 0))})", code)
            box.setCurrentIndex(max(0, box.findData(chosen or "")))
            box.blockSignals(False)

        fill(self.theme_box, _("Tous les thèmes"), THEMES, facets.themes)
        fill(self.type_box, _("Tous les types"), {**TYPES, **TYPE_PLURALS}, facets.types)

    def _fill_list(self, rows: list[Row]) -> None:
        current = self.current_id()
        self.rows = rows
        self.model.clear()
        for row in rows:
            entry = QStandardItem(row.title)
            entry.setData(row.id, ITEM_ID)
            entry.setData(row.rich_text(), RICH_TEXT)
            entry.setToolTip(row.summary)
            self.model.appendRow(entry)
        if current in self.item_ids():
            self._filling = True  # the same item kept selected: not opened again
            try:
                self.list.setCurrentIndex(self.model.index(self.item_ids().index(current), 0))
            finally:
                self._filling = False

    def _count_text(self, count: int, searching: bool) -> str:
        if count == 0:
            if searching:
                return _("Aucun résultat")
            if self.views.currentIndex() == FAVOURITES:
                return _("Aucun favori : l'étoile du lecteur en ajoute.")
            if self.views.currentIndex() == RECENT:
                return _("Aucun élément ouvert récemment")
            return _("Aucun élément")
        if searching:
            template = ngettext("{n} résultat", "{n} résultats", count)
        else:
            template = ngettext("{n} élément", "{n} éléments", count)
        return template.format(n=format_number(count))

    # -- opening ----------------------------------------------------------------

    def current_id(self) -> str | None:
        index = self.list.currentIndex()
        return index.data(ITEM_ID) if index.isValid() else None

    def open_current(self) -> None:
        """Enter: open the selected item, or the first one listed."""
        if self._search_timer.isActive():
            self.refresh()
        item_id = self.current_id() or (self.rows[0].id if self.rows else None)
        if item_id:
            self.item_chosen.emit(item_id)

    def _activated(self, index: QModelIndex) -> None:
        item_id = index.data(ITEM_ID)
        if item_id:
            self.item_chosen.emit(item_id)

    def _moved(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if current.isValid() and not self._filling:
            self._activated(current)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        # Down from the search box goes into the list, on its first row.
        if (
            watched is self.search_box
            and isinstance(event, QKeyEvent)
            and event.type() == QEvent.Type.KeyPress
            and event.key() == Qt.Key.Key_Down
        ):
            if self._search_timer.isActive():
                self.refresh()
            if self.rows:
                self.list.setFocus(Qt.FocusReason.OtherFocusReason)
                if not self.list.currentIndex().isValid():
                    self.list.setCurrentIndex(self.model.index(0, 0))
            return True
        return super().eventFilter(watched, event)
