"""The shortcuts of the sections' own pages (the map, the directory's table, the toolbox's
reader), for Aide › Raccourcis clavier beside the menus'.

The keys come from the constants the pages build their actions with, so the list says
what the app does; ``tests/ui/test_help.py`` builds the pages and checks every action
with a shortcut is listed. The pages' modules load here, when F1 is pressed.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence

from companion.i18n import _


def section_shortcuts() -> list[tuple[str, str, str]]:
    """(group, action, keys) for the sections' pages."""
    from companion.ui.directory.bulk_actions import SHOW_ON_MAP_KEY
    from companion.ui.map.export_dialog import SHORTCUT as MAP_EXPORT_KEY
    from companion.ui.map.page import FILTERS_KEY, PRESENT_KEY
    from companion.ui.map.presentation import KEYS
    from companion.ui.territory import ecosystem_view as ecosystem
    from companion.ui.toolbox.reader import BACK_KEY, FORWARD_KEY, PRINT_KEY

    map_group, presenting = _("Carte"), _("Carte › Présentation")
    directory, toolbox = _("Annuaire (la liste)"), _("Boîte à outils (la fiche ouverte)")
    graph = _("Territoires › Écosystème")
    return [
        (map_group, _("Présenter la carte en plein écran"), _keys(PRESENT_KEY)),
        (map_group, _("Exporter la carte…"), _keys(MAP_EXPORT_KEY)),
        (map_group, _("Afficher ou masquer les filtres"), _keys(FILTERS_KEY)),
        (presenting, _("Étape suivante"), _keys(*KEYS["next"])),
        (presenting, _("Étape précédente"), _keys(*KEYS["previous"])),
        (presenting, _("Quitter la présentation"), _keys(*KEYS["leave"])),
        (directory, _("Voir la sélection sur la carte"), _keys(SHOW_ON_MAP_KEY)),
        (directory, _("Supprimer la sélection…"), _keys(QKeySequence.StandardKey.Delete)),
        (toolbox, _("Fiche précédente"), _keys(BACK_KEY)),
        (toolbox, _("Fiche suivante"), _keys(FORWARD_KEY)),
        (toolbox, _("Imprimer…"), _keys(PRINT_KEY)),
        (graph, _("Présenter l'écosystème en plein écran"), _keys(ecosystem.PRESENT_KEY)),
        (graph, _("Zoom avant"), _keys(*ecosystem.ZOOM_IN_KEYS)),
        (graph, _("Zoom arrière"), _keys(*ecosystem.ZOOM_OUT_KEYS)),
        (graph, _("Tout afficher"), _keys(*ecosystem.FIT_KEYS)),
        (graph, _("Ne plus mettre en avant l'acteur choisi"), _keys(ecosystem.UNFOCUS_KEY)),
    ]


def _keys(*keys: str | Qt.Key | QKeySequence.StandardKey) -> str:
    """The keys as the system writes them, « Ctrl+Maj+F, F5 »."""
    sequences: list[QKeySequence] = []
    for key in keys:
        if isinstance(key, QKeySequence.StandardKey):
            sequences += QKeySequence.keyBindings(key)[:1]
        else:
            sequences.append(QKeySequence(key))
    return ", ".join(s.toString(QKeySequence.SequenceFormat.NativeText) for s in sequences)
