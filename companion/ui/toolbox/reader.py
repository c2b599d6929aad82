"""The toolbox reader: one item's page, its contents, links, notes, favourite, print and PDF.

A QTextBrowser shows the page ``toolbox_html`` composes. It never reaches the
network: ``ReaderBrowser.loadResource`` only reads images from the item's own
folders, links are handled here (other items open in the reader with a
history, actions go to the main window, web links to the system browser on
click). Imported when the Boîte à outils section is first shown.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import Qt, QTimer, QUrl, Signal
from PySide6.QtGui import (
    QAction,
    QDesktopServices,
    QHideEvent,
    QKeySequence,
)
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPlainTextEdit,
    QSplitter,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from companion.i18n import _
from companion.store import Store
from companion.toolbox import catalogue, personal, render, templates
from companion.toolbox.catalogue import InstalledItem
from companion.toolbox.items import ToolboxError
from companion.toolbox.reader_html import reader_html
from companion.ui.common.file_dialogs import last_folder, remember_folder
from companion.ui.common.icons import icon
from companion.ui.common.saved_file import offer_to_open
from companion.ui.common.text_browser import ReaderBrowser
from companion.ui.common.text_print import print_document, write_pdf

NOTE_DEBOUNCE_MS = 700
TEMPLATE_TYPES = frozenset({"modele", "kit", "checklist"})
ANCHOR = Qt.ItemDataRole.UserRole


BACK_KEY, FORWARD_KEY, PRINT_KEY = "Alt+Left", "Alt+Right", "Ctrl+P"  # listed by F1
FIRST_GUIDE = "guide-cartographier-ecosysteme"  # offered while nothing is open
DOCUMENTS_PURPOSE = "toolbox-documents"  # the folder templates and PDFs go to, remembered


@dataclass
class Visit:
    """One step of the reader's history."""

    item_id: str
    fragment: str = ""
    scroll: int = 0


