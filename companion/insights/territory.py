"""A territory's profile (fiche territoire): who is there, who works there, what links them.

For a commune, EPCI, département or région: population and communes (from the
gazetteer), the live actors by kind, the catalysts active there and their
métiers, the relations inside the territory and with the outside by type, and
the same figures for the enclosing département and région (France around a
région) to compare with. Everything is counted from one consistent read.
"""

from __future__ import annotations

import sqlite3
from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING

from companion.geo import Gazetteer
from companion.i18n import _, ngettext
from companion.insights.catalysts import Catalyst, load_catalysts
from companion.insights.counts import tally
from companion.insights.db import snapshot
from companion.insights.formatting import number
from companion.insights.places import (
    PlaceIndex,
    Territory,
    find_territory,
    place_index,
    search_territories,
)

if TYPE_CHECKING:
    from companion.insights.territory_map import MapDrawing

__all__ = [
    "CatalystPresence",
    "Territory",
    "TerritoryFigures",
    "TerritoryProfile",
    "catalysts_summary",
    "find_territory",
    "search_territories",
    "territory_profile",
]


NAMED_CATALYSTS = 15  # catalysts acting from outside named in the summary


@dataclass(frozen=True)
class TerritoryFigures:
    """The figures of one territory; the same for the profiled one and its comparisons."""

    territory: Territory
    population: int
    communes: int
    actors_by_kind: dict[str, int]
    relations_inside: dict[str, int]  # by type: both actors in the territory
    relations_outside: dict[str, int]  # by type: one actor in it, the other outside

    @property
    def actors(self) -> int:
        return sum(self.actors_by_kind.values())

    @property
    def inside(self) -> int:
        return sum(self.relations_inside.values())

    @property
    def outside(self) -> int:
        return sum(self.relations_outside.values())

    @property
    def actors_per_10k(self) -> float | None:
        """Actors per 10,000 inhabitants (None for an uninhabited territory)."""
        return self.actors * 10_000 / self.population if self.population else None

    @property
    def relations_per_actor(self) -> float | None:
        """Relations each actor has on average (one inside counts for both its actors)."""
        return (2 * self.inside + self.outside) / self.actors if self.actors else None

    def kind_share(self, kind: str) -> float:
        """The share (0 to 1) of the territory's actors of this kind."""
        return self.actors_by_kind.get(kind, 0) / self.actors if self.actors else 0.0


@dataclass(frozen=True)
class CatalystPresence:
    """A catalyst active in the territory: located there, or acting there (its profile)."""

    actor_id: str
    name: str
    commune: str
    structure: str
    metiers: tuple[str, ...]
    located: bool


@dataclass(frozen=True)
class TerritoryProfile:
    territory: Territory
    figures: TerritoryFigures
    catalysts: list[CatalystPresence]
    comparisons: list[TerritoryFigures]  # the enclosing territories, narrowest first
    map: MapDrawing | None = None  # its outline and actors (territory_map), if known

    @property
    def based(self) -> list[CatalystPresence]:
        """The catalysts based in the territory: those its actors by kind count."""
        return [c for c in self.catalysts if c.located]

    @property
    def from_outside(self) -> list[CatalystPresence]:
        """The catalysts based elsewhere whose territory of action covers this one."""
        return [c for c in self.catalysts if not c.located]

    @property
    def metiers(self) -> dict[str, int]:
        """How many of the active catalysts practise each métier."""
        return dict(Counter(code for c in self.catalysts for code in c.metiers))


def territory_profile(
    conn: sqlite3.Connection, gazetteer: Gazetteer, territory: Territory
) -> TerritoryProfile:
    """The profile of ``territory`` (see ``find_territory`` / ``search_territories``)."""
    index = place_index(gazetteer)
    territories = [territory, *index.enclosing(territory)]
    with snapshot(conn):
        tallies = tally(conn, index, territories)
        catalysts = load_catalysts(conn)
    figures = [
        TerritoryFigures(
            territory=place,
            population=index.population(place),
            communes=index.commune_count(place),
            actors_by_kind=dict(counted.actors_by_kind.most_common()),
            relations_inside=dict(counted.inside.most_common()),
            relations_outside=dict(counted.crossing.most_common()),
        )
        for place, counted in zip(territories, tallies, strict=True)
    ]
    present = [p for c in catalysts if (p := _presence(index, territory, c))]
    present.sort(key=lambda p: (not p.located, p.name.casefold()))
    return TerritoryProfile(territory, figures[0], present, figures[1:])


def _presence(
    index: PlaceIndex, territory: Territory, catalyst: Catalyst
) -> CatalystPresence | None:
    located = index.locate(catalyst.insee_code, catalyst.departement).within(territory)
    if not located:
        areas = (index.from_key(key) for key in catalyst.territories)
        if not any(area and index.overlap(area, territory) for area in areas):
            return None
    return CatalystPresence(
        actor_id=catalyst.actor_id,
        name=catalyst.name,
        commune=catalyst.commune or "",
        structure=catalyst.structure,
        metiers=catalyst.metiers,
        located=located,
    )


def catalysts_summary(profile: TerritoryProfile) -> str:
    """Who acts here: how many catalysts are based in the territory, and which act in it
    from outside (by name), so that the two counts of the page agree."""
    based, outside = profile.based, profile.from_outside
    if not based and not outside:
        return _("Aucun catalyseur connu dans ce territoire.")
    here = ngettext(
        "{n} catalyseur est basé dans le territoire (compté parmi ses acteurs)",
        "{n} catalyseurs sont basés dans le territoire (comptés parmi ses acteurs)",
        len(based),
    ).format(n=number(len(based)))
    if not outside:
        return here + "."
    names = ", ".join(
        f"{c.name} ({c.commune})" if c.commune and c.commune not in c.name else c.name
        for c in outside[:NAMED_CATALYSTS]
    )
    if len(outside) > NAMED_CATALYSTS:
        names += " " + _("et {n} autres").format(n=number(len(outside) - NAMED_CATALYSTS))
    if not based:
        return ngettext(
            "Aucun catalyseur n'est basé dans le territoire ; {n} y agit depuis l'extérieur : "
            "{names}.",
            "Aucun catalyseur n'est basé dans le territoire ; {n} y agissent depuis "
            "l'extérieur : {names}.",
            len(outside),
        ).format(n=number(len(outside)), names=names)
    away = ngettext(
        "{n} autre y agit depuis l'extérieur : {names}",
        "{n} autres y agissent depuis l'extérieur : {names}",
        len(outside),
    ).format(n=number(len(outside)), names=names)
    return _("{here} ; {away}.").format(here=here, away=away)
