"""« Ajouter « Mairie de … » »: a commune's town hall into the directory, from the map or a
territory's profile; when it is there already, the user is offered to open it."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QMessageBox, QWidget

from companion.directory.town_halls import TownHallExists, add_town_hall, town_hall_name
from companion.geo import Commune
from companion.i18n import _
from companion.store import Store
from companion.store.records import Actor
from companion.ui.directory.actor_form import open_gazetteer


def action_text(commune: Commune) -> str:
    """The menu or button text: « Ajouter « Mairie de Nogent-sur-Marne » »."""
    return _("Ajouter « {name} »").format(name=town_hall_name(commune.name))


def add_commune_town_hall(
    parent: QWidget,
    store: Store,
    commune: Commune,
    open_actor: Callable[[str], None],
) -> Actor | None:
    """Create the town hall and return it; when the directory has it already, say so in a
    message box (left on ``parent.town_hall_box``) whose « Ouvrir la fiche » calls
    ``open_actor`` with its id, and return None."""
    gazetteer, notice = open_gazetteer()
    if gazetteer is None:
        QMessageBox.warning(parent, _("Mairie"), notice)
        return None
    with gazetteer:
        try:
            return add_town_hall(store, gazetteer, commune)
        except TownHallExists as exists:
            box = QMessageBox(
                QMessageBox.Icon.Information, _("Mairie déjà dans l'annuaire"), str(exists),
                parent=parent,
            )  # fmt: skip
            opening = box.addButton(_("Ouvrir la fiche"), QMessageBox.ButtonRole.AcceptRole)
            box.addButton(_("Fermer"), QMessageBox.ButtonRole.RejectRole)
            box.setDefaultButton(opening)
            actor_id = exists.actor.id
            box.buttonClicked.connect(
                lambda button: open_actor(actor_id) if button is opening else None
            )
            parent.town_hall_box = box
            box.open()
            return None