class ToolboxReader(QWidget):
    """Reads one item at a time; Back/Forward (Alt+Left/Alt+Right) walk the items opened."""

    action_requested = Signal(str)  # "presentation" from companion://action/presentation
    status_message = Signal(str)
    favourite_changed = Signal(str, bool)  # item id, now a favourite
    item_opened = Signal(str)  # item id

    def __init__(self, store: Store, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.store = store
        self.installed: InstalledItem | None = None
        self.history: list[Visit] = []
        self.position = -1
        self.documents_folder: Path | None = None  # None: the user's documents folder
        self.pdf_viewer: QWidget | None = None

        self.browser = ReaderBrowser()
        self.browser.anchorClicked.connect(self.follow_link)
        self.toc = QListWidget()
        self.toc.setWordWrap(True)
        self.toc.itemClicked.connect(self._toc_chosen)
        self.toc.itemActivated.connect(self._toc_chosen)
        self.notes = QPlainTextEdit()
        self.notes.setPlaceholderText(
            _("Vos notes sur cet élément, gardées sur cet ordinateur seulement.")
        )
        self.notes_state = QLabel()
        self.notes_state.setTextFormat(Qt.TextFormat.PlainText)
        self._note_timer = QTimer(self)
        self._note_timer.setSingleShot(True)
        self._note_timer.setInterval(NOTE_DEBOUNCE_MS)
        self._note_timer.timeout.connect(self.save_note)
        self.notes.textChanged.connect(self._note_edited)

        self.toolbar = self._build_toolbar()
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(self.browser)
        self.side = self._build_side()  # shown with an item: nothing to outline before
        splitter.addWidget(self.side)
        splitter.setStretchFactor(0, 1)
        splitter.setSizes([1000, 250])  # proportions: the page gets the room
        splitter.setCollapsible(0, False)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.toolbar)
        layout.addWidget(splitter, 1)
        self._show_nothing()

    def _build_toolbar(self) -> QToolBar:
        toolbar = QToolBar()
        toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.back_action = self._action(_("Précédent"), "fa5s.arrow-left", self.back, BACK_KEY)
        self.forward_action = self._action(
            _("Suivant"), "fa5s.arrow-right", self.forward, FORWARD_KEY
        )
        for action in (self.back_action, self.forward_action):
            toolbar.addAction(action)
            toolbar.widgetForAction(action).setToolButtonStyle(
                Qt.ToolButtonStyle.ToolButtonIconOnly
            )
        toolbar.addSeparator()
        self.favourite_action = self._action(_("Favori"), "fa5.star", None)
        self.favourite_action.setCheckable(True)
        self.favourite_action.setToolTip(_("Ajouter aux favoris ou les en retirer"))
        self.favourite_action.toggled.connect(self.set_favourite)
        self.template_action = self._action(
            _("Utiliser ce modèle"), "fa5s.file-word", self.use_template
        )
        self.template_action.setToolTip(
            _("Crée un document modifiable (Word ou tableur), où et sous le nom choisis")
        )
        self.print_action = self._action(_("Imprimer…"), "fa5s.print", self.print_item, PRINT_KEY)
        self.pdf_action = self._action(_("Exporter en PDF…"), "fa5s.file-pdf", self.export_pdf)
        for action in (
            self.favourite_action,
            self.template_action,
            self.print_action,
            self.pdf_action,
        ):
            toolbar.addAction(action)
        return toolbar

    def _action(self, text: str, icon_name: str, slot, shortcut: str | None = None) -> QAction:
        action = QAction(icon(icon_name), text, self)
        if shortcut:
            action.setShortcut(QKeySequence(shortcut))
            action.setToolTip(f"{text} ({action.shortcut().toString()})")
        if slot is not None:
            action.triggered.connect(slot)
        self.addAction(action)
        return action

    def _build_side(self) -> QWidget:
        side = QWidget()
        layout = QVBoxLayout(side)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(QLabel(_("Sommaire")))
        layout.addWidget(self.toc, 3)
        layout.addWidget(QLabel(_("Mes notes")))
        layout.addWidget(self.notes, 2)
        layout.addWidget(self.notes_state)
        return side

    # -- opening items ----------------------------------------------------------

    def open_item(self, item_id: str, fragment: str = "") -> bool:
        """Show an item (and scroll to ``fragment``); it becomes the history's latest step."""
        if self.installed is not None and self.installed.item.id == item_id:
            if fragment:  # a link to a part of the page shown
                self.browser.scrollToAnchor(fragment)
            return True
        self._remember_scroll()
        if not self._show(item_id, fragment):
            return False
        del self.history[self.position + 1 :]
        self.history.append(Visit(item_id, fragment))
        self.position = len(self.history) - 1
        self._update_history_actions()
        return True

    def open_slug(self, slug: str, fragment: str = "") -> bool:
        """Open the item a link names by its slug."""
        installed = catalogue.get_item_by_slug(self.store, slug)
        if installed is None:
            self.status_message.emit(
                _("Cet élément n'est pas installé : « {slug} ».").format(slug=slug)
            )
            return False
        return self.open_item(installed.item.id, fragment)

    def back(self) -> None:
        self._step(-1)

    def forward(self) -> None:
        self._step(1)

    def _step(self, delta: int) -> None:
        target = self.position + delta
        if not 0 <= target < len(self.history):
            return
        self._remember_scroll()
        visit = self.history[target]
        if self._show(visit.item_id, "" if visit.scroll else visit.fragment):
            self.position = target
            if visit.scroll:
                self.browser.restore_scroll(visit.scroll)
        self._update_history_actions()

    def _remember_scroll(self) -> None:
        if 0 <= self.position < len(self.history):
            self.history[self.position].scroll = self.browser.verticalScrollBar().value()

    def _update_history_actions(self) -> None:
        self.back_action.setEnabled(self.position > 0)
        self.forward_action.setEnabled(0 <= self.position < len(self.history) - 1)

    def _show(self, item_id: str, fragment: str) -> bool:
        installed = catalogue.get_item(self.store, item_id)
        if installed is None:
            self.status_message.emit(_("Cet élément n'est plus dans la boîte à outils."))
            return False
        self.save_note()
        item = installed.item
        titles = catalogue.item_titles(self.store)
        rendered = render.render_item(item, installed.roots, titles=titles)
        self.installed = installed
        self.browser.show_page(reader_html(item, rendered.body_html, titles), installed.roots)
        if fragment:
            self.browser.scrollToAnchor(fragment)
        self.toc.clear()
        for entry in rendered.toc:
            row = QListWidgetItem(("    " if entry.level > 2 else "") + entry.title)
            row.setData(ANCHOR, entry.anchor)
            self.toc.addItem(row)
        self.template_action.setVisible(item.type in TEMPLATE_TYPES)
        for action in (self.favourite_action, self.print_action, self.pdf_action):
            action.setEnabled(True)
        self._show_personal(item.id)
        self.side.show()
        personal.mark_opened(self.store, item.id)
        self.item_opened.emit(item.id)
        return True

    def _show_personal(self, item_id: str) -> None:
        """The star and the note of the item opened (setting them saves nothing)."""
        self.favourite_action.blockSignals(True)
        self.favourite_action.setChecked(personal.is_favourite(self.store.conn, item_id))
        self.favourite_action.blockSignals(False)
        self._update_favourite_icon()
        self.notes.blockSignals(True)
        self.notes.setPlainText(personal.note(self.store.conn, item_id))
        self.notes.blockSignals(False)
        self.notes.setEnabled(True)
        self.notes_state.clear()

    def _show_nothing(self) -> None:
        """What the toolbox is, and the guide to read first (a link that opens it)."""
        intro = _(
            "La boîte à outils du réseau : guides, fiches pratiques, checklists et modèles, "
            "lisibles sans connexion. Choisissez-en un dans la liste."
        )
        first = html.escape(_("Pour commencer : {guide}")).format(
            guide=f'<a href="{render.item_url(FIRST_GUIDE)}">'
            + html.escape(_("Cartographier son écosystème local"))
            + "</a>"
        )
        self.browser.setHtml(f"<p>{html.escape(intro)}</p><p>{first}</p>")
        for action in (
            self.back_action,
            self.forward_action,
            self.favourite_action,
            self.print_action,
            self.pdf_action,
        ):
            action.setEnabled(False)
        self.template_action.setVisible(False)
        self.notes.setEnabled(False)
        self.side.hide()

    def current_id(self) -> str | None:
        return self.installed.item.id if self.installed else None

    def refresh(self) -> None:
        """After the catalogue changed (a new version installed): show the item again."""
        if self.installed is None:
            return
        scroll = self.browser.verticalScrollBar().value()
        if catalogue.get_item(self.store, self.installed.item.id) is None:
            self.installed = None
            self._show_nothing()
            return
        self._show(self.installed.item.id, "")
        self.browser.restore_scroll(scroll)

    # -- links and contents -----------------------------------------------------

    def follow_link(self, url: QUrl) -> None:
        """A click on a link: another item, an in-page anchor, an action, the web, a file."""
        text = url.toString()
        target = render.parse_item_url(text)
        if target is not None:
            self.open_slug(*target)
        elif text.startswith(render.ACTION_PREFIX):
            self.action_requested.emit(text[len(render.ACTION_PREFIX) :].strip("/"))
        elif url.scheme().lower() in ("http", "https", "mailto"):
            QDesktopServices.openUrl(url)  # the system's browser or mail app, on click only
        elif url.isLocalFile():
            self._open_file(Path(url.toLocalFile()))
        elif not url.scheme() and url.hasFragment():
            self.browser.scrollToAnchor(url.fragment())

    def _open_file(self, path: Path) -> None:
        if not self.browser.is_inside_roots(path) or not path.is_file():
            self.status_message.emit(_("Fichier introuvable : « {name} ».").format(name=path.name))
        elif path.suffix.lower() == ".pdf":
            self.show_pdf(path)
        else:
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))

    def show_pdf(self, path: Path) -> QWidget:
        """Show a PDF in the app's own viewer (QtPdf is loaded now, not before)."""
        from companion.ui.toolbox.pdf_viewer import show_pdf

        self.pdf_viewer = show_pdf(path, self)
        return self.pdf_viewer

    def _toc_chosen(self, row: QListWidgetItem) -> None:
        self.browser.scrollToAnchor(row.data(ANCHOR))

    # -- favourite, notes -------------------------------------------------------

    def set_favourite(self, favourite: bool) -> None:
        if self.installed is None:
            return
        item = self.installed.item
        personal.set_favourite(self.store, item.id, favourite)
        self._update_favourite_icon()
        if favourite:
            message = _("« {title} » ajouté aux favoris").format(title=item.title)
        else:
            message = _("« {title} » retiré des favoris").format(title=item.title)
        self.status_message.emit(message)
        self.favourite_changed.emit(item.id, favourite)

    def _update_favourite_icon(self) -> None:
        name = "fa5s.star" if self.favourite_action.isChecked() else "fa5.star"
        self.favourite_action.setIcon(icon(name))

    def _note_edited(self) -> None:
        self.notes_state.setText(_("Modification en cours…"))
        self._note_timer.start()

    def save_note(self) -> None:
        """Keep the note now (the timer calls this once typing pauses)."""
        self._note_timer.stop()
        if self.installed is None:
            return
        item_id = self.installed.item.id
        text = self.notes.toPlainText()
        if text != personal.note(self.store.conn, item_id):
            personal.set_note(self.store, item_id, text)
            self.notes_state.setText(_("Note enregistrée"))

    def hideEvent(self, event: QHideEvent) -> None:
        # Leaving the section or closing the window: a note being typed is kept.
        if self._note_timer.isActive():
            self.save_note()
        super().hideEvent(event)

    # -- templates, print, PDF ---------------------------------------------------

    def use_template(self) -> Path | None:
        """« Utiliser ce modèle »: ask where and under what name (in the folder last used),
        write the .docx/.xlsx there, then offer to open it or its folder."""
        if self.installed is None:
            return None
        item = self.installed.item
        title = _("Utiliser ce modèle")
        suffix = templates.template_suffix(item)
        folder = self.documents_folder or last_folder(DOCUMENTS_PURPOSE)
        suggested = folder / f"{templates.file_stem(item.title)}{suffix}"
        kinds = {".docx": _("Documents Word (*.docx)"), ".xlsx": _("Classeurs Excel (*.xlsx)")}
        name, _filter = QFileDialog.getSaveFileName(self, title, str(suggested), kinds[suffix])
        if not name:
            return None
        try:
            path = templates.write_template(item, Path(name))
        except (ToolboxError, OSError) as error:
            QMessageBox.warning(self, title, str(error))
            return None
        remember_folder(DOCUMENTS_PURPOSE, path)
        message = _("Document créé : {path}").format(path=path)
        self.status_message.emit(message)
        offer_to_open(self, title, path, message)
        return path

    def print_item(self) -> bool:
        """Ask for a printer, then print the page as shown (header and images included)."""
        if self.installed is None:
            return False
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        printer.setDocName(self.installed.item.title)
        dialog = QPrintDialog(printer, self)
        dialog.setWindowTitle(_("Imprimer « {title} »").format(title=self.installed.item.title))
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return False
        print_document(self.browser.document(), printer)
        self.status_message.emit(_("Envoyé à l'impression"))
        return True

    def export_pdf(self) -> Path | None:
        """Ask where, write the page as an A4 PDF, then offer to show it here."""
        if self.installed is None:
            return None
        title = self.installed.item.title
        folder = self.documents_folder or last_folder(DOCUMENTS_PURPOSE)
        suggested = folder / f"{templates.file_stem(title)}.pdf"
        name, _filter = QFileDialog.getSaveFileName(
            self, _("Exporter en PDF"), str(suggested), _("Documents PDF (*.pdf)")
        )
        if not name:
            return None
        path = Path(name)
        if path.suffix.lower() != ".pdf":
            path = path.with_name(path.name + ".pdf")
        if not write_pdf(self.browser.document(), path, title):
            QMessageBox.warning(
                self,
                _("Exporter en PDF"),
                _("Impossible d'écrire le PDF « {path} ».").format(path=path),
            )
            return None
        remember_folder(DOCUMENTS_PURPOSE, path)
        self.status_message.emit(_("PDF enregistré : {path}").format(path=path))
        answer = QMessageBox.question(
            self,
            _("Exporter en PDF"),
            _("Le PDF est enregistré dans « {path} ».\nL'afficher maintenant ?").format(path=path),
        )
        if answer == QMessageBox.StandardButton.Yes:
            self.show_pdf(path)
        return path
