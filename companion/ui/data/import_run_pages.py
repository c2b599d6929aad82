"""The import wizard's last pages: the dry run (every problem listed), then the import."""

from __future__ import annotations

import threading
from collections.abc import Callable

from PySide6.QtCore import QLocale, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListWidget,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
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
from companion.io.layouts import signature
from companion.io.rejects import default_rejects_path
from companion.ui.common.formatting import format_number
from companion.ui.common.job_panel import JobPanel
from companion.ui.common.jobs import Report
from companion.ui.data.import_state import ImportState

SHOWN_MAX = 1000  # rows listed; a file with more problems is fixed from the first ones


class CheckPage(QWizardPage):
    """Check the whole file in the background; the import button waits for a clean file."""

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
        self.recheck_button.setToolTip(_("Relire le fichier après l'avoir corrigé"))
        self.recheck_button.clicked.connect(self.start)
        self.summary = QLabel()
        self.summary.setTextFormat(Qt.TextFormat.PlainText)
        self.summary.setWordWrap(True)
        self.problems = QTableWidget(0, 3)
        self.problems.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.problems.verticalHeader().hide()
        self.problems.horizontalHeader().setStretchLastSection(True)
        self.problems.horizontalHeader().setSectionResizeMode(
            0, QHeaderView.ResizeMode.ResizeToContents
        )
        self.updates = QListWidget()
        # Import around the problems: the rows without one go in, the others to a file.
        self.skip_box = QCheckBox()
        self.skip_box.hide()
        self.skip_box.toggled.connect(self._on_skip_toggled)
        self.keep_box = QCheckBox()
        self.keep_box.hide()
        self.keep_box.setEnabled(False)
        self.keep_box.toggled.connect(self._on_keep_toggled)
        row = QHBoxLayout()
        row.addWidget(self.panel, 1)
        row.addWidget(self.recheck_button, 0, Qt.AlignmentFlag.AlignTop)
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(self.problems)
        splitter.addWidget(self.updates)
        layout = QVBoxLayout(self)
        layout.addLayout(row)
        layout.addWidget(self.summary)
        layout.addWidget(self.skip_box)
        layout.addWidget(self.keep_box)
        layout.addWidget(splitter, 1)

    @property
    def checking(self) -> bool:
        return self.panel.running

    def initializePage(self) -> None:
        self.start()

    def cleanupPage(self) -> None:
        """Back to the previous page: a check still running is no longer wanted."""
        self.panel.cancel()

    def start(self) -> None:
        """Read and check the file (again: the user may have fixed it meanwhile)."""
        self.state.checked = None
        self.state.skip_invalid = False
        self.state.blank_invalid = False
        for box in (self.skip_box, self.keep_box):
            box.setChecked(False)
            box.hide()
        self.summary.clear()
        self.problems.setRowCount(0)
        self.problems.hide()  # shown with the problems a check finds
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
        self._show_problems(problems)
        self._show_updates(checked.described_updates() + [str(note) for note in checked.set_aside])
        self.summary.setText(_counts(checked))
        if checked.skippable:
            rejected = len({problem.line for problem in problems})
            rejects = default_rejects_path(checked.request.path).name
            self.skip_box.setText(
                ngettext(
                    "Importer les lignes valides, et mettre la ligne à problème de côté dans "
                    "« {name} », à corriger puis à importer",
                    "Importer les lignes valides, et mettre les {n} lignes à problème de côté "
                    "dans « {name} », à corriger puis à importer",
                    rejected,
                ).format(n=format_number(rejected), name=rejects)
            )
            self.skip_box.show()
            if checked.fallbacks:
                self.keep_box.setText(
                    ngettext(
                        "… mais importer sans ses valeurs erronées la ligne qui peut l'être, "
                        "avec l'étiquette « À vérifier »",
                        "… mais importer sans leurs valeurs erronées les {n} lignes qui peuvent "
                        "l'être, avec l'étiquette « À vérifier »",
                        checked.fallbacks,
                    ).format(n=format_number(checked.fallbacks))
                )
                self.keep_box.show()
        if problems and checked.skippable:
            message = ngettext(
                "{n} problème : corrigez le fichier puis « Revérifier », ou importez les lignes "
                "valides en mettant celle-ci de côté.",
                "{n} problèmes : corrigez le fichier puis « Revérifier », ou importez les lignes "
                "valides en mettant les autres de côté.",
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
        self.completeChanged.emit()

    def _show_problems(self, problems: list) -> None:
        unit = _("Élément") if any(p.unit == "feature" for p in problems) else _("Ligne")
        self.problems.setHorizontalHeaderLabels([unit, _("Champ"), _("Problème")])
        shown = problems[:SHOWN_MAX]
        self.problems.setRowCount(len(shown))
        for row, problem in enumerate(shown):
            line = QTableWidgetItem()
            line.setData(Qt.ItemDataRole.DisplayRole, problem.line)
            self.problems.setItem(row, 0, line)
            self.problems.setItem(
                row, 1, QTableWidgetItem(_(problem.field) if problem.field else "")
            )
            self.problems.setItem(row, 2, QTableWidgetItem(problem.message))
        self.problems.setVisible(bool(problems))

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

    def _on_skip_toggled(self, on: bool) -> None:
        self.state.skip_invalid = on
        self.keep_box.setEnabled(on)
        if not on:
            self.keep_box.setChecked(False)
        self.completeChanged.emit()

    def _on_keep_toggled(self, on: bool) -> None:
        self.state.blank_invalid = on

    def isComplete(self) -> bool:
        checked = self.state.checked
        return (
            checked is not None
            and (not checked.problems or (self.state.skip_invalid and checked.skippable))
            and checked.creates + checked.updates + checked.relations + checked.zones > 0
            and not self.checking
        )


class ImportPage(QWizardPage):
    """Back the database up and write the checked file in one transaction, with a report."""

    show_requested = Signal(list)  # the imported actors' ids, to show on the map

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
        # The records that came in, on the map (the wizard closes).
        self.show_button = QPushButton()
        self.show_button.hide()
        self.show_button.clicked.connect(self._on_show)
        layout = QVBoxLayout(self)
        layout.addWidget(self.panel)
        layout.addWidget(self.report)
        layout.addWidget(self.show_button, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addStretch(1)
        self.setFinalPage(True)

    @property
    def importing(self) -> bool:
        return self.panel.running

    def initializePage(self) -> None:
        self.state.outcome = None
        self.report.clear()
        self.show_button.hide()
        checked = self.state.checked
        assert checked is not None
        if self.state.skip_invalid:
            checked = checked.around_problems(keep=self.state.blank_invalid)
        database = self.state.store.path

        def write(report: Report, cancel: threading.Event) -> ImportOutcome:
            return import_checked(database, checked, report, cancel)

        self.panel.start(write, _("Sauvegarde de la base, puis import…"))
        self.completeChanged.emit()

    def _on_imported(self, outcome: ImportOutcome) -> None:
        self.state.outcome = outcome
        self.panel.show_result(_("Import terminé."))
        self.report.setText(_report(outcome, self.state.imports_actors))
        if outcome.actor_ids:
            count = len(outcome.actor_ids)
            self.show_button.setText(
                ngettext(
                    "Afficher la fiche importée sur la carte",
                    "Afficher les {n} fiches importées sur la carte",
                    count,
                ).format(n=format_number(count))
            )
            self.show_button.show()
            self.show_button.setFocus()
        self.completeChanged.emit()
        self.on_imported(outcome)

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
