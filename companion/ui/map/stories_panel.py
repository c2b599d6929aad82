"""The Atelier's stories (« récits »): steps taken from the map, edited, ordered, played.

A story is chosen in the list at the top; its steps below. « Ajouter l'étape
actuelle » takes the map as it is (filters, extent, and the actor whose card is
open, highlighted); a step clicked shows on the map; its title and text are edited
in place (saved as one types, a moment later); « Lire le récit » presents it from
its first step (or the step selected); « Exporter le livret (PDF)… » writes one page
per step. Deleting a step or a story asks first and can be undone (Ctrl+Z).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMenu,
    QMessageBox,
    QPlainTextEdit,
    QProgressDialog,
    QPushButton,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from companion.i18n import _
from companion.maps.filters import MapFilter
from companion.maps.stories import (
    Story,
    StoryStep,
    add_step,
    create_story,
    delete_story,
    get_story,
    list_stories,
    move_step,
    remove_step,
    rename_story,
    share_story,
    update_step,
)
from companion.maps.views import Bounds
from companion.protocol.fields import MAX_STEPS, STEP_TITLE_CHARS
from companion.store import Store
from companion.store.store import InvalidRecord
from companion.ui.common.file_dialogs import last_folder, remember_folder
from companion.ui.common.saved_file import offer_to_open
from companion.ui.map.story_handout import StoryHandout
from companion.ui.map.view_dialog import ViewNameDialog

Capture = Callable[[], tuple[MapFilter, Bounds | None]]
AskOpenActor = Callable[[Callable[[str | None], None]], None]
SAVE_DELAY_MS = 500  # typing stops this long: the title and text are saved


HANDOUT_PURPOSE = "story-export"  # the folder handouts go to, remembered


class MapStoriesPanel(QWidget):
    """Lists the stories and edits the chosen one's steps."""

    step_chosen = Signal(object, int)  # Story, step index: show it on the map
    play_requested = Signal(object, int)  # Story, the step to start from
    stories_changed = Signal()
    status_message = Signal(str)

    def __init__(
        self,
        store: Store,
        capture: Capture,
        ask_open_actor: AskOpenActor,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.store = store
        self._capture = capture
        self._ask_open_actor = ask_open_actor
        self.dialog: ViewNameDialog | None = None
        self.confirmation: QMessageBox | None = None
        self.handout: StoryHandout | None = None
        self.handout_progress: QProgressDialog | None = None
        self._offer_handout = False  # a handout asked for with the file chooser
        # The step the editor shows: story id, index, the step as it was loaded (an edit is
        # saved only over that step, never over one an undo, a sync or a move put there).
        self._editing: tuple[str, int, StoryStep] | None = None
        self._save_timer = QTimer(self)
        self._save_timer.setSingleShot(True)
        self._save_timer.setInterval(SAVE_DELAY_MS)
        self._save_timer.timeout.connect(self.save_edits)

        self.stories = QComboBox()
        self.stories.setPlaceholderText(_("Aucun récit"))
        self.stories.setToolTip(_("Le récit à modifier ou à présenter"))
        self.new_button = QPushButton(_("Nouveau…"))
        self.new_button.setToolTip(_("Créer un récit : une suite d'étapes sur la carte"))
        self.more_button = QToolButton()
        self.more_button.setText("…")
        self.more_button.setToolTip(_("Renommer, partager ou supprimer le récit"))
        self.more_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        menu = QMenu(self.more_button)
        self.rename_action = menu.addAction(_("Renommer…"), self.ask_rename)
        self.share_action = menu.addAction(_("Partager avec le réseau"))
        self.share_action.setCheckable(True)
        self.share_action.toggled.connect(self.set_shared)
        menu.addSeparator()
        self.delete_story_action = menu.addAction(_("Supprimer le récit…"), self.ask_delete_story)
        self.more_button.setMenu(menu)

        self.steps = QListWidget()
        self.steps.setFixedHeight(5 * (self.steps.fontMetrics().height() + 6) + 6)
        self.add_button = QPushButton(_("Ajouter l'étape actuelle"))
        self.add_button.setToolTip(
            _("Ajoute la carte affichée (filtres, emprise, acteur ouvert mis en évidence)")
        )
        self.retake_button = QPushButton(_("Reprendre la carte"))
        self.retake_button.setToolTip(
            _("Remplace les filtres et l'emprise de l'étape par ceux de la carte affichée")
        )
        self.up_button = QPushButton(_("Monter"))
        self.down_button = QPushButton(_("Descendre"))
        self.delete_step_button = QPushButton(_("Supprimer…"))
        self.title = QLineEdit()
        self.title.setPlaceholderText(_("Titre de l'étape"))
        self.title.setMaxLength(STEP_TITLE_CHARS)
        self.text = QPlainTextEdit()
        self.text.setPlaceholderText(_("Quelques lignes affichées à l'écran"))
        self.text.setTabChangesFocus(True)
        self.text.setFixedHeight(4 * self.text.fontMetrics().lineSpacing() + 14)
        self.highlights = QLabel()
        self.highlights.setWordWrap(True)
        self.highlights.setTextFormat(Qt.TextFormat.PlainText)
        self.highlight_button = QPushButton(_("Mettre en évidence l'acteur ouvert"))
        self.highlight_button.setToolTip(
            _("Ajoute à l'étape l'acteur dont la fiche est ouverte sur la carte")
        )
        self.clear_highlights_button = QPushButton(_("Retirer"))
        self.clear_highlights_button.setToolTip(_("Plus aucun acteur mis en évidence"))
        self.error = QLabel()
        self.error.setWordWrap(True)
        self.error.setTextFormat(Qt.TextFormat.PlainText)
        self.error.setStyleSheet("color: #b03a2e; font-weight: 600;")
        self.error.hide()
        self.play_button = QPushButton(_("Lire le récit"))
        self.play_button.setToolTip(
            _("Présente le récit en plein écran, étape par étape (Page suivante, Page précédente)")
        )
        self.handout_button = QPushButton(_("Exporter le livret (PDF)…"))
        self.handout_button.setToolTip(_("Un PDF d'une page par étape : la carte et son texte"))

        top = QHBoxLayout()
        top.addWidget(self.stories, 1)
        top.addWidget(self.new_button)
        top.addWidget(self.more_button)
        buttons = QGridLayout()
        buttons.addWidget(self.add_button, 0, 0, 1, 2)
        buttons.addWidget(self.up_button, 1, 0)
        buttons.addWidget(self.down_button, 1, 1)
        buttons.addWidget(self.retake_button, 2, 0)
        buttons.addWidget(self.delete_step_button, 2, 1)
        marks = QHBoxLayout()
        marks.addWidget(self.highlight_button, 1)
        marks.addWidget(self.clear_highlights_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(top)
        layout.addWidget(self.steps)
        layout.addLayout(buttons)
        layout.addWidget(self.title)
        layout.addWidget(self.text)
        layout.addWidget(self.highlights)
        layout.addLayout(marks)
        layout.addWidget(self.error)
        layout.addWidget(self.play_button)
        layout.addWidget(self.handout_button)

        self.new_button.clicked.connect(self.ask_new)
        self.stories.currentIndexChanged.connect(self._on_story_changed)
        self.steps.currentRowChanged.connect(self._on_step_changed)
        self.steps.itemClicked.connect(self._on_step_clicked)
        self.add_button.clicked.connect(self.add_current_step)
        self.retake_button.clicked.connect(self.retake_map)
        self.up_button.clicked.connect(lambda: self.move_selected(-1))
        self.down_button.clicked.connect(lambda: self.move_selected(1))
        self.delete_step_button.clicked.connect(self.ask_delete_step)
        self.title.textEdited.connect(self._edited)
        self.title.editingFinished.connect(self.save_edits)
        self.text.textChanged.connect(self._text_changed)
        self.highlight_button.clicked.connect(self.highlight_open_actor)
        self.clear_highlights_button.clicked.connect(self.clear_highlights)
        self.play_button.clicked.connect(self.play)
        self.handout_button.clicked.connect(self.ask_handout)
        self.refresh()

    # -- reading ----------------------------------------------------------------

    def story(self) -> Story | None:
        """The chosen story as the store has it now."""
        story_id = self.stories.currentData()
        return get_story(self.store, story_id) if story_id else None

    def step_index(self) -> int:
        return self.steps.currentRow()

    def refresh(self, select: str | None = None, step: int | None = None) -> None:
        """Read the stories again; choose ``select`` (an id) or keep the choice, and show
        step ``step`` (or keep the one selected)."""
        self.save_edits()
        keep = select or self.stories.currentData()
        row = self.step_index() if step is None else step
        self.stories.blockSignals(True)
        self.stories.clear()
        for story in list_stories(self.store):
            self.stories.addItem(story.name, story.id)
        index = self.stories.findData(keep) if keep else -1
        self.stories.setCurrentIndex(index if index >= 0 else (0 if self.stories.count() else -1))
        self.stories.blockSignals(False)
        self._fill_steps(row)

    def _fill_steps(self, row: int = -1) -> None:
        story = self.story()
        self.steps.blockSignals(True)
        self.steps.clear()
        for number, step in enumerate(story.steps if story else ()):
            self.steps.addItem(QListWidgetItem(_step_label(number, step)))
        if story and story.steps:
            self.steps.setCurrentRow(max(0, min(row, len(story.steps) - 1)))
        self.steps.blockSignals(False)
        self.share_action.blockSignals(True)
        self.share_action.setChecked(bool(story and story.shared))
        self.share_action.blockSignals(False)
        self._show_step()

    def _show_step(self) -> None:
        """The editor shows the selected step (or nothing), buttons follow."""
        story, row = self.story(), self.step_index()
        step = story.steps[row] if story and 0 <= row < len(story.steps) else None
        self._editing = (story.id, row, step) if story and step else None
        for widget, text in ((self.title, step.title if step else ""),):
            widget.blockSignals(True)
            widget.setText(text)
            widget.blockSignals(False)
        self.text.blockSignals(True)
        self.text.setPlainText(step.text if step else "")
        self.text.blockSignals(False)
        self.highlights.setText(self._highlights_text(step))
        self.error.hide()
        has_story, has_step = story is not None, step is not None
        count = len(story.steps) if story else 0
        self.more_button.setEnabled(has_story)
        self.add_button.setEnabled(has_story and count < MAX_STEPS)
        for widget in (
            self.retake_button,
            self.delete_step_button,
            self.title,
            self.text,
            self.highlight_button,
        ):
            widget.setEnabled(has_step)
        self.clear_highlights_button.setEnabled(bool(step and step.actors))
        self.up_button.setEnabled(has_step and row > 0)
        self.down_button.setEnabled(has_step and row < count - 1)
        self.play_button.setEnabled(count > 0)
        self.handout_button.setEnabled(count > 0)

    def _highlights_text(self, step: StoryStep | None) -> str:
        if step is None:
            return ""
        if not step.actors:
            return _("Aucun acteur mis en évidence")
        names = []
        for actor_id in step.actors:
            actor = self.store.get_actor(actor_id)
            names.append(actor.name if actor else _("(acteur supprimé)"))
        return _("Mis en évidence : {names}").format(names=", ".join(names))

    # -- choosing ---------------------------------------------------------------

    def _on_story_changed(self, _index: int) -> None:
        self.save_edits()
        self._fill_steps(0)

    def _on_step_changed(self, _row: int) -> None:
        self.save_edits()
        self._show_step()

    def follow(self, story_id: str, index: int) -> None:
        """Select the step the map shows (presentation moved to it), not showing it again."""
        if self.stories.currentData() == story_id and index != self.step_index():
            self.steps.setCurrentRow(index)

    def _on_step_clicked(self, _item: QListWidgetItem) -> None:
        self.choose_step(self.step_index())

    def choose_step(self, index: int) -> None:
        """Select step ``index`` and show it on the map."""
        story = self.story()
        if story is None or not 0 <= index < len(story.steps):
            return
        if index != self.step_index():
            self.steps.setCurrentRow(index)
        self.step_chosen.emit(story, index)

    # -- stories ----------------------------------------------------------------

    def ask_new(self) -> ViewNameDialog:
        def save(name: str, _title: str) -> Story:
            return create_story(self.store, name)

        return self._open_dialog(_("Nouveau récit"), save, "")

    def ask_rename(self) -> ViewNameDialog | None:
        story = self.story()
        if story is None:
            return None

        def save(name: str, _title: str) -> Story:
            return rename_story(self.store, story.id, name)

        return self._open_dialog(_("Renommer le récit"), save, story.name)

    def _open_dialog(
        self, title: str, save: Callable[[str, str], Story], name: str
    ) -> ViewNameDialog:
        self.save_edits()
        dialog = ViewNameDialog(title, save, name, "", self, ask_title=False)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.accepted.connect(lambda: self._saved(dialog.result_value))
        self.dialog = dialog
        dialog.open()
        return dialog

    def _saved(self, story: object) -> None:
        self.refresh(select=story.id if isinstance(story, Story) else None)
        self.stories_changed.emit()

    def set_shared(self, shared: bool) -> None:
        """Shared, the story goes to the network at the next sync, with its steps."""
        story = self.story()
        if story is None or story.shared == shared:
            return
        share_story(self.store, story.id, shared)
        if shared:
            message = _("Le récit « {name} » sera partagé à la prochaine synchronisation.")
        else:
            message = _("Le récit « {name} » n'est plus partagé.")
        self.status_message.emit(message.format(name=story.name))
        self.stories_changed.emit()

    def ask_delete_story(self) -> QMessageBox | None:
        story = self.story()
        if story is None:
            return None
        question = _("Supprimer le récit « {name} » et ses {n} étapes ?")
        if len(story.steps) < 2:
            question = _("Supprimer le récit « {name} » ?")
        return self._confirm(
            _("Supprimer le récit"),
            question.format(name=story.name, n=len(story.steps)),
            lambda: self._delete_story(story),
        )

    def _delete_story(self, story: Story) -> None:
        label = _("Supprimer le récit « {name} »").format(name=story.name)
        with self.store.undoable(label):
            delete_story(self.store, story.id)
        self._editing = None
        self.refresh()
        self.stories_changed.emit()
        self.status_message.emit(_("{done} — Ctrl+Z pour annuler").format(done=label))

    # -- steps ------------------------------------------------------------------

    def add_current_step(self) -> None:
        """Add the map as it is as the last step (the open card's actor highlighted)."""
        self.save_edits()
        story = self.story()
        if story is None:
            return
        spec, bounds = self._capture()
        story_id = story.id

        def add(actor_id: str | None) -> None:
            step = StoryStep(filter=spec, bounds=bounds, actors=(actor_id,) if actor_id else ())
            try:
                added = add_step(self.store, story_id, step)
            except InvalidRecord as error:
                self._show_error(str(error))
                return
            self.refresh(select=story_id, step=len(added.steps) - 1)
            self.title.setFocus()
            self.stories_changed.emit()

        self._ask_open_actor(add)

    def retake_map(self) -> None:
        """The selected step takes the map's filters and extent as they are now."""
        spec, bounds = self._capture()
        self._change_step(lambda step: replace(step, filter=spec, bounds=bounds))

    def highlight_open_actor(self) -> None:
        located = self._editing[:2] if self._editing else None

        def add(actor_id: str | None) -> None:
            if actor_id is None:
                self.status_message.emit(
                    _("Ouvrez d'abord la fiche d'un acteur sur la carte (un clic sur lui).")
                )
                return
            if self._editing and self._editing[:2] == located:
                self._change_step(lambda step: replace(step, actors=(*step.actors, actor_id)))

        self._ask_open_actor(add)

    def clear_highlights(self) -> None:
        self._change_step(lambda step: replace(step, actors=()))

    def _change_step(self, change: Callable[[StoryStep], StoryStep]) -> None:
        self.save_edits()
        story, row = self.story(), self.step_index()
        if story is None or not 0 <= row < len(story.steps):
            return
        try:
            update_step(self.store, story.id, row, change(story.steps[row]))
        except InvalidRecord as error:
            self._show_error(str(error))
            return
        self.refresh(select=story.id, step=row)
        self.choose_step(row)  # shown on the map as it is now
        self.stories_changed.emit()

    def move_selected(self, delta: int) -> None:
        self.save_edits()
        story, row = self.story(), self.step_index()
        if story is None or row < 0:
            return
        to = max(0, min(len(story.steps) - 1, row + delta))
        move_step(self.store, story.id, row, to)
        self.refresh(select=story.id, step=to)
        self.stories_changed.emit()

    def ask_delete_step(self) -> QMessageBox | None:
        story, row = self.story(), self.step_index()
        if story is None or not 0 <= row < len(story.steps):
            return None
        name = story.steps[row].title or _("sans titre")
        return self._confirm(
            _("Supprimer l'étape"),
            _("Supprimer l'étape {n} « {title} » du récit « {story} » ?").format(
                n=row + 1, title=name, story=story.name
            ),
            lambda: self._delete_step(story, row, name),
        )

    def _delete_step(self, story: Story, row: int, name: str) -> None:
        label = _("Supprimer l'étape « {title} »").format(title=name)
        self._editing = None
        with self.store.undoable(label):
            remove_step(self.store, story.id, row)
        self.refresh(select=story.id, step=row)
        self.stories_changed.emit()
        self.status_message.emit(_("{done} — Ctrl+Z pour annuler").format(done=label))

    def _confirm(self, title: str, question: str, action: Callable[[], None]) -> QMessageBox:
        self.save_edits()
        box = QMessageBox(
            QMessageBox.Icon.Question,
            title,
            question,
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            self,
        )
        box.setTextFormat(Qt.TextFormat.PlainText)
        box.setInformativeText(_("Vous pourrez annuler avec Ctrl+Z."))
        box.button(QMessageBox.StandardButton.Yes).setText(_("Supprimer"))
        box.button(QMessageBox.StandardButton.No).setText(_("Annuler"))
        box.setDefaultButton(QMessageBox.StandardButton.No)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        yes = box.button(QMessageBox.StandardButton.Yes)

        def finished(_result: int) -> None:
            self.confirmation = None
            if box.clickedButton() is yes:
                action()

        box.finished.connect(finished)
        self.confirmation = box
        box.open()
        return box

    # -- editing the title and text ----------------------------------------------

    def _edited(self, _text: str = "") -> None:
        self._save_timer.start()

    def _text_changed(self) -> None:
        self._save_timer.start()

    def save_edits(self) -> None:
        """Save the title and text being typed, if they changed."""
        self._save_timer.stop()
        if self._editing is None:
            return
        story_id, row, loaded = self._editing
        story = get_story(self.store, story_id)
        if story is None or not 0 <= row < len(story.steps) or story.steps[row] != loaded:
            self._editing = None  # changed meanwhile (undo, sync): the store's version stays
            return
        title, text = self.title.text(), self.text.toPlainText()
        if (title, text) == (loaded.title, loaded.text):
            return
        try:
            saved = update_step(self.store, story_id, row, replace(loaded, title=title, text=text))
        except InvalidRecord as error:
            self._show_error(str(error))
            return
        self._editing = (story_id, row, saved.steps[row])
        self.error.hide()
        item = self.steps.item(row)
        if item is not None and self.stories.currentData() == story_id:
            item.setText(_step_label(row, saved.steps[row]))
        self.stories_changed.emit()

    def _show_error(self, message: str) -> None:
        self.error.setText(message)
        self.error.show()

    # -- playing and the handout --------------------------------------------------

    def play(self) -> None:
        """Present the story from the selected step (the first if none)."""
        self.save_edits()
        story = self.story()
        if story is not None and story.steps:
            self.play_requested.emit(story, max(0, self.step_index()))

    def ask_handout(self) -> StoryHandout | None:
        """Ask where to write the handout, then write it (a background job with progress)."""
        self.save_edits()
        story = self.story()
        if story is None or not story.steps:
            return None
        suggested = str(last_folder(HANDOUT_PURPOSE) / f"{_file_name(story.name)}.pdf")
        path, _filter = QFileDialog.getSaveFileName(
            self, _("Exporter le livret"), suggested, _("Document PDF (*.pdf)")
        )
        if not path:
            return None
        if not path.lower().endswith(".pdf"):
            path += ".pdf"
        self._offer_handout = True  # asked for here: offered to open once written
        return self.export_handout(Path(path))

    def export_handout(self, out: Path) -> StoryHandout | None:
        """Write the chosen story's handout to ``out``; a progress dialog can cancel it."""
        self.save_edits()
        story = self.story()
        if story is None or self.handout is not None:
            return None
        handout = StoryHandout(self.store.path, story, out, parent=self)
        progress = QProgressDialog(_("Préparation du livret…"), _("Annuler"), 0, 1, self)
        progress.setWindowTitle(_("Exporter le livret"))
        progress.setWindowModality(Qt.WindowModality.WindowModal)
        progress.setMinimumDuration(0)
        progress.setAutoClose(False)
        progress.setAutoReset(False)
        progress.canceled.connect(handout.cancel)
        handout.progress.connect(self._handout_progress)
        handout.finished.connect(self._handout_finished)
        self.handout, self.handout_progress = handout, progress
        progress.show()
        handout.start()
        return handout

    def _handout_progress(self, done: int, total: int, message: str) -> None:
        if self.handout_progress is not None:
            self.handout_progress.setMaximum(max(total, 1))
            self.handout_progress.setValue(done)
            self.handout_progress.setLabelText(message)

    def _handout_finished(self) -> None:
        handout, progress = self.handout, self.handout_progress
        self.handout = self.handout_progress = None
        if progress is not None:
            progress.close()
            progress.deleteLater()
        if handout is None:
            return
        offer, self._offer_handout = self._offer_handout, False
        if handout.outcome == "succeeded":
            written = Path(handout.result or handout.out)
            message = _("Livret écrit : {path}").format(path=written)
            self.status_message.emit(message)
            remember_folder(HANDOUT_PURPOSE, written)
            if offer:
                offer_to_open(self, _("Exporter le livret"), written, message)
        elif handout.outcome == "cancelled":
            self.status_message.emit(_("Export du livret annulé."))
        else:
            self._show_error(
                _("Le livret n'a pas pu être écrit : {error}").format(error=handout.error)
            )
        handout.deleteLater()


def _step_label(number: int, step: StoryStep) -> str:
    return f"{number + 1}. {step.title or _('(sans titre)')}"


def _file_name(name: str) -> str:
    """A file name from a story's name (no separator, no control character)."""
    cleaned = "".join(c if c.isalnum() or c in " -_'" else " " for c in name)
    return " ".join(cleaned.split())[:80] or _("livret")
