"""A catalyst's territory of action: codes, their check against the gazetteer, their labels.

A territory is written ``kind:code``: ``commune:<INSEE>``, ``epci:<SIREN>``,
``departement:<code>`` or ``region:<code>`` (the gazetteer's codes). A
:class:`Place` is where "near me" is measured from: a commune's town hall and
the EPCI, département and région it belongs to.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from companion.i18n import N_, _

if TYPE_CHECKING:
    from companion.geo.gazetteer import Commune, Gazetteer

TERRITORY_KINDS: dict[str, str] = {
    "commune": N_("Commune"),
    "epci": N_("Intercommunalité"),
    "departement": N_("Département"),
    "region": N_("Région"),
}


def territory(kind: str, code: str) -> str:
    """The stored form of a territory: ``"commune:69123"``."""
    return f"{kind}:{code}"


def split(text: str) -> tuple[str, str]:
    """(kind, code) of a stored territory; ValueError (French) when it is not one."""
    kind, _colon, code = text.strip().partition(":")
    if kind not in TERRITORY_KINDS or not code.strip():
        raise ValueError(_("territoire illisible « {text} ».").format(text=text))
    return kind, code.strip()


def departement_of_insee(insee: str) -> str:
    """The département of an INSEE commune code: "974" for 97411, "2A" for 2A004."""
    return insee[:3] if insee.startswith("97") else insee[:2]


def check(text: str, gazetteer: Gazetteer | None) -> str:
    """The territory, normalised, if the gazetteer knows it (without one, its form only).

    ValueError with a French message otherwise.
    """
    kind, code = split(text)
    if kind in ("commune", "departement"):
        code = code.upper()
    if gazetteer is not None and name(kind, code, gazetteer) is None:
        raise ValueError(_(_UNKNOWN[kind]).format(code=code))
    return territory(kind, code)


_UNKNOWN = {
    "commune": N_("commune inconnue : « {code} »."),
    "epci": N_("intercommunalité inconnue : « {code} »."),
    "departement": N_("département inconnu : « {code} »."),
    "region": N_("région inconnue : « {code} »."),
}


def name(kind: str, code: str, gazetteer: Gazetteer) -> str | None:
    """The name of a territory in the gazetteer, or None if it does not know it."""
    if kind == "commune":
        commune = gazetteer.by_insee(code)
        return commune.name if commune is not None and commune.insee == code else None
    if kind == "epci":
        return gazetteer.epci_name(code)
    if kind == "departement":
        return next((n for c, n, _r in gazetteer.departements() if c == code), None)
    if kind == "region":
        return next((n for c, n in gazetteer.regions() if c == code), None)
    return None


def label(text: str, gazetteer: Gazetteer | None) -> str:
    """How a territory reads: "Lyon (69)", "Métropole de Lyon", "Rhône (69)", "Bretagne"."""
    try:
        kind, code = split(text)
    except ValueError:
        return text
    found = name(kind, code, gazetteer) if gazetteer is not None else None
    if found is None:
        return f"{_(TERRITORY_KINDS[kind])} {code}"
    if kind == "commune":
        return f"{found} ({departement_of_insee(code)})"
    if kind == "departement":
        return f"{found} ({code})"
    return found


def region_map(gazetteer: Gazetteer) -> dict[str, str]:
    """Département code -> région code."""
    return {code: region for code, _name, region in gazetteer.departements()}


def regions_of(territories: tuple[str, ...], departement_regions: Mapping[str, str]) -> set[str]:
    """The régions a list of territories lies in (EPCIs are not resolved: a catalyst's
    EPCI lies in its home département anyway)."""
    found = set()
    for text in territories:
        try:
            kind, code = split(text)
        except ValueError:
            continue
        if kind == "region":
            found.add(code)
        elif kind == "departement" and code in departement_regions:
            found.add(departement_regions[code])
        elif kind == "commune":
            departement = departement_of_insee(code)
            if departement in departement_regions:
                found.add(departement_regions[departement])
    return found


@dataclass(frozen=True)
class Place:
    """Where "near me" is measured from: a point, and the territories it lies in."""

    latitude: float
    longitude: float
    name: str = ""
    insee: str = ""
    epci: str = ""
    departement: str = ""
    region: str = ""

    @classmethod
    def of_commune(cls, commune: Commune) -> Place:
        return cls(
            commune.latitude,
            commune.longitude,
            commune.name,
            commune.insee,
            commune.epci or "",
            commune.departement,
            commune.region,
        )

    def lies_in(self, text: str) -> bool:
        """Whether this place lies in the territory (a commune: the same commune)."""
        try:
            kind, code = split(text)
        except ValueError:
            return False
        own = {
            "commune": self.insee,
            "epci": self.epci,
            "departement": self.departement,
            "region": self.region,
        }[kind]
        return bool(own) and own == code
