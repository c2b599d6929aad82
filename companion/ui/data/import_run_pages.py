"""The import wizard's last pages: the dry run (every problem listed), then the import."""

from __future__ import annotations

import threading
from collections.abc import Callable

from PySide6.QtCore import QLocale, Qt, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
    QWizard,
    QWizardPage,
)

from companion.app.importing import (
    CheckResult,
    ImportOutcome,
    check_file,
    import_checked,
)
from companion.errors import CompanionError
from companion.i18n import _, current_language, ngettext
from companion.io.import_plan import BLANK, SKIP
from companion.io.layouts import signature
from companion.io.rejects import default_rejects_path
from companion.ui.common.formatting import format_number
from companion.ui.common.job_panel import JobPanel
from companion.ui.common.jobs import Report
from companion.ui.data.import_problems import SHOWN_MAX, ProblemGrid
from companion.ui.data.import_state import ImportState


class CheckPage(QWizardPage):
    """Check the whole file in the background; the import waits until every problem is
    corrected or decided (``import_problems.py``)."""

    def __init__(self, state: ImportState) -> None:
        super().__init__()
        self.state = state
        self.setTitle(_("Vérification"))
        self.setSubTitle(
            _("Le fichier est lu en entier ; rien n'est encore enregistré dans la base.")
        )
        self.setCommitPage(True)
        self.setButtonText(QWizard.WizardButton.CommitButton, _("Importer"))
        self.panel = JobPanel()
        self.panel.succeeded.connect(self._on_checked)
        self.panel.failed.connect(self._on_failed)
        self.panel.cancelled.connect(self._on_cancelled)
        self.recheck_button = QPushButton(_("Revérifier"))
        self.recheck_button.setToolTip(
            _("Relire le fichier après l'avoir corrigé, avec les corrections saisies ici")
        )
        self.recheck_button.clicked.connect(self.start)
        self.summary = QLabel()
        self.summary.setTextFormat(Qt.TextFormat.PlainText)
        self.summary.setWordWrap(True)
        self.grid = ProblemGrid(self._row_reader)
        self.grid.changed.connect(self._on_choices_changed)
        self.choices = QLabel()  # what the choices amount to
        self.choices.setTextFormat(Qt.TextFormat.PlainText)
        self.choices.setWordWrap(True)
        self.updates = QListWidget()
        self._gazetteer = None
        row = QHBoxLayout()
        row.addWidget(self.panel, 1)
        row.addWidget(self.recheck_button, 0, Qt.AlignmentFlag.AlignTop)
        problems = QWidget()
        problems_layout = QVBoxLayout(problems)
        problems_layout.setContentsMargins(0, 0, 0, 0)
        problems_layout.addWidget(self.grid, 1)
        problems_layout.addWidget(self.choices)
        self.problems_box = problems
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(problems)
        splitter.addWidget(self.updates)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(row)
        layout.addWidget(self.summary)
        layout.addWidget(splitter, 1)

    @property
    def problems(self):
        """The grid's table (one row per problem)."""
        return self.grid.table

    @property
    def checking(self) -> bool:
        return self.panel.running

    def initializePage(self) -> None:
        self.grid.reset()  # a new file or new columns: earlier choices no longer apply
        self.start()

    def cleanupPage(self) -> None:
        """Back to the previous page: a check still running is no longer wanted."""
        self.panel.cancel()
        self._close_gazetteer()

    def _row_reader(self):
        """Re-checks a corrected value as it is typed (the gazetteer, opened once)."""
        from companion.geo import Gazetteer
        from companion.io.actor_import import RowReader

        if self._gazetteer is None:
            self._gazetteer = Gazetteer.open()
        return RowReader(self._gazetteer, self.state.default_kind)

    def _close_gazetteer(self) -> None:
        if self._gazetteer is not None:
            self._gazetteer.close()
            self._gazetteer = None

    def start(self) -> None:
        """Read and check the file (again: the user may have fixed it meanwhile), with the
        corrections typed in the grid."""
        self.state.checked = None
        self.state.corrections = {
            line: dict(cells) for line, cells in self.grid.corrections.items()
        }
        self.summary.clear()
        self.choices.clear()
        self.problems_box.hide()  # shown with the problems a check finds
        self.updates.clear()
        self.updates.hide()
        self.recheck_button.setEnabled(False)
        self.completeChanged.emit()
        database, request = self.state.store.path, self.state.request()

        def check(report: Report, cancel: threading.Event) -> CheckResult:
            return check_file(database, request, report, cancel)

        self.panel.start(check, _("Vérification du fichier…"))

    def _on_checked(self, checked: CheckResult) -> None:
        self.recheck_button.setEnabled(True)
        self.recheck_button.setText(_("Revérifier"))
        problems = checked.problems
        if (
            self.state.is_actor_table
            and self.state.headers
            and signature(checked.plan.headers) != signature(self.state.headers)
        ):
            self.panel.show_result(
                _(
                    "Les colonnes du fichier ont changé depuis le choix des correspondances : "
                    "revenez à l'étape précédente."
                )
            )
            self.completeChanged.emit()
            return
        self.state.checked = checked
        self.grid.show_check(checked)
        self.problems_box.setVisible(bool(problems))
        self._show_updates(checked.described_updates() + [str(note) for note in checked.set_aside])
        summary = _counts(checked)
        corrected = len(getattr(checked.plan, "corrected", ()))
        if corrected:
            summary += " " + ngettext(
                "{n} ligne corrigée ici (le fichier n'est pas modifié).",
                "{n} lignes corrigées ici (le fichier n'est pas modifié).",
                corrected,
            ).format(n=format_number(corrected))
        self.summary.setText(summary)
        if problems and checked.skippable:
            message = ngettext(
                "{n} problème : corrigez la valeur dans la grille, importez la ligne sans "
                "elle, ou mettez la ligne de côté.",
                "{n} problèmes : corrigez les valeurs dans la grille, importez les lignes "
                "sans elles, ou mettez les lignes de côté.",
                len(problems),
            ).format(n=format_number(len(problems)))
        elif problems:
            message = ngettext(
                "{n} problème à corriger dans le fichier, puis « Revérifier » : rien ne sera "
                "importé avant.",
                "{n} problèmes à corriger dans le fichier, puis « Revérifier » : rien ne sera "
                "importé avant.",
                len(problems),
            ).format(n=format_number(len(problems)))
        elif checked.creates + checked.updates + checked.relations + checked.zones == 0:
            message = _("Le fichier ne contient rien à importer.")
        else:
            message = _("Le fichier est prêt à être importé.")
        self.panel.show_result(message)
        self._on_choices_changed()

    def _on_choices_changed(self) -> None:
        checked = self.state.checked
        if checked is None or not checked.problems:
            self.choices.clear()
            self.completeChanged.emit()
            return
        decisions = self.grid.decisions
        skipped = sum(1 for choice in decisions.values() if choice == SKIP)
        kept = sum(1 for choice in decisions.values() if choice == BLANK)
        parts = []
        if skipped:
            parts.append(
                ngettext(
                    "{n} ligne mise de côté dans « {name} »",
                    "{n} lignes mises de côté dans « {name} »",
                    skipped,
                ).format(
                    n=format_number(skipped), name=default_rejects_path(checked.request.path).name
                )
            )
        if kept:
            parts.append(
                ngettext(
                    "{n} ligne importée sans ses valeurs erronées (« À vérifier »)",
                    "{n} lignes importées sans leurs valeurs erronées (« À vérifier »)",
                    kept,
                ).format(n=format_number(kept))
            )
        if self.grid.has_pending:
            self.recheck_button.setText(_("Revérifier avec les corrections"))
            parts.append(_("revérifiez pour appliquer vos corrections"))
        elif self.grid.undecided:
            left = self.grid.undecided
            parts.append(
                ngettext(
                    "{n} problème reste à régler", "{n} problèmes restent à régler", left
                ).format(n=format_number(left))
            )
        self.choices.setText(" ; ".join(parts) + "." if parts else "")
        self.completeChanged.emit()

    def _show_updates(self, lines: list[str]) -> None:
        self.updates.addItems(lines[:SHOWN_MAX])
        if len(lines) > SHOWN_MAX:
            self.updates.addItem(
                _("… et {n} autres").format(n=format_number(len(lines) - SHOWN_MAX))
            )
        self.updates.setVisible(bool(lines))

    def _on_failed(self, error: object) -> None:
        self.recheck_button.setEnabled(True)
        detail = str(error) if isinstance(error, CompanionError) else repr(error)
        self.panel.show_result(
            _("Le fichier ne peut pas être vérifié : {detail}").format(detail=detail)
        )
        self.completeChanged.emit()

    def _on_cancelled(self) -> None:
        self.recheck_button.setEnabled(True)
        self.panel.show_result(_("Vérification annulée."))
        self.completeChanged.emit()

    def to_import(self) -> CheckResult | None:
        """The check as it is to be imported: around its problems as the grid decided."""
        checked = self.state.checked
        if checked is None or not checked.problems:
            return checked
        return checked.with_decisions(self.grid.decisions)

    def validatePage(self) -> bool:
        self.state.to_import = self.to_import()
        return self.state.to_import is not None

    def isComplete(self) -> bool:
        checked = self.to_import()
        if checked is None or self.checking or self.grid.has_pending:
            return False
        if checked.problems and not checked.around:
            return False
        kept = len(checked.kept_lines())
        return checked.creates + checked.updates + checked.relations + checked.zones + kept > 0


