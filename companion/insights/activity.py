"""The activity report of a period: exchanges held, actors convened, alliances created
or active, by month, métier and département.

The métier of an exchange or a relation is that of the catalysts behind it: the
catalyst whose member recorded it (its owner), and the catalyst actor it involves.
Personal data stays out unless asked for: no one's name, e-mail, phone or notes
is even read from the database by default (counts of people are not personal).
"""

from __future__ import annotations

import sqlite3
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from companion.geo import Gazetteer
from companion.i18n import N_
from companion.insights.catalysts import load_catalysts, metiers_by_member
from companion.insights.db import snapshot
from companion.insights.places import Location, PlaceIndex, Territory, place_index
from companion.text import sort_key

# What each figure counts, said once for every rendering of the report (page, Word).
FIGURE_NOTES: tuple[tuple[str, str], ...] = (
    (N_("Échanges"), N_("les échanges datés dans la période (ateliers, réunions, appels…).")),
    (
        N_("Acteurs réunis"),
        N_(
            "les acteurs différents rencontrés lors de ces échanges : vu trois fois, un acteur "
            "compte une fois."
        ),
    ),  # fmt: skip
    (N_("Alliances créées"), N_("les alliances commencées dans la période.")),
    (
        N_("Alliances en cours"),
        N_(
            "les alliances qui existaient pendant la période : commencées avant sa fin, et non "
            "terminées avant son début (celles créées dans la période comprises)."
        ),
    ),  # fmt: skip
)
BY_METIER_NOTE = N_(
    "Un échange ou une alliance compte pour chaque métier des catalyseurs qui y prennent "
    "part : la somme des lignes peut dépasser le total."
)
BY_DEPARTEMENT_NOTE = N_(
    "Une alliance entre deux départements compte dans chacun : la somme des lignes peut "
    "dépasser le total."
)

_INTERACTIONS = """
SELECT i.date, i.kind, i.title, i.owner, i.actor_id, i.person_id,
       a.name, a.kind, coalesce(a.commune, ''), a.insee_code, a.departement{personal}
FROM interactions i
LEFT JOIN actors a ON a.id = i.actor_id AND a.deleted = 0
{people}
WHERE i.deleted = 0 AND i.date >= :start AND i.date < :after
ORDER BY i.date, i.seq
"""
_PERSONAL = ", coalesce(p.first_name || ' ' || p.last_name, ''), i.notes"
_PEOPLE = "LEFT JOIN people p ON p.id = i.person_id AND p.deleted = 0"
# Live relations between live actors whose period meets the report's: from their start
# (else their creation) to their end, if any.
_RELATIONS = """
SELECT r.type, r.owner, r.source_id, r.target_id,
       coalesce(r.start_date, substr(r.created_at, 1, 10)) AS began,
       a.insee_code, a.departement, b.insee_code, b.departement
FROM relations r
JOIN actors a ON a.id = r.source_id AND a.deleted = 0
JOIN actors b ON b.id = r.target_id AND b.deleted = 0
WHERE r.deleted = 0 AND coalesce(r.start_date, substr(r.created_at, 1, 10)) <= :end
    AND (r.end_date IS NULL OR r.end_date = '' OR r.end_date >= :start)
"""


@dataclass(frozen=True)
class Exchange:
    """One exchange held in the period, as the report lists it."""

    date: str
    kind: str
    title: str
    actor_name: str
    actor_kind: str
    commune: str
    person: str = ""  # only with personal data
    notes: str = ""  # only with personal data


@dataclass
class Breakdown:
    """What happened for one métier or one département."""

    exchanges: int = 0
    actors: set[str] = field(default_factory=set)  # convened
    created: int = 0
    active: int = 0


@dataclass(frozen=True)
class ActivityReport:
    start: str
    end: str
    territory: Territory | None
    include_personal: bool
    months: list[str]  # "2025-01"… every month of the period
    by_month: dict[str, dict[str, int]]  # month -> exchange kind -> count
    by_kind: dict[str, int]  # exchange kind -> count, most first
    actors_convened: int
    convened_by_kind: dict[str, int]  # actor kind -> actors convened
    people_convened: int
    created: dict[str, int]  # relation type -> alliances created in the period
    active: dict[str, int]  # relation type -> alliances active during the period
    by_metier: dict[str, Breakdown]  # métier code -> its part
    by_departement: dict[str, Breakdown]  # département code -> its part
    departement_names: dict[str, str]
    exchanges: list[Exchange]
    people: list[str] = field(default_factory=list)  # names, only with personal data

    @property
    def exchange_count(self) -> int:
        return sum(self.by_kind.values())


