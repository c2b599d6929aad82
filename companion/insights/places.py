"""Territories (commune, EPCI, département, région) and where each INSEE code lies.

The gazetteer's administrative tree is read once per open gazetteer and kept in
memory (``place_index``): about 37,000 codes, a quarter of a second to load, then
every lookup is a dictionary access.
"""

from __future__ import annotations

import threading
import weakref
from collections import defaultdict
from dataclasses import dataclass, field

from companion.geo import Commune, Gazetteer
from companion.i18n import N_, _
from companion.text import fold

LEVELS: dict[str, str] = {
    "commune": N_("Commune"),
    "epci": N_("Intercommunalité"),
    "departement": N_("Département"),
    "region": N_("Région"),
    "france": N_("France"),
}
FRANCE_CODE = "FR"
_SEARCH_ORDER = ("departement", "region", "commune", "epci", "france")
_ALL_KINDS = ("COM", "ARM", "COMD", "COMA")


@dataclass(frozen=True)
class Territory:
    """A commune, EPCI (by SIREN), département or région; "france" is the whole country."""

    level: str
    code: str
    name: str
    # The département code shown after a commune's or an EPCI's name (homonyms abound).
    departement: str = field(default="", compare=False)

    @property
    def key(self) -> str:
        """As catalyst profiles store it: "commune:93066", "departement:93"…"""
        return f"{self.level}:{self.code}"

    @property
    def label(self) -> str:
        """The name as a list shows it: "Saint-Denis (93)", "Seine-Saint-Denis (93)"."""
        if self.level == "departement":
            return f"{self.name} ({self.code})"
        if self.level in ("commune", "epci") and self.departement:
            return f"{self.name} ({self.departement})"
        return self.name

    @property
    def level_label(self) -> str:
        return _(LEVELS.get(self.level, self.level))


@dataclass(frozen=True)
class Location:
    """Where an actor lies; ``commune`` is the commune an arrondissement or déléguée belongs to."""

    insee: str | None
    commune: str | None
    epci: str | None
    departement: str | None
    region: str | None

    def within(self, territory: Territory) -> bool:
        level, code = territory.level, territory.code
        if level == "commune":
            return code in (self.insee, self.commune)
        if level == "epci":
            return self.epci == code
        if level == "departement":
            return self.departement == code
        if level == "region":
            return self.region == code
        return level == "france"


NOWHERE = Location(None, None, None, None, None)
FRANCE = Territory("france", FRANCE_CODE, "France")