class ImportPage(QWizardPage):
    """Back the database up and write the checked file in one transaction, with a report."""

    show_requested = Signal(list)  # the imported actors' ids, to show on the map
    batch_requested = Signal(str)  # the import, to list its records in the directory

    def __init__(self, state: ImportState, on_imported: Callable[[ImportOutcome], None]) -> None:
        super().__init__()
        self.state = state
        self.on_imported = on_imported
        self.setTitle(_("Import"))
        self.setSubTitle(
            _(
                "La base est sauvegardée, puis le fichier est importé en une seule fois : "
                "tout ou rien."
            )
        )
        self.panel = JobPanel()
        self.panel.succeeded.connect(self._on_imported)
        self.panel.failed.connect(self._on_failed)
        self.panel.cancelled.connect(self._on_cancelled)
        self.report = QLabel()
        self.report.setTextFormat(Qt.TextFormat.PlainText)
        self.report.setWordWrap(True)
        self.report.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        # The records that came in, in the directory or on the map (the wizard closes).
        self.list_button = QPushButton()
        self.list_button.clicked.connect(self._on_list)
        self.show_button = QPushButton(_("Les voir sur la carte"))
        self.show_button.clicked.connect(self._on_show)
        buttons = QHBoxLayout()
        buttons.addWidget(self.list_button)
        buttons.addWidget(self.show_button)
        buttons.addStretch(1)
        self.list_button.hide()
        self.show_button.hide()
        layout = QVBoxLayout(self)
        layout.addWidget(self.panel)
        layout.addWidget(self.report)
        layout.addLayout(buttons)
        layout.addStretch(1)
        self.setFinalPage(True)

    @property
    def importing(self) -> bool:
        return self.panel.running

    def initializePage(self) -> None:
        self.state.outcome = None
        self.report.clear()
        self.list_button.hide()
        self.show_button.hide()
        checked = self.state.to_import
        assert checked is not None
        database = self.state.store.path

        def write(report: Report, cancel: threading.Event) -> ImportOutcome:
            return import_checked(database, checked, report, cancel)

        self.panel.start(write, _("Sauvegarde de la base, puis import…"))
        self.completeChanged.emit()

    def _on_imported(self, outcome: ImportOutcome) -> None:
        self.state.outcome = outcome
        self.panel.show_result(_("Import terminé."))
        self.report.setText(_report(outcome, self.state.imports_actors))
        count = len(outcome.actor_ids) or outcome.created + outcome.updated
        if count:
            self.list_button.setText(
                ngettext(
                    "Afficher la fiche importée",
                    "Afficher les {n} fiches importées",
                    count,
                ).format(n=format_number(count))
            )
            self.list_button.setVisible(bool(outcome.batch_id))
            self.show_button.setVisible(bool(outcome.actor_ids))
            (self.list_button if outcome.batch_id else self.show_button).setFocus()
        self.completeChanged.emit()
        self.on_imported(outcome)

    def _on_list(self) -> None:
        outcome = self.state.outcome
        if outcome is not None and outcome.batch_id:
            self.batch_requested.emit(outcome.batch_id)

    def _on_show(self) -> None:
        outcome = self.state.outcome
        if outcome is not None and outcome.actor_ids:
            self.show_requested.emit(list(outcome.actor_ids))

    def _on_failed(self, error: object) -> None:
        detail = str(error) if isinstance(error, CompanionError) else repr(error)
        self.panel.show_result(
            _("L'import a échoué, rien n'a été enregistré : {detail}").format(detail=detail)
        )
        self.completeChanged.emit()

    def _on_cancelled(self) -> None:
        self.panel.show_result(_("Import annulé : rien n'a été enregistré."))
        self.completeChanged.emit()

    def isComplete(self) -> bool:
        return not self.importing


