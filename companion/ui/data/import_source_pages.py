"""The import wizard's first pages: which file, and how to read it."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWizardPage,
)

from companion.domain import ACTOR_KINDS, RELATION_TYPES
from companion.errors import CompanionError
from companion.i18n import _
from companion.io import sources
from companion.io.cells import import_text
from companion.io.textfile import ENCODINGS, TextFormat, detect_format
from companion.ui.common.file_dialogs import last_folder, remember_folder
from companion.ui.data.import_state import CHECK, MAPPING, ImportState
from companion.ui.data.preview_table import fit_columns

PREVIEW_ROWS = 20


def _file_filter() -> str:
    return ";;".join(
        (
            _("Fichiers importables")
            + " (*.csv *.txt *.xlsx *.xlsm *.json *.geojson *.umap *.vcf *.vcard)",
            _("Tous les fichiers") + " (*)",
        )
    )


class FilePage(QWizardPage):
    """Choose the file; its kind is detected when the user goes on."""

    def __init__(self, state: ImportState) -> None:
        super().__init__()
        self.state = state
        self.setTitle(_("Fichier à importer"))
        self.setSubTitle(
            _(
                "Acteurs : tableau CSV ou Excel, carte GeoJSON (uMap) ou GoGoCarto (JSON). "
                "Contacts : carnet vCard, export CSV de Google ou d'Outlook."
            )
        )
        self.path_edit = QLineEdit()
        self.path_edit.setPlaceholderText(_("Chemin du fichier"))
        self.path_edit.textChanged.connect(self.completeChanged)
        self.browse_button = QPushButton(_("Parcourir…"))
        self.browse_button.clicked.connect(self.browse)
        row = QHBoxLayout()
        row.addWidget(self.path_edit, 1)
        row.addWidget(self.browse_button)
        note = QLabel(
            _(
                "Rien n'est enregistré avant la dernière étape : le fichier est d'abord vérifié "
                "ligne par ligne, et la base est sauvegardée juste avant l'import."
            )
        )
        note.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addLayout(row)
        layout.addWidget(note)
        layout.addStretch(1)

    def browse(self) -> None:
        typed = Path(self.path_edit.text().strip()).expanduser()
        start = typed if self.path_edit.text().strip() and typed.parent.is_dir() else None
        path, _filter = QFileDialog.getOpenFileName(
            self,
            _("Importer un fichier"),
            str(start or last_folder("import")),
            _file_filter(),
        )
        if path:
            remember_folder("import", path)
            self.path_edit.setText(path)

    def chosen_path(self) -> Path:
        return Path(self.path_edit.text().strip()).expanduser()

    def isComplete(self) -> bool:
        return bool(self.path_edit.text().strip()) and self.chosen_path().is_file()

    def validatePage(self) -> bool:
        path = self.chosen_path()
        if path != self.state.path:
            self.state.path = path
            self.state.kind = sources.detect_kind(path)
            self.state.text_format = None
            self.state.mapping = None
        return True


class FormatPage(QWizardPage):
    """What kind of file it is and, for a CSV, its encoding and delimiter, with a preview."""

    def __init__(self, state: ImportState) -> None:
        super().__init__()
        self.state = state
        self.setTitle(_("Format"))
        self.setSubTitle(_("Vérifiez que le fichier est lu correctement (accents, colonnes)."))
        self.kind_combo = QComboBox()
        for code, label in sources.KINDS.items():
            self.kind_combo.addItem(_(label), code)
        self.encoding_combo = QComboBox()
        for encoding, label in zip(ENCODINGS, _encoding_labels(), strict=True):
            self.encoding_combo.addItem(label, encoding)
        self.delimiter_combo = QComboBox()
        for delimiter, label in _delimiters():
            self.delimiter_combo.addItem(label, delimiter)
        self.default_kind_combo = QComboBox()
        for code, label in ACTOR_KINDS.items():
            self.default_kind_combo.addItem(_(label), code)
        self.relation_type_combo = QComboBox()
        for code, label in RELATION_TYPES.items():
            self.relation_type_combo.addItem(_(label), code)
        self._select(self.relation_type_combo, "autre")
        self.zones_combo = QComboBox()  # a map's other lines and areas
        self.zones_combo.addItem(_("En faire des zones, dessinées sur la carte"), False)
        self.zones_combo.addItem(_("Les ignorer"), True)
        self.form = QFormLayout()
        self.form.addRow(_("Type de fichier"), self.kind_combo)
        self.form.addRow(_("Encodage"), self.encoding_combo)
        self.form.addRow(_("Séparateur"), self.delimiter_combo)
        self.form.addRow(_("Type des acteurs sans type"), self.default_kind_combo)
        # A map's lines between actors become relations: of this type when they name none.
        self.form.addRow(_("Type des relations tracées sans type"), self.relation_type_combo)
        self.form.addRow(_("Autres lignes et surfaces"), self.zones_combo)
        self.message = QLabel()
        self.message.setTextFormat(Qt.TextFormat.PlainText)
        self.message.setWordWrap(True)
        self.preview = QTableWidget()
        self.preview.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.preview.setWordWrap(False)
        layout = QVBoxLayout(self)
        layout.addLayout(self.form)
        layout.addWidget(self.message)
        layout.addWidget(self.preview, 1)
        self._readable = True
        self.kind_combo.currentIndexChanged.connect(self._on_kind_changed)
        self.encoding_combo.currentIndexChanged.connect(self.reload)
        self.delimiter_combo.currentIndexChanged.connect(self.reload)

    def initializePage(self) -> None:
        assert self.state.path is not None
        self._select(self.kind_combo, self.state.kind)
        self._select(self.default_kind_combo, sources.default_actor_kind(self.state.kind))
        self._detect_format()
        self.reload()

    def _detect_format(self) -> None:
        """Put the detected encoding and delimiter in the combo boxes (a CSV only)."""
        path = self.state.path
        if self.state.is_actor_table and not sources.is_workbook(path):
            try:
                detected = self.state.text_format or detect_format(path)
            except CompanionError:
                return  # reload() explains it
            self._select(self.encoding_combo, detected.encoding)
            self._select(self.delimiter_combo, detected.delimiter)

    def _select(self, combo: QComboBox, value: str) -> None:
        index = combo.findData(value)
        if index >= 0:
            combo.blockSignals(True)  # one reload once everything is set
            combo.setCurrentIndex(index)
            combo.blockSignals(False)

    def _on_kind_changed(self) -> None:
        self.state.kind = self.kind_combo.currentData()
        self._select(self.default_kind_combo, sources.default_actor_kind(self.state.kind))
        self._detect_format()
        self.reload()

    def _is_csv_table(self) -> bool:
        return self.state.is_actor_table and not sources.is_workbook(self.state.path)

    def reload(self) -> None:
        """Read the file again with the chosen format and show its first rows."""
        csv_table = self._is_csv_table()
        self.form.setRowVisible(self.encoding_combo, csv_table)
        self.form.setRowVisible(self.delimiter_combo, csv_table)
        self.form.setRowVisible(self.default_kind_combo, self.state.imports_actors)
        self.form.setRowVisible(self.relation_type_combo, self.state.kind == sources.GEOJSON)
        self.form.setRowVisible(self.zones_combo, self.state.kind == sources.GEOJSON)
        self.state.text_format = self.chosen_format() if csv_table else None
        self.preview.clear()
        self.preview.setRowCount(0)
        self.preview.setColumnCount(0)
        self._readable = True
        if not self.state.is_actor_table:
            self.message.setText(_describe(self.state.kind))
        else:
            try:
                head = sources.read_head(self.state.path, self.state.text_format, PREVIEW_ROWS)
            except CompanionError as error:
                self._readable = False
                self.message.setText(str(error))
            else:
                self.state.headers = head.headers
                self.message.setText(
                    _("Lu comme : {format}. Aperçu des premières lignes :").format(
                        format=head.text_format.description
                    )
                )
                _fill(self.preview, head.headers, head.rows)
        self.completeChanged.emit()

    def chosen_format(self) -> TextFormat:
        return TextFormat(self.encoding_combo.currentData(), self.delimiter_combo.currentData())

    def isComplete(self) -> bool:
        return self._readable

    def validatePage(self) -> bool:
        self.state.default_kind = self.default_kind_combo.currentData()
        self.state.relation_type = self.relation_type_combo.currentData()
        self.state.skip_zones = bool(self.zones_combo.currentData())
        return True

    def nextId(self) -> int:
        return MAPPING if self.state.is_actor_table else CHECK


def _fill(table: QTableWidget, headers: list[str], rows: list) -> None:
    width = max([len(headers), *(len(row.cells) for row in rows)])
    table.setColumnCount(width)
    table.setHorizontalHeaderLabels(headers + [""] * (width - len(headers)))
    table.setRowCount(len(rows))
    table.setVerticalHeaderLabels([str(row.line) for row in rows])
    for row_index, row in enumerate(rows):
        for column, text in enumerate(row.cells):
            table.setItem(row_index, column, QTableWidgetItem(import_text(text)))
    fit_columns(table)


def _describe(kind: str) -> str:
    if kind in sources.PEOPLE_KINDS:
        return _(
            "Chaque fiche devient une personne de l'annuaire ; son organisation devient une "
            "affiliation. Une personne déjà présente (même e-mail ou même nom) est mise à jour."
        )
    if kind == sources.GEOJSON:
        return _(
            "Chaque point devient un acteur, vérifié comme une ligne de tableau ; un calque uMap "
            "devient une étiquette. Une ligne tracée d'un acteur à un autre devient une relation ; "
            "les autres lignes et les surfaces deviennent des zones (un périmètre, un quartier), "
            "dessinées sous les acteurs, ou sont ignorées si vous le choisissez. Un acteur "
            "déjà présent (même identifiant, même e-mail, ou même nom dans la même commune) est "
            "mis à jour."
        )
    return _(
        "Chaque élément devient un acteur, vérifié comme une ligne de tableau. Un acteur déjà "
        "présent (même identifiant, même e-mail, ou même nom dans la même commune) est mis à jour."
    )


def _encoding_labels() -> list[str]:
    return [
        "UTF-8",
        _("UTF-8 avec BOM"),
        _("Windows-1252 (Excel sous Windows)"),
        _("ISO-8859-15 (Latin-9)"),
    ]


def _delimiters() -> list[tuple[str, str]]:
    return [
        (";", _("Point-virgule ( ; )")),
        (",", _("Virgule ( , )")),
        ("\t", _("Tabulation")),
        ("|", _("Barre verticale ( | )")),
    ]
