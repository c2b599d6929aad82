"""The Écosystème tab: the network of a territory's actors (or a selection) and what it shows.

Left, the network (``ecosystem_scene``), zoomable; right, the figures: the actor
chosen (with "Ouvrir la fiche"), connections per actor, brokers, isolated actors,
clusters, the alliances absent between kinds of actors, and the links worth
making, each with its one-line reason. "Présenter (F5)" shows the network full
screen (``ecosystem_presentation``).
"""

from __future__ import annotations

import statistics

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction, QColor, QKeySequence
from PySide6.QtWidgets import (
    QFormLayout,
    QFrame,
    QGraphicsScene,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QScrollArea,
    QSplitter,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from companion.domain import ACTOR_KINDS, label
from companion.i18n import _, current_language, ngettext
from companion.insights.formatting import number
from companion.insights.territory_data import Ecosystem
from companion.ui.common.formatting import format_number
from companion.ui.common.icons import icon
from companion.ui.territory.ecosystem_canvas import EcosystemCanvas
from companion.ui.territory.ecosystem_presentation import EcosystemPresentation
from companion.ui.territory.ecosystem_scene import EcosystemScene, build_scene, legend_html

LISTED_ISOLATED = 50
SHOWN_SUGGESTIONS = 10
ACTOR = Qt.ItemDataRole.UserRole  # actor id(s) on list rows
PANEL_WIDTH = 360


def plain(text: str = "", wrap: bool = True) -> QLabel:
    widget = QLabel(text)
    widget.setTextFormat(Qt.TextFormat.PlainText)
    widget.setWordWrap(wrap)
    return widget


def share_text(share: float, digits: int = 0) -> str:
    """0.125 -> "12,5 %" in French, "12.5%" in English."""
    space = "\u202f" if current_language() == "fr" else ""
    return f"{number(share * 100, digits)}{space}%"


def wrapped_list(lines: int) -> QListWidget:
    """A list whose rows may hold a sentence or two."""
    widget = QListWidget()
    widget.setWordWrap(True)
    widget.setTextElideMode(Qt.TextElideMode.ElideNone)
    widget.setVerticalScrollMode(QListWidget.ScrollMode.ScrollPerPixel)
    widget.setMinimumHeight(widget.fontMetrics().height() * lines)
    return widget


class EcosystemView(QWidget):
    """Shows one ``Ecosystem`` at a time; ``directory_requested`` opens an actor's card."""

    directory_requested = Signal(str)
    presentation_changed = Signal(bool)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ecosystem: Ecosystem | None = None
        self.drawn: EcosystemScene | None = None
        self.presentation: EcosystemPresentation | None = None
        self.chosen_actor: str | None = None
        self._empty_scene = QGraphicsScene(self)
        self._message = self._empty_scene.addSimpleText("")
        self._message.setBrush(QColor("#555555"))

        self.canvas = EcosystemCanvas()
        self.canvas.node_clicked.connect(self.select_actor_here)
        self.canvas.zoomed.connect(self._on_zoomed)
        self._show_message("")
        self.title = plain(wrap=False)
        font = self.title.font()
        font.setBold(True)
        font.setPointSize(font.pointSize() + 2)
        self.title.setFont(font)
        toolbar = QToolBar()
        toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonIconOnly)
        self.zoom_out_action = self._action(
            toolbar, _("Zoom arrière"), "fa5s.search-minus", self.canvas.zoom_out, ["Ctrl+-"]
        )
        self.zoom_in_action = self._action(
            toolbar, _("Zoom avant"), "fa5s.search-plus", self.canvas.zoom_in, ["Ctrl++", "Ctrl+="]
        )
        self.fit_action = self._action(
            toolbar, _("Tout afficher"), "fa5s.expand", self.canvas.fit, ["Ctrl+0"]
        )
        self.present_button = QPushButton(_("Présenter (F5)"))
        self.present_button.clicked.connect(self.present)
        present = QAction(_("Présenter"), self)
        present.setShortcut(QKeySequence(Qt.Key.Key_F5))
        present.triggered.connect(self.present)
        self.addAction(present)
        self.present_action = present

        head = QHBoxLayout()
        head.addWidget(self.title, 1)
        head.addWidget(toolbar)
        head.addWidget(self.present_button)
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addLayout(head)
        left_layout.addWidget(self.canvas, 1)
        left_layout.addWidget(self._build_legend())

        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(left)
        splitter.addWidget(self._build_panel())
        splitter.setStretchFactor(0, 1)
        splitter.setCollapsible(0, False)
        splitter.setSizes([700, PANEL_WIDTH])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(splitter)
        self._set_enabled(False)

    def _action(
        self, toolbar: QToolBar, text: str, icon_name: str, slot, shortcuts: list[str]
    ) -> QAction:
        action = QAction(icon(icon_name), text, self)
        action.setShortcuts([QKeySequence(key) for key in shortcuts])
        action.setToolTip(f"{text} ({action.shortcut().toString()})")
        action.triggered.connect(slot)
        toolbar.addAction(action)
        return action

    def _build_legend(self) -> QLabel:
        self.legend = QLabel()
        self.legend.setTextFormat(Qt.TextFormat.RichText)
        self.legend.setWordWrap(True)
        return self.legend

    def _build_panel(self) -> QScrollArea:
        self.actor_name = plain()
        bold = self.actor_name.font()
        bold.setBold(True)
        self.actor_name.setFont(bold)
        self.actor_detail = plain()
        self.open_button = QPushButton(_("Ouvrir la fiche"))
        self.open_button.setToolTip(_("Ouvre l'acteur dans l'annuaire"))
        self.open_button.clicked.connect(self.open_selected)
        chosen = QGroupBox(_("Acteur choisi"))
        chosen_layout = QVBoxLayout(chosen)
        chosen_layout.addWidget(self.actor_name)
        chosen_layout.addWidget(self.actor_detail)
        chosen_layout.addWidget(self.open_button)

        self.actors_label = plain()
        self.connections_label = plain()
        self.clusters_label = plain()
        self.isolated_label = plain()
        figures = QGroupBox(_("Indicateurs"))
        form = QFormLayout(figures)
        form.addRow(_("Acteurs et relations"), self.actors_label)
        form.addRow(_("Connexions par acteur"), self.connections_label)
        form.addRow(_("Groupes"), self.clusters_label)
        form.addRow(_("Acteurs isolés"), self.isolated_label)

        self.brokers = wrapped_list(6)
        self.brokers_note = plain()
        self.isolated = wrapped_list(4)
        self.absent = wrapped_list(5)
        self.suggestions = wrapped_list(8)
        for widget in (self.brokers, self.isolated):
            widget.itemClicked.connect(self._on_actor_row)
            widget.itemActivated.connect(self._on_actor_row)
        self.suggestions.itemClicked.connect(self._on_suggestion_row)
        self.suggestions.itemActivated.connect(self._on_suggestion_row)

        panel = QWidget()
        layout = QVBoxLayout(panel)
        layout.setContentsMargins(6, 0, 6, 6)
        layout.addWidget(chosen)
        layout.addWidget(figures)
        layout.addWidget(self._section(_("Liens à suggérer"), self.suggestions))
        brokers = self._section(_("Intermédiaires"), self.brokers)
        brokers.layout().insertWidget(0, self.brokers_note)
        layout.addWidget(brokers)
        layout.addWidget(self._section(_("Alliances absentes"), self.absent))
        self.isolated_box = self._section(_("Acteurs isolés"), self.isolated)
        layout.addWidget(self.isolated_box)
        layout.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidget(panel)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setMinimumWidth(PANEL_WIDTH - 60)
        return scroll

    def _section(self, title: str, body: QWidget) -> QGroupBox:
        box = QGroupBox(title)
        box_layout = QVBoxLayout(box)
        box_layout.addWidget(body)
        return box

    def _set_enabled(self, enabled: bool) -> None:
        for action in (self.zoom_in_action, self.zoom_out_action, self.fit_action):
            action.setEnabled(enabled)
        self.present_button.setEnabled(enabled)
        self.present_action.setEnabled(enabled)

    # -- content ------------------------------------------------------------------

    def clear(self, message: str = "") -> None:
        """No network: ``message`` in its place (loading, no territory chosen)."""
        self.leave_presentation()
        old, self.drawn = self.drawn, None
        self.ecosystem = None
        self.chosen_actor = None
        self._show_message(message)
        if old is not None:  # no view shows it any more
            old.scene.deleteLater()
        self.title.clear()
        self.legend.clear()
        for widget in (self.brokers, self.isolated, self.absent, self.suggestions):
            widget.clear()
        for widget in (
            self.actors_label,
            self.connections_label,
            self.clusters_label,
            self.isolated_label,
            self.brokers_note,
        ):
            widget.clear()
        self._show_actor(None)
        self._set_enabled(False)

    def show_ecosystem(self, ecosystem: Ecosystem) -> None:
        """Draw ``ecosystem`` and fill the panel."""
        self.clear()
        self.ecosystem = ecosystem
        graph = ecosystem.graph
        self.title.setText(_("Réseau : {name}").format(name=ecosystem.title))
        if graph.number_of_nodes() == 0:
            self._show_message(_("Aucun acteur connu ici : le réseau est vide."))
            return
        self.drawn = build_scene(ecosystem)
        self.drawn.scene.setParent(self)
        self.canvas.show_scene(self.drawn.scene)
        self._set_enabled(True)
        self._fill_figures()
        self._fill_brokers()
        self._fill_isolated()
        self._fill_absent()
        self._fill_suggestions()
        self._fill_legend()

    def kind_counts(self) -> dict[str, int]:
        if self.ecosystem is None:
            return {}
        counts: dict[str, int] = {}
        for _node, kind in self.ecosystem.graph.nodes(data="kind"):
            counts[kind] = counts.get(kind, 0) + 1
        order = list(ACTOR_KINDS)
        return dict(
            sorted(
                counts.items(),
                key=lambda item: (-item[1], order.index(item[0]) if item[0] in order else 99),
            )
        )

    def _fill_legend(self) -> None:
        self.legend.setText(legend_html(self.kind_counts()))

    def _fill_figures(self) -> None:
        assert self.ecosystem is not None
        graph, metrics = self.ecosystem.graph, self.ecosystem.metrics
        actors = graph.number_of_nodes()
        relations = graph.number_of_edges()
        self.actors_label.setText(
            ngettext("{n} acteur", "{n} acteurs", actors).format(n=format_number(actors))
            + ", "
            + ngettext("{n} relation", "{n} relations", relations).format(
                n=format_number(relations)
            )
        )
        degrees = list(metrics.degrees.values())
        self.connections_label.setText(
            _("moyenne {mean}, médiane {median}, maximum {most}").format(
                mean=number(statistics.fmean(degrees), 1),
                median=number(statistics.median(degrees), 1),
                most=number(max(degrees)),
            )
        )
        groups = len(metrics.components)
        clusters = len(metrics.communities)
        self.clusters_label.setText(
            ngettext("{n} groupe d'acteurs reliés", "{n} groupes d'acteurs reliés", groups).format(
                n=format_number(groups)
            )
            + "\n"
            + ngettext("{n} communauté", "{n} communautés", clusters).format(
                n=format_number(clusters)
            )
        )
        isolated = len(metrics.isolated)
        share = isolated / actors if actors else 0
        self.isolated_label.setText(
            ngettext("{n} acteur sans relation", "{n} acteurs sans relation", isolated).format(
                n=format_number(isolated)
            )
            + f" ({share_text(share)})"
        )

    def _fill_brokers(self) -> None:
        assert self.ecosystem is not None
        metrics = self.ecosystem.metrics
        for rank, broker in enumerate(metrics.brokers, start=1):
            links = ngettext("{n} connexion", "{n} connexions", broker.degree).format(
                n=format_number(broker.degree)
            )
            text = f"{rank}. {broker.name} — {label(ACTOR_KINDS, broker.kind)}, {links}"
            item = QListWidgetItem(text)
            item.setData(ACTOR, broker.actor_id)
            item.setToolTip(
                _("Sur {share} des plus courts chemins entre deux acteurs").format(
                    share=share_text(broker.score, 1)
                )
            )
            self.brokers.addItem(item)
        if not metrics.brokers:
            self._note(self.brokers, _("Aucun acteur ne relie d'autres acteurs entre eux."))
        if metrics.exact:
            note = _("Les acteurs par qui passent le plus de liens entre les autres.")
        else:
            note = _(
                "Les acteurs par qui passent le plus de liens entre les autres "
                "(estimé à partir de {n} acteurs tirés au hasard)."
            ).format(n=format_number(metrics.sources))
        self.brokers_note.setText(note)

    def _fill_isolated(self) -> None:
        assert self.ecosystem is not None
        graph, metrics = self.ecosystem.graph, self.ecosystem.metrics
        for actor_id in metrics.isolated[:LISTED_ISOLATED]:
            data = graph.nodes[actor_id]
            item = QListWidgetItem(f"{data['name']} — {label(ACTOR_KINDS, data['kind'])}")
            item.setData(ACTOR, actor_id)
            self.isolated.addItem(item)
        more = len(metrics.isolated) - LISTED_ISOLATED
        if more > 0:
            self._note(self.isolated, _("… et {n} autres.").format(n=format_number(more)))
        if not metrics.isolated:
            self._note(self.isolated, _("Chaque acteur a au moins une relation."))

    def _fill_absent(self) -> None:
        assert self.ecosystem is not None
        for alliance in self.ecosystem.metrics.absent_alliances:
            item = QListWidgetItem(alliance.reason)
            if alliance.complementary:
                item.setToolTip(_("Ces deux types d'acteurs se complètent souvent."))
                font = item.font()
                font.setBold(True)
                item.setFont(font)
            self.absent.addItem(item)
        if not self.ecosystem.metrics.absent_alliances:
            self._note(self.absent, _("Chaque type d'acteur présent est relié aux autres."))

    def _fill_suggestions(self) -> None:
        assert self.ecosystem is not None
        for rank, suggestion in enumerate(self.ecosystem.suggestions, start=1):
            item = QListWidgetItem(f"{rank}. {suggestion.reason}")
            item.setData(ACTOR, (suggestion.first_id, suggestion.second_id))
            self.suggestions.addItem(item)
            if rank >= SHOWN_SUGGESTIONS:
                break
        if not self.ecosystem.suggestions:
            self._note(
                self.suggestions,
                _("Aucun lien à suggérer : pas d'acteurs complémentaires aux sujets communs."),
            )

    def _note(self, widget: QListWidget, text: str) -> None:
        item = QListWidgetItem(text)
        item.setFlags(Qt.ItemFlag.NoItemFlags)
        widget.addItem(item)

    # -- selection ----------------------------------------------------------------

    def _show_message(self, message: str) -> None:
        """An empty network: ``message`` in its middle."""
        self._message.setText(message)
        self._empty_scene.setSceneRect(self._message.boundingRect().adjusted(-40, -40, 40, 40))
        self.canvas.show_scene(self._empty_scene)

    def _on_zoomed(self, scale: float) -> None:
        if self.drawn is not None:
            self.drawn.show_names(scale)

    def select_actor(self, actor_id: str, centre: bool = True) -> bool:
        """Choose an actor in the network (and bring it into view); False if not drawn."""
        if self.drawn is None or actor_id not in self.drawn.nodes:
            return False
        self.chosen_actor = actor_id
        self.drawn.choose([actor_id])
        self._show_actor(actor_id)
        if centre:
            self.canvas.centre_on(self.drawn.nodes[actor_id])
        return True

    def select_actor_here(self, actor_id: str) -> None:
        """A click on an actor: chosen where it is."""
        self.select_actor(actor_id, centre=False)

    def selected_actor(self) -> str | None:
        return self.chosen_actor

    def _show_actor(self, actor_id: str | None) -> None:
        if actor_id is None or self.ecosystem is None:
            self.actor_name.setText(_("Cliquez sur un acteur du réseau."))
            self.actor_detail.clear()
            self.open_button.setEnabled(False)
            return
        data = self.ecosystem.graph.nodes[actor_id]
        degree = self.ecosystem.metrics.degrees.get(actor_id, 0)
        lines = [label(ACTOR_KINDS, data["kind"])]
        if data.get("commune"):
            lines.append(data["commune"])
        lines.append(
            ngettext("{n} connexion", "{n} connexions", degree).format(n=format_number(degree))
        )
        ranks = [b.actor_id for b in self.ecosystem.metrics.brokers]
        if actor_id in ranks:
            lines.append(_("Intermédiaire n° {rank}").format(rank=ranks.index(actor_id) + 1))
        self.actor_name.setText(data["name"])
        self.actor_detail.setText("\n".join(lines))
        self.open_button.setEnabled(True)

    def open_selected(self) -> None:
        actor_id = self.selected_actor()
        if actor_id is not None:
            self.directory_requested.emit(actor_id)

    def _on_actor_row(self, item: QListWidgetItem) -> None:
        actor_id = item.data(ACTOR)
        if isinstance(actor_id, str):
            self.select_actor(actor_id)

    def _on_suggestion_row(self, item: QListWidgetItem) -> None:
        """A suggested link: both actors chosen, their relations shown, the pair in view."""
        pair = item.data(ACTOR)
        if not isinstance(pair, tuple) or self.drawn is None:
            return
        first, second = (self.drawn.nodes.get(actor_id) for actor_id in pair)
        if first is None or second is None:
            return
        self.chosen_actor = pair[0]
        self.drawn.choose(list(pair))
        self._show_actor(pair[0])
        self.canvas.centerOn((first.pos() + second.pos()) / 2)

    # -- presentation ---------------------------------------------------------------

    def present(self) -> EcosystemPresentation | None:
        """F5: the network full screen; Esc leaves."""
        if self.drawn is None or self.ecosystem is None:
            return None
        if self.presentation is not None:
            return self.presentation
        window = EcosystemPresentation(
            self.drawn.scene, self.ecosystem.title, self.kind_counts(), self.window()
        )
        window.closed.connect(self._presentation_closed)
        window.canvas.node_clicked.connect(self.select_actor_here)
        window.canvas.zoomed.connect(self._on_zoomed)
        self.presentation = window
        window.start(self.window())
        self.presentation_changed.emit(True)
        return window

    def leave_presentation(self) -> None:
        if self.presentation is not None:
            self.presentation.close()

    def _presentation_closed(self) -> None:
        self.presentation = None
        self._on_zoomed(self.canvas.scale_factor())  # the names as this view wants them
        self.presentation_changed.emit(False)