def activity_report(
    conn: sqlite3.Connection,
    gazetteer: Gazetteer,
    start: date | str,
    end: date | str,
    territory: Territory | None = None,
    include_personal: bool = False,
) -> ActivityReport:
    """What happened from ``start`` to ``end`` (both included), in ``territory`` if given:
    exchanges with an actor located there, relations with at least one end there."""
    first, last = _day(start), _day(end)
    index = place_index(gazetteer)
    sql = _INTERACTIONS.format(
        personal=_PERSONAL if include_personal else "", people=_PEOPLE if include_personal else ""
    )
    window = {"start": first.isoformat(), "end": last.isoformat()}
    with snapshot(conn):
        after = (last + timedelta(days=1)).isoformat()
        exchanges = conn.execute(sql, {"start": window["start"], "after": after}).fetchall()
        relations = conn.execute(_RELATIONS, window).fetchall()
        catalysts = load_catalysts(conn)
    by_member = metiers_by_member(catalysts)
    by_actor = {c.actor_id: set(c.metiers) for c in catalysts}
    tally = _Tally(index, territory)
    for row in exchanges:
        metiers = by_member.get(row[3], set()) | by_actor.get(row[4] or "", set())
        tally.exchange(row, metiers, include_personal)
    for row in relations:
        metiers = by_member.get(row[1], set()) | by_actor.get(row[2], set())
        tally.relation(row, metiers | by_actor.get(row[3], set()), row[4] >= window["start"])
    return tally.report(first, last, territory, include_personal)


class _Tally:
    """Counts as the rows come."""

    def __init__(self, index: PlaceIndex, territory: Territory | None) -> None:
        self.index = index
        self.territory = territory
        self.by_month: dict[str, Counter[str]] = defaultdict(Counter)
        self.by_kind: Counter[str] = Counter()
        self.actors: dict[str, str] = {}  # convened actor -> its kind
        self.people: set[str] = set()
        self.names: set[str] = set()
        self.created: Counter[str] = Counter()
        self.active: Counter[str] = Counter()
        self.by_metier: dict[str, Breakdown] = defaultdict(Breakdown)
        self.by_departement: dict[str, Breakdown] = defaultdict(Breakdown)
        self.exchanges: list[Exchange] = []

    def _where(self, insee: str | None, departement: str | None) -> Location:
        return self.index.locate(insee, departement)

    def exchange(self, row: tuple, metiers: set[str], personal: bool) -> None:
        day, kind, title, _owner, actor_id, person_id, name, actor_kind, commune = row[:9]
        location = self._where(*row[9:11]) if actor_id and name is not None else None
        if self.territory and not (location and location.within(self.territory)):
            return
        self.by_month[day[:7]][kind] += 1
        self.by_kind[kind] += 1
        parts = [self.by_metier[m] for m in metiers]
        if location and location.departement:
            parts.append(self.by_departement[location.departement])
        for part in parts:
            part.exchanges += 1
            if location:
                part.actors.add(actor_id)
        if location:
            self.actors[actor_id] = actor_kind
        if person_id:
            self.people.add(person_id)
        person, notes = (row[11], row[12]) if personal else ("", "")
        if person.strip():
            self.names.add(person.strip())
        self.exchanges.append(
            Exchange(
                date=day[:10],
                kind=kind,
                title=title,
                actor_name=name or "",
                actor_kind=actor_kind or "",
                commune=commune or "",
                person=person.strip(),
                notes=notes,
            )
        )

    def relation(self, row: tuple, metiers: set[str], created: bool) -> None:
        kind = row[0]
        ends = [self._where(*row[5:7]), self._where(*row[7:9])]
        if self.territory and not any(end.within(self.territory) for end in ends):
            return
        departements = {end.departement for end in ends if end.departement}
        parts = [self.by_metier[m] for m in metiers]
        parts += [self.by_departement[d] for d in sorted(departements)]
        self.active[kind] += 1
        if created:
            self.created[kind] += 1
        for part in parts:
            part.active += 1
            part.created += created

    def report(
        self, first: date, last: date, territory: Territory | None, personal: bool
    ) -> ActivityReport:
        months = _months(first, last)
        names = {}
        for code in self.by_departement:
            found = self.index.territory("departement", code)
            names[code] = found.name if found else code
        self.exchanges.sort(key=lambda e: (e.date, e.kind, e.title))
        return ActivityReport(
            start=first.isoformat(),
            end=last.isoformat(),
            territory=territory,
            include_personal=personal,
            months=months,
            by_month={month: dict(self.by_month.get(month, {})) for month in months},
            by_kind=dict(self.by_kind.most_common()),
            actors_convened=len(self.actors),
            convened_by_kind=dict(Counter(self.actors.values()).most_common()),
            people_convened=len(self.people),
            created=dict(self.created.most_common()),
            active=dict(self.active.most_common()),
            by_metier=dict(sorted(self.by_metier.items())),
            by_departement=dict(sorted(self.by_departement.items())),
            departement_names=names,
            exchanges=self.exchanges,
            people=sorted(self.names, key=sort_key),
        )


def _day(value: date | str) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def _months(first: date, last: date) -> list[str]:
    months = []
    year, month = first.year, first.month
    while (year, month) <= (last.year, last.month):
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months
