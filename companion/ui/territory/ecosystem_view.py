"""The Écosystème tab: the network of a territory's actors (or a selection) and what it shows.

Left, the network (``ecosystem_scene``), zoomable, packed to the view's shape,
the isolated actors shown on request; a click on an actor focuses it (Esc or a
click on the background lets it go). Right, one scrolling column: the actor
chosen (with "Ouvrir la fiche"), the indicators each explained in a sentence
(``insights.ecosystem_indicators``), the links worth making, brokers, the
alliances absent between kinds of actors and the isolated actors, as rows sized
to their content. "Présenter (F5)" shows the network full screen
(``ecosystem_presentation``).
"""

from __future__ import annotations

from html import escape

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QAction, QColor, QKeySequence
from PySide6.QtWidgets import (
    QCheckBox,
    QFrame,
    QGraphicsScene,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QSplitter,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from companion.domain import ACTOR_KINDS, label
from companion.i18n import _, ngettext
from companion.insights.ecosystem_indicators import indicators, share_text
from companion.insights.territory_data import Ecosystem
from companion.ui.common.formatting import format_number
from companion.ui.common.icons import icon
from companion.ui.territory.ecosystem_canvas import EcosystemCanvas
from companion.ui.territory.ecosystem_presentation import EcosystemPresentation
from companion.ui.territory.ecosystem_rows import RowList
from companion.ui.territory.ecosystem_scene import EcosystemScene, build_scene, legend_html

LISTED_ISOLATED = 20
LISTED_BROKERS = 10
SHOWN_SUGGESTIONS = 5
PANEL_WIDTH = 360
MUTED = "#555555"
REARRANGE_MS = 120  # after a resize, the network is packed again for the new shape


def plain(text: str = "", wrap: bool = True) -> QLabel:
    widget = QLabel(text)
    widget.setTextFormat(Qt.TextFormat.PlainText)
    widget.setWordWrap(wrap)
    return widget


# Listed by Aide › Raccourcis clavier (ui/shell/section_shortcuts.py).
ZOOM_OUT_KEYS, ZOOM_IN_KEYS, FIT_KEYS = ["Ctrl+-"], ["Ctrl++", "Ctrl+="], ["Ctrl+0"]
PRESENT_KEY, UNFOCUS_KEY = "F5", "Esc"


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
        self.canvas.background_clicked.connect(self.clear_focus)
        self.canvas.hovered.connect(self._on_hovered)
        self.canvas.zoomed.connect(self._on_zoomed)
        self.canvas.resized.connect(self._on_resized)
        self._rearrange = QTimer(self)
        self._rearrange.setSingleShot(True)
        self._rearrange.setInterval(REARRANGE_MS)
        self._rearrange.timeout.connect(self._arrange_for_view)
        self.isolated_toggle = QCheckBox()
        self.isolated_toggle.setToolTip(
            _("Les acteurs sans aucune relation, rangés en grille sous le réseau")
        )
        self.isolated_toggle.toggled.connect(self.show_isolated)
        self._show_message("")
        self.title = plain(wrap=False)
        font = self.title.font()
        font.setBold(True)
        font.setPointSize(font.pointSize() + 2)
        self.title.setFont(font)
        toolbar = QToolBar()
        toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonIconOnly)
        self.zoom_out_action = self._action(
            toolbar, _("Zoom arrière"), "fa5s.search-minus", self.canvas.zoom_out, ZOOM_OUT_KEYS
        )
        self.zoom_in_action = self._action(
            toolbar, _("Zoom avant"), "fa5s.search-plus", self.canvas.zoom_in, ZOOM_IN_KEYS
        )
        self.fit_action = self._action(
            toolbar, _("Tout afficher"), "fa5s.expand", self.canvas.fit, FIT_KEYS
        )
        self.present_button = QPushButton(_("Présenter (F5)"))
        self.present_button.clicked.connect(self.present)
        present = QAction(_("Présenter"), self)
        present.setShortcut(QKeySequence(PRESENT_KEY))
        present.triggered.connect(self.present)
        self.addAction(present)
        self.present_action = present
        unfocus = QAction(_("Ne plus mettre en avant l'acteur choisi"), self)
        unfocus.setShortcut(QKeySequence(UNFOCUS_KEY))
        unfocus.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        unfocus.triggered.connect(self.clear_focus)
        self.addAction(unfocus)
        self.unfocus_action = unfocus

        head = QHBoxLayout()
        head.addWidget(self.title, 1)
        head.addWidget(self.isolated_toggle)
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

        self.figures = QLabel()  # every indicator, its figure and its sentence
        self.figures.setTextFormat(Qt.TextFormat.RichText)
        self.figures.setWordWrap(True)
        figures = self._section(_("Indicateurs"), self.figures)

        self.brokers = RowList()
        self.brokers_note = plain()
        self.isolated = RowList()
        self.absent = RowList()
        self.suggestions = RowList()
        for rows in (self.brokers, self.isolated):
            rows.activated.connect(self._on_actor_row)
        self.suggestions.activated.connect(self._on_suggestion_row)

        panel = QWidget()
        layout = QVBoxLayout(panel)
        layout.setContentsMargins(6, 0, 6, 6)
        layout.addWidget(chosen)
        layout.addWidget(figures)
        layout.addWidget(
            self._section(
                _("Liens à suggérer"),
                self.suggestions,
                _("Des acteurs aux sujets communs, sans relation entre eux : à présenter l'un à "
                  "l'autre. Cliquez sur un numéro pour les voir dans le réseau."),
            )
        )  # fmt: skip
        brokers = self._section(_("Intermédiaires"), self.brokers)
        brokers.layout().insertWidget(0, self.brokers_note)
        layout.addWidget(brokers)
        layout.addWidget(
            self._section(
                _("Alliances absentes"),
                self.absent,
                _("Des types d'acteurs présents ici qui n'ont aucune relation entre eux ; en "
                  "gras, ceux qui se complètent souvent."),
            )
        )  # fmt: skip
        self.isolated_box = self._section(_("Acteurs isolés"), self.isolated)
        layout.addWidget(self.isolated_box)
        layout.addStretch(1)
        scroll = QScrollArea()  # the one scroll bar of the column
        scroll.setWidget(panel)
        scroll.setWidgetResizable(True)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setMinimumWidth(PANEL_WIDTH - 60)
        self.panel_scroll = scroll
        return scroll

    def _section(self, title: str, body: QWidget, note: str = "") -> QGroupBox:
        """A titled box; ``note`` says in a sentence what its rows are."""
        box = QGroupBox(title)
        box_layout = QVBoxLayout(box)
        if note:
            explained = plain(note)
            explained.setStyleSheet(f"color: {MUTED}")
            box_layout.addWidget(explained)
        box_layout.addWidget(body)
        return box

    def _set_enabled(self, enabled: bool) -> None:
        for action in (self.zoom_in_action, self.zoom_out_action, self.fit_action):
            action.setEnabled(enabled)
        self.isolated_toggle.setVisible(
            enabled and bool(self.ecosystem and self.ecosystem.isolated)
        )
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
        self.figures.clear()
        self.brokers_note.clear()
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
        self.isolated_toggle.blockSignals(True)
        self.isolated_toggle.setChecked(False)
        self.isolated_toggle.blockSignals(False)
        count = len(ecosystem.isolated)
        self.isolated_toggle.setText(
            _("Afficher les acteurs isolés ({n})").format(n=format_number(count))
        )
        self.drawn = build_scene(ecosystem, self.canvas.aspect())
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
        rows = []
        for indicator in indicators(self.ecosystem.graph, self.ecosystem.metrics):
            rows.append(
                f"<p style='margin-bottom:6px'><b>{escape(indicator.title, quote=False)} : "
                f"{escape(indicator.value, quote=False)}</b><br/>"
                f"<span style='color:{MUTED}'>{escape(indicator.sentence, quote=False)}</span></p>"
            )
        self.figures.setText("".join(rows))

    def figure_texts(self) -> list[tuple[str, str, str]]:
        """(title, value, sentence) of each indicator shown (tests, accessibility)."""
        if self.ecosystem is None:
            return []
        found = indicators(self.ecosystem.graph, self.ecosystem.metrics)
        return [(i.title, i.value, i.sentence) for i in found]

    def _fill_brokers(self) -> None:
        assert self.ecosystem is not None
        metrics = self.ecosystem.metrics
        for rank, broker in enumerate(metrics.brokers[:LISTED_BROKERS], start=1):
            links = ngettext("{n} connexion", "{n} connexions", broker.degree).format(
                n=format_number(broker.degree)
            )
            tooltip = _("Sur {share} des plus courts chemins entre deux acteurs").format(
                share=share_text(broker.score, 1)
            )
            self.brokers.add(
                f" — {label(ACTOR_KINDS, broker.kind)}, {links}",
                broker.actor_id,
                f"{rank}. {broker.name}",
                tooltip,
            )
        if not metrics.brokers:
            self.brokers.note(_("Aucun acteur ne relie d'autres acteurs entre eux."))
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
            self.isolated.add(f" — {label(ACTOR_KINDS, data['kind'])}", actor_id, data["name"])
        more = len(metrics.isolated) - LISTED_ISOLATED
        if more > 0:
            self.isolated.note(_("… et {n} autres.").format(n=format_number(more)))
        if not metrics.isolated:
            self.isolated.note(_("Chaque acteur a au moins une relation."))

    def _fill_absent(self) -> None:
        assert self.ecosystem is not None
        for alliance in self.ecosystem.metrics.absent_alliances:
            if alliance.complementary:
                row = self.absent.add(
                    alliance.reason, tooltip=_("Ces deux types d'acteurs se complètent souvent.")
                )
                font = row.font()
                font.setBold(True)
                row.setFont(font)
            else:
                self.absent.add(alliance.reason)
        if not self.ecosystem.metrics.absent_alliances:
            self.absent.note(_("Chaque type d'acteur présent est relié aux autres."))

    def _fill_suggestions(self) -> None:
        assert self.ecosystem is not None
        for rank, suggestion in enumerate(self.ecosystem.suggestions, start=1):
            self.suggestions.add(
                f" {suggestion.reason}",
                (suggestion.first_id, suggestion.second_id),
                f"{rank}.",
                _("Montrer ces deux acteurs dans le réseau"),
            )
            if rank >= SHOWN_SUGGESTIONS:
                break
        if not self.ecosystem.suggestions:
            self.suggestions.note(
                _("Aucun lien à suggérer : pas d'acteurs complémentaires aux sujets communs.")
            )

    # -- selection ----------------------------------------------------------------

    def _show_message(self, message: str) -> None:
        """An empty network: ``message`` in its middle."""
        self._message.setText(message)
        self._empty_scene.setSceneRect(self._message.boundingRect().adjusted(-40, -40, 40, 40))
        self.canvas.show_scene(self._empty_scene)

    def _on_zoomed(self, scale: float) -> None:
        if self.drawn is not None:
            self.drawn.place_labels(scale)

    def _on_hovered(self, actor_id: str) -> None:
        if self.drawn is not None:
            self.drawn.hover(actor_id or None)

    def _on_resized(self, aspect: float) -> None:
        if self.drawn is not None and self.canvas.fitted:
            self._rearrange.start()

    def _arrange_for_view(self) -> None:
        """Pack the network again if the view's shape changed much."""
        drawn = self.drawn
        if drawn is None or self.presentation is not None:
            return
        aspect = self.canvas.aspect()
        if abs(aspect / drawn.aspect - 1) > 0.15:
            drawn.arrange(aspect)
            if self.canvas.fitted:
                self.canvas.fit()

    def show_isolated(self, shown: bool) -> None:
        """Draw the isolated actors (in a grid under the network) or not."""
        if self.drawn is None:
            return
        if not shown and self.chosen_actor in self.ecosystem.isolated:
            self.clear_focus()
        self.drawn.arrange(self.canvas.aspect(), shown)
        self.canvas.fit()
        if self.isolated_toggle.isChecked() != shown:
            self.isolated_toggle.setChecked(shown)

    def clear_focus(self) -> None:
        """No actor chosen: the whole network at full strength."""
        if self.drawn is not None and self.drawn.chosen:
            self.drawn.choose([])
        self.chosen_actor = None
        self._show_actor(None)

    def select_actor(self, actor_id: str, centre: bool = True) -> bool:
        """Choose (focus) an actor in the network (and bring it into view); False if not
        drawn. An isolated actor chosen from the list brings the isolated into view."""
        if self.drawn is None or actor_id not in self.drawn.nodes:
            return False
        if not self.drawn.nodes[actor_id].isVisible():
            self.show_isolated(True)
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

    def _on_actor_row(self, actor_id: object) -> None:
        if isinstance(actor_id, str):
            self.select_actor(actor_id)

    def _on_suggestion_row(self, pair: object) -> None:
        """A suggested link: both actors chosen, their relations shown, the pair in view."""
        if not isinstance(pair, tuple) or self.drawn is None:
            return
        first, second = (self.drawn.nodes.get(actor_id) for actor_id in pair)
        if first is None or second is None:
            return
        if not (first.isVisible() and second.isVisible()):
            self.show_isolated(True)
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
