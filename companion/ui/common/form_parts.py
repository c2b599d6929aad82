"""Pieces the directory's forms share: plain labels, the error line, combos, dates, buttons."""

from __future__ import annotations

import html

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QWidget,
)

from companion.directory.dates import check_period, format_date, parse_date
from companion.directory.validate import InvalidValue
from companion.domain import VISIBILITIES, label
from companion.i18n import _

ERROR_COLOR = "#b03a2e"
_INVALID_STYLE = f"border: 1px solid {ERROR_COLOR};"


def plain(text: str = "") -> QLabel:
    """A label that shows its text literally (never as HTML) and wraps."""
    widget = QLabel(text)
    widget.setTextFormat(Qt.TextFormat.PlainText)
    widget.setWordWrap(True)
    return widget


def error_label() -> QLabel:
    """The bold red line where a form says what is wrong; hidden until then."""
    widget = plain()
    widget.setStyleSheet(f"color: {ERROR_COLOR};")
    font = QFont(widget.font())
    font.setBold(True)
    widget.setFont(font)
    widget.setVisible(False)
    return widget


def code_combo(vocabulary: dict[str, str], current: str | None = None) -> QComboBox:
    """A combo of a vocabulary's labels holding their codes."""
    combo = QComboBox()
    for code in vocabulary:
        combo.addItem(label(vocabulary, code), code)
    select(combo, current)
    return combo


def visibility_combo(current: str | None = "network") -> QComboBox:
    combo = QComboBox()
    for code in ("network", "private"):
        combo.addItem(label(VISIBILITIES, code), code)
    select(combo, current)
    return combo


def select(combo: QComboBox, code: object) -> None:
    """Select the item holding ``code``, if there is one."""
    index = combo.findData(code)
    if index >= 0:
        combo.setCurrentIndex(index)


def date_edit(value: str | None = None) -> QLineEdit:
    """An optional date typed as jj/mm/aaaa (``directory.dates.parse_date`` reads it)."""
    edit = QLineEdit(format_date(value))
    edit.setPlaceholderText(_("jj/mm/aaaa"))
    edit.setMaximumWidth(edit.fontMetrics().horizontalAdvance("00/00/00000") + 24)
    return edit


def mark_invalid(widget: QWidget, invalid: bool) -> None:
    """Outline a field in red while its value is refused."""
    widget.setStyleSheet(_INVALID_STYLE if invalid else "")


def dialog_buttons(dialog: QDialog, ok_text: str) -> QDialogButtonBox:
    """OK (named ``ok_text``) and Annuler, wired to the dialog's accept and reject."""
    buttons = QDialogButtonBox(
        QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
    )
    buttons.button(QDialogButtonBox.StandardButton.Ok).setText(ok_text)
    buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(_("Annuler"))
    buttons.accepted.connect(dialog.accept)
    buttons.rejected.connect(dialog.reject)
    return buttons


def confirm(parent: QWidget, title: str, text: str) -> bool:
    """Ask before a deletion; No is the default answer.

    The static dialog guesses whether text is HTML; escaped inside a paragraph,
    a name typed by someone always shows literally.
    """
    answer = QMessageBox.question(
        parent,
        title,
        f"<p>{html.escape(text)}</p>",
        QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
        QMessageBox.StandardButton.No,
    )
    return answer == QMessageBox.StandardButton.Yes


def refuse(widget: QWidget) -> None:
    """Outline a refused field and put the cursor in it."""
    mark_invalid(widget, True)
    widget.setFocus()


def read_period(start: QLineEdit, end: QLineEdit) -> dict[str, str | None]:
    """``start_date`` and ``end_date`` (ISO, or None) from two date fields.

    Raises ``InvalidValue`` naming the field, which is outlined and focused.
    """
    dates: dict[str, str | None] = {}
    for key, edit, name in (
        ("start_date", start, _("Date de début")),
        ("end_date", end, _("Date de fin")),
    ):
        try:
            dates[key] = parse_date(edit.text())
        except InvalidValue as error:
            refuse(edit)
            raise InvalidValue(_("{field} : {message}").format(field=name, message=error)) from None
    try:
        check_period(dates["start_date"], dates["end_date"])
    except InvalidValue:
        refuse(end)
        raise
    return dates


def period_row(start: QLineEdit, end: QLineEdit) -> QHBoxLayout:
    """ "du [start] au [end]" on one line."""
    row = QHBoxLayout()
    for widget in (plain(_("du")), start, plain(_("au")), end):
        row.addWidget(widget)
    row.addStretch(1)
    return row
