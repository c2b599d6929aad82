"""French as it is drawn: capitals keep their accents, « … » never breaks across lines."""

from PySide6.QtCore import Qt
from PySide6.QtGui import QImage, QTextLayout, QTextOption
from PySide6.QtWidgets import QApplication, QLabel, QTabWidget, QWidget

from companion.i18n import _
from companion.ui.common.style import install_style


def _unselected_tab(text: str) -> QImage:
    """The second, unselected tab of a document-mode tab bar, as drawn."""
    tabs = QTabWidget()
    tabs.setDocumentMode(True)
    tabs.addTab(QWidget(), "Fiche territoire")
    tabs.addTab(QWidget(), text)
    tabs.resize(400, 120)
    tabs.show()
    QApplication.processEvents()
    bar = tabs.tabBar()
    image = bar.grab(bar.tabRect(1)).toImage()
    tabs.close()
    return image


def test_an_unselected_tab_draws_the_accent_of_its_capital(qapp):
    install_style(qapp)
    with_accent, without = _unselected_tab("Écosystème"), _unselected_tab("Ecosystème")
    assert with_accent.size() == without.size()
    # Same tab, same word: only the accent above the « E » may differ, and it must be drawn.
    differing_rows = {
        y
        for y in range(with_accent.height())
        for x in range(with_accent.width())
        if with_accent.pixel(x, y) != without.pixel(x, y)
    }
    assert differing_rows, "« É » is drawn as « E »: its accent is clipped"
    install_style(qapp)  # a second call keeps the one style
    assert type(qapp.style()).__name__ == "AccentSafeStyle"


def _lines(label: QLabel) -> list[str]:
    """The lines a word-wrapped label's text is laid out in, at the label's width."""
    layout = QTextLayout(label.text(), label.font())
    option = QTextOption()
    option.setWrapMode(QTextOption.WrapMode.WordWrap)
    layout.setTextOption(option)
    layout.beginLayout()
    lines = []
    while (line := layout.createLine()).isValid():
        line.setLineWidth(label.contentsRect().width())
        lines.append(label.text()[line.textStart() : line.textStart() + line.textLength()])
    layout.endLayout()
    return lines


def test_a_wrapped_label_never_breaks_inside_quotes_or_before_a_colon(qtbot):
    text = _("Impossible d'afficher « {name} » : le fichier est absent ou illisible.").format(
        name="69123"
    )
    label = QLabel(text)
    label.setWordWrap(True)
    label.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
    qtbot.addWidget(label)
    prefix = label.fontMetrics().horizontalAdvance("Impossible d'afficher « 69")
    broken = []
    # Every width where a plain space let « 69123 » break: right after « or before ».
    for width in range(prefix - 40, prefix + 80, 2):
        label.setFixedWidth(width)
        lines = _lines(label)
        assert "".join(lines) == text
        if not any("«\u00a069123\u00a0»" in line for line in lines):
            broken.append((width, lines))
        if any(line.lstrip().startswith((":", "»")) for line in lines):
            broken.append((width, lines))
    assert not broken, broken