class PlaceIndex:
    """The gazetteer's codes in memory: commune -> EPCI, département, région; names, populations."""

    def __init__(self, gazetteer: Gazetteer) -> None:
        self._places: dict[str, Commune] = {}
        self._codes: dict[tuple[str, str], set[str]] = defaultdict(set)
        self._population: dict[tuple[str, str], int] = defaultdict(int)
        self._communes: dict[tuple[str, str], int] = defaultdict(int)
        self._names: dict[tuple[str, str], str] = {}
        self._epci_departements: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        for code, name in gazetteer.regions():
            self._names["region", code] = name
        self.region_of: dict[str, str] = {}
        for code, name, region in gazetteer.departements():
            self._names["departement", code] = name
            self.region_of[code] = region
        for commune in gazetteer.communes(_ALL_KINDS):
            self._add(commune)
        self._locations: dict[tuple[str | None, str | None], Location] = {}

    def _add(self, commune: Commune) -> None:
        # A commune déléguée may share its code with its commune nouvelle: the COM came first.
        self._places.setdefault(commune.insee, commune)
        root = commune.parent_insee if commune.kind != "COM" and commune.parent_insee else None
        keys = [("departement", commune.departement), ("region", commune.region)]
        keys.append(("france", FRANCE_CODE))
        if commune.epci:
            keys.append(("epci", commune.epci))
            self._names["epci", commune.epci] = commune.epci_name or commune.epci
        keys.append(("commune", commune.insee))
        if root:
            keys.append(("commune", root))
        for key in keys:
            self._codes[key].add(commune.insee)
        if commune.kind == "COM":
            self._names.setdefault(("commune", commune.insee), commune.name)
            for key in keys:
                self._population[key] += commune.population
                self._communes[key] += 1
            if commune.epci:
                self._epci_departements[commune.epci][commune.departement] += commune.population
        elif commune.kind == "ARM":  # an arrondissement is a territory of its own
            self._names["commune", commune.insee] = commune.name
            self._population["commune", commune.insee] = commune.population
            self._communes["commune", commune.insee] = 1

    # -- places ---------------------------------------------------------------

    def locate(self, insee: str | None, departement: str | None = None) -> Location:
        """Where an actor with this INSEE code (else département code) lies."""
        key = (insee, departement)
        found = self._locations.get(key)
        if found is None:
            found = self._locate(insee, departement)
            self._locations[key] = found
        return found

    def _locate(self, insee: str | None, departement: str | None) -> Location:
        commune = self._places.get(insee.strip().upper()) if insee else None
        if commune is not None:
            root = commune.parent_insee if commune.kind != "COM" and commune.parent_insee else None
            return Location(
                commune.insee,
                root or commune.insee,
                commune.epci,
                commune.departement,
                commune.region,
            )
        code = (departement or "").strip().upper()
        if code in self.region_of:
            return Location(None, None, None, code, self.region_of[code])
        return NOWHERE

    def commune(self, insee: str) -> Commune | None:
        return self._places.get(insee)

    # -- territories ----------------------------------------------------------

    def territory(self, level: str, code: str) -> Territory | None:
        """The territory of this level and code, or None if the gazetteer does not know it."""
        if level == "france":
            return FRANCE
        code = code.strip().upper()
        name = self._names.get((level, code))
        if name is None:
            return None
        return Territory(level, code, name, self._departement_of(level, code))

    def _departement_of(self, level: str, code: str) -> str:
        if level == "commune":
            return self._places[code].departement
        if level == "epci":
            return self.main_departement(code) or ""
        return ""

    def from_key(self, key: str) -> Territory | None:
        """A territory from "level:code" (as catalyst profiles store them)."""
        level, _sep, code = key.partition(":")
        return self.territory(level.strip(), code) if code else None

    def codes(self, territory: Territory) -> set[str]:
        """Every INSEE code (communes, arrondissements, communes déléguées) in the territory."""
        return self._codes.get((territory.level, territory.code), set())

    def departements(self, territory: Territory) -> set[str]:
        if territory.level == "region":
            return {d for d, r in self.region_of.items() if r == territory.code}
        if territory.level == "departement":
            return {territory.code}
        if territory.level == "france":
            return set(self.region_of)
        return {self._places[code].departement for code in self.codes(territory)}

    def population(self, territory: Territory) -> int:
        return self._population.get((territory.level, territory.code), 0)

    def commune_count(self, territory: Territory) -> int:
        return self._communes.get((territory.level, territory.code), 0)

    def main_departement(self, epci: str) -> str | None:
        """The département holding most of an EPCI's inhabitants (a few straddle two)."""
        shares = self._epci_departements.get(epci)
        return max(shares, key=lambda d: (shares[d], d)) if shares else None

    def enclosing(self, territory: Territory) -> list[Territory]:
        """The département and région around a territory (France around a région), widest last."""
        if territory.level == "region":
            return [FRANCE]
        if territory.level == "departement":
            return [t for t in [self.territory("region", self.region_of[territory.code])] if t]
        if territory.level == "commune":
            departement: str | None = self._places[territory.code].departement
        else:
            departement = self.main_departement(territory.code)
        if departement is None:
            return []
        found = [
            self.territory("departement", departement),
            self.territory("region", self.region_of[departement]),
        ]
        return [t for t in found if t]

    def overlap(self, first: Territory, second: Territory) -> bool:
        """Whether two territories share ground (a catalyst's area and a profile's territory)."""
        if "france" in (first.level, second.level):
            return True
        wide = ("departement", "region")
        if first.level in wide or second.level in wide:
            return not self.departements(first).isdisjoint(self.departements(second))
        return not self.codes(first).isdisjoint(self.codes(second))

    def search(self, text: str) -> list[tuple[int, Territory]]:
        """(rank, territory) of régions, départements and EPCIs matching a name or code.

        Rank 0: the code; 1: the whole name; 2: the name's start; 3: a word's start.
        """
        key, compact = fold(text), text.strip().upper()
        if not key:
            return []
        found = []
        for (level, code), name in self._names.items():
            if level == "commune":
                continue
            folded = fold(name)
            if code == compact:
                rank = 0
            elif folded == key:
                rank = 1
            elif folded.startswith(key):
                rank = 2
            elif f" {key}" in f" {folded}":
                rank = 3
            else:
                continue
            territory = self.territory(level, code)
            if territory:
                found.append((rank, territory))
        return found


_INDEXES: weakref.WeakKeyDictionary[Gazetteer, PlaceIndex] = weakref.WeakKeyDictionary()
_LOCK = threading.Lock()


def place_index(gazetteer: Gazetteer) -> PlaceIndex:
    """The index of this gazetteer, built on first use and kept while the gazetteer lives."""
    with _LOCK:
        index = _INDEXES.get(gazetteer)
        if index is None:
            index = _INDEXES[gazetteer] = PlaceIndex(gazetteer)
        return index


def find_territory(gazetteer: Gazetteer, level: str, code: str) -> Territory | None:
    """The territory of this level ("commune", "epci", "departement", "region") and code."""
    return place_index(gazetteer).territory(level, code)


def search_territories(gazetteer: Gazetteer, text: str, limit: int = 20) -> list[Territory]:
    """Territories matching free text, best first: a code or whole name, then name starts.

    A département code ("93"), an EPCI's SIREN, a postcode or an INSEE code work too;
    among equals départements come first, then régions, communes and EPCIs.
    """
    index = place_index(gazetteer)
    ranked = index.search(text)
    key = fold(text)
    for commune in gazetteer.lookup(text, limit):
        # A commune déléguée is found as the commune it belongs to.
        territory = index.territory("commune", commune.insee) or index.territory(
            "commune", commune.parent_insee or ""
        )
        if territory:
            ranked.append((1 if fold(commune.name) == key else 2, territory))
    ranked.sort(key=lambda item: (item[0], _SEARCH_ORDER.index(item[1].level), fold(item[1].name)))
    found: list[Territory] = []
    for _rank, territory in ranked:
        if territory not in found:
            found.append(territory)
    return found[:limit]