def _counts(checked: CheckResult) -> str:
    creates, updates = format_number(checked.creates), format_number(checked.updates)
    if checked.is_people:
        return _("Personnes : {creates} à créer, {updates} à mettre à jour.").format(
            creates=creates, updates=updates
        )
    text = _("Acteurs : {creates} à créer, {updates} à mettre à jour.").format(
        creates=creates, updates=updates
    )
    if checked.relations:
        text += " " + ngettext(
            "{n} ligne entre acteurs : une relation à créer (au plus).",
            "{n} lignes entre acteurs : des relations à créer (celles qui n'existent pas déjà).",
            checked.relations,
        ).format(n=format_number(checked.relations))
    if checked.zones:
        text += " " + zones_text(checked.zones, to_add=True)
    if checked.set_aside:
        text += " " + ngettext(
            "{n} élément mis de côté (voir la liste).",
            "{n} éléments mis de côté (voir la liste).",
            len(checked.set_aside),
        ).format(n=format_number(len(checked.set_aside)))
    return text


def _report(outcome: ImportOutcome, actors: bool) -> str:
    created, updated = outcome.created, outcome.updated
    if actors:
        created_text = ngettext("{n} acteur créé", "{n} acteurs créés", created)
        updated_text = ngettext("{n} acteur mis à jour", "{n} acteurs mis à jour", updated)
    else:
        created_text = ngettext("{n} personne créée", "{n} personnes créées", created)
        updated_text = ngettext("{n} personne mise à jour", "{n} personnes mises à jour", updated)
    summary = _("{created}, {updated}, en {seconds} s.").format(
        created=created_text.format(n=format_number(created)),
        updated=updated_text.format(n=format_number(updated)),
        seconds=_one_decimal(outcome.seconds),
    )
    if outcome.relations:
        summary += " " + ngettext(
            "{n} relation créée.", "{n} relations créées.", outcome.relations
        ).format(n=format_number(outcome.relations))
    if outcome.zones:
        summary += " " + zones_text(outcome.zones)
    backup = _("Sauvegarde de la base avant l'import : {path}").format(path=outcome.backup)
    if outcome.kept:
        backup += "\n" + ngettext(
            "{n} ligne importée sans ses valeurs erronées, étiquetée « À vérifier ».",
            "{n} lignes importées sans leurs valeurs erronées, étiquetées « À vérifier ».",
            outcome.kept,
        ).format(n=format_number(outcome.kept))
    if outcome.rejects is not None:
        backup += "\n" + ngettext(
            "{n} ligne mise de côté dans « {path} » : corrigez-la, puis importez ce fichier.",
            "{n} lignes mises de côté dans « {path} » : corrigez-les, puis importez ce fichier.",
            outcome.rejected,
        ).format(n=format_number(outcome.rejected), path=outcome.rejects)
    return summary + "\n" + backup


def zones_text(count: int, to_add: bool = False) -> str:
    """« 2 zones ajoutées. » (or, before the import, « à ajouter »)."""
    if to_add:
        text = ngettext("{n} zone à ajouter.", "{n} zones à ajouter.", count)
    else:
        text = ngettext("{n} zone ajoutée.", "{n} zones ajoutées.", count)
    return text.format(n=format_number(count))


def _one_decimal(value: float) -> str:
    """``1,5`` in French, ``1.5`` in English."""
    english = current_language() == "en"
    language = QLocale.Language.English if english else QLocale.Language.French
    return QLocale(language).toString(value, "f", 1)
