"""Catalysts' public profiles: read, checked and saved, listed with filters, found near a place.

A profile (table ``catalyst_profiles``) belongs to one catalyst actor (kind
``catalyseur``): its hosting structure, the métiers it practises
(``domain.METIERS`` codes), its territory of action (``network.territories``),
themes, a public contact and its missions. Profiles are synced records; an
actor has one live profile: among its profiles written by the actor's owner
(docs/SYNC.md, "Records that hang on others": a profile someone else pushed,
through a hub that let it pass, is never shown), the most recently updated, if
two laptops each created one offline (the one read, and the one saved to).
Qt-free: the Réseau section and the CLI use this module.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from companion.domain import METIERS, VISIBILITIES
from companion.errors import CompanionError
from companion.geo.gazetteer import haversine_km
from companion.i18n import _
from companion.network import territories as territory
from companion.network.territories import Place
from companion.store.records import new_id, now_iso
from companion.text import fold

if TYPE_CHECKING:
    from companion.geo.gazetteer import Gazetteer
    from companion.store import Store

MAX_LENGTHS = {"structure": 200, "public_contact": 200, "missions": 2000, "theme": 60}


@dataclass(frozen=True)
class CatalystProfile:
    """One catalyst's public profile; ``id`` is empty until it is saved."""

    actor_id: str
    structure: str = ""
    metiers: tuple[str, ...] = ()
    territories: tuple[str, ...] = ()
    themes: tuple[str, ...] = ()
    public_contact: str = ""
    missions: str = ""
    visibility: str = "network"
    id: str = ""
    owner: str = ""
    updated_at: str = ""


@dataclass(frozen=True)
class Catalyst:
    """A catalyst as the Réseau section lists it: its actor, and its profile if it has one."""

    actor_id: str
    name: str
    owner: str
    commune: str
    insee_code: str
    departement: str
    latitude: float | None
    longitude: float | None
    profile: CatalystProfile | None

    @property
    def metiers(self) -> tuple[str, ...]:
        return self.profile.metiers if self.profile else ()

    @property
    def themes(self) -> tuple[str, ...]:
        return self.profile.themes if self.profile else ()

    @property
    def territories(self) -> tuple[str, ...]:
        return self.profile.territories if self.profile else ()


@dataclass(frozen=True)
class CatalystFilter:
    """What the list keeps; an empty value is no condition."""

    metier: str = ""  # a code of domain.METIERS
    region: str = ""  # a région code: home or territory of action in it
    theme: str = ""  # one of the profile's themes (case and accents ignored)
    text: str = ""  # every word in the name, structure, place, themes or missions


@dataclass(frozen=True)
class Nearby:
    """A catalyst found near a place: how far, and whether it acts where the place lies."""

    catalyst: Catalyst
    distance_km: float
    acts_here: bool  # one of its territories of action holds the place


class ProfileError(CompanionError):
    """A value of a profile was refused; ``field`` names it, the message says why in French."""

    def __init__(self, field: str, message: str) -> None:
        self.field = field
        super().__init__(_("{field} : {message}").format(field=field_label(field), message=message))


def field_label(field: str) -> str:
    labels = {
        "actor_id": _("Catalyseur"),
        "structure": _("Structure"),
        "metiers": _("Métiers"),
        "territories": _("Territoire d'action"),
        "themes": _("Thèmes"),
        "public_contact": _("Contact public"),
        "missions": _("Missions"),
        "visibility": _("Visibilité"),
    }
    return labels.get(field, field)


# -- reading ------------------------------------------------------------------

# Profiles its actor's owner wrote (an actor without an owner yet, made on this laptop
# before its first sync, takes this laptop's member then: any of its profiles counts).
_BY_OWNER = "(p.owner = a.owner OR a.owner = '')"
# The live profile of each actor: its owner's, the most recently updated if several.
_LATEST = (
    "(SELECT p.id FROM catalyst_profiles p WHERE p.actor_id = a.id AND p.deleted = 0 "
    f"AND {_BY_OWNER} ORDER BY p.updated_at DESC, p.seq DESC LIMIT 1)"
)
_SELECT = (
    "SELECT a.id, a.name, a.owner, coalesce(a.commune, ''), coalesce(a.insee_code, ''), "
    "coalesce(a.departement, ''), a.latitude, a.longitude, "
    "p.id, p.owner, p.visibility, p.updated_at, p.structure, p.metiers, p.territories, "
    "p.themes, p.public_contact, p.missions "
    f"FROM actors a LEFT JOIN catalyst_profiles p ON p.id = {_LATEST} "
    "WHERE a.kind = 'catalyseur' AND a.deleted = 0 "
)


def _json_list(text: str | None) -> tuple[str, ...]:
    """A stored JSON list of strings; anything else (a damaged value) reads as empty."""
    try:
        value = json.loads(text or "[]")
    except ValueError:
        return ()
    if not isinstance(value, list):
        return ()
    return tuple(str(item) for item in value if isinstance(item, str | int | float))


def _catalyst(row: tuple) -> Catalyst:
    actor_id, name, owner, commune, insee, departement, latitude, longitude = row[:8]
    profile = None
    if row[8] is not None:
        profile_id, p_owner, visibility, updated_at, structure, metiers = row[8:14]
        places, themes, contact, missions = row[14:18]
        profile = CatalystProfile(
            actor_id=actor_id,
            structure=structure or "",
            metiers=tuple(code for code in _json_list(metiers) if code in METIERS),
            territories=_json_list(places),
            themes=_json_list(themes),
            public_contact=contact or "",
            missions=missions or "",
            visibility=visibility,
            id=profile_id,
            owner=p_owner,
            updated_at=updated_at,
        )
    return Catalyst(
        actor_id, name, owner, commune, insee, departement, latitude, longitude, profile
    )


def catalysts(store: Store) -> list[Catalyst]:
    """Every live catalyst actor with its profile (or None), by name."""
    return [_catalyst(row) for row in store.conn.execute(_SELECT + "ORDER BY a.sort_name, a.seq")]


def get_catalyst(store: Store, actor_id: str) -> Catalyst | None:
    """The live catalyst actor with this id and its profile, or None."""
    row = store.conn.execute(_SELECT + "AND a.id = ?", (actor_id,)).fetchone()
    return _catalyst(row) if row else None


def get_profile(store: Store, actor_id: str) -> CatalystProfile | None:
    """The live profile of a catalyst actor, or None."""
    found = get_catalyst(store, actor_id)
    return found.profile if found else None


def own_catalyst(store: Store) -> Catalyst | None:
    """The user's catalyst: one whose profile, or else whose actor, this member owns."""
    member = store.member_id
    mine = [c for c in catalysts(store) if c.profile is not None and c.profile.owner == member]
    mine = mine or [c for c in catalysts(store) if c.owner == member]
    return mine[0] if mine else None


def can_edit(store: Store, catalyst: Catalyst) -> bool:
    """Whether this member may edit the profile: its owner, or the actor's if none yet."""
    owner = catalyst.profile.owner if catalyst.profile is not None else catalyst.owner
    return bool(owner) and owner == store.member_id


def themes_in_use(store: Store) -> list[str]:
    """Every theme of the profiles written by their actor's owner, once (case and accents
    ignored), alphabetically."""
    seen: dict[str, str] = {}
    rows = store.conn.execute(
        "SELECT p.themes FROM catalyst_profiles p JOIN actors a ON a.id = p.actor_id "
        f"WHERE p.deleted = 0 AND a.deleted = 0 AND {_BY_OWNER} ORDER BY p.seq"
    )
    for (text,) in rows:
        for theme in _json_list(text):
            seen.setdefault(fold(theme), theme)
    return [seen[key] for key in sorted(seen)]


# -- filtering and "who near me practises X" -----------------------------------


def list_catalysts(
    store: Store, spec: CatalystFilter | None = None, gazetteer: Gazetteer | None = None
) -> list[Catalyst]:
    """The catalysts ``spec`` keeps, by name.

    The région matches a catalyst whose home or territory of action lies in it;
    without a gazetteer only the territories naming the région itself count.
    """
    return filter_catalysts(catalysts(store), spec or CatalystFilter(), gazetteer)


def filter_catalysts(
    items: Iterable[Catalyst], spec: CatalystFilter, gazetteer: Gazetteer | None = None
) -> list[Catalyst]:
    """The ``items`` that ``spec`` keeps, in their order."""
    regions = territory.region_map(gazetteer) if spec.region and gazetteer is not None else {}
    theme = fold(spec.theme)
    words = fold(spec.text).split()
    places: dict[str, str] = {}  # territory -> its name, looked up once per call
    kept = []
    for item in items:
        if spec.metier and spec.metier not in item.metiers:
            continue
        if theme and theme not in {fold(t) for t in item.themes}:
            continue
        if spec.region and spec.region not in _regions(item, regions):
            continue
        if words:
            text = _haystack(item, gazetteer, places)
            if not all(" " + word in text for word in words):  # word prefixes
                continue
        kept.append(item)
    return kept


def _regions(item: Catalyst, departement_regions: dict[str, str]) -> set[str]:
    found = territory.regions_of(item.territories, departement_regions)
    if item.departement in departement_regions:
        found.add(departement_regions[item.departement])
    return found


def _haystack(item: Catalyst, gazetteer: Gazetteer | None, places: dict[str, str]) -> str:
    """The folded text a search looks into: names, place, profile, territories' names."""
    parts = [item.name, item.commune]
    if item.profile is not None:
        profile = item.profile
        parts += [profile.structure, profile.missions, profile.public_contact, *profile.themes]
        for code in profile.territories:
            if code not in places:
                places[code] = territory.label(code, gazetteer)
            parts.append(places[code])
    return " " + fold(" ".join(parts))


def near(
    store: Store,
    metier: str,
    place: Place,
    gazetteer: Gazetteer | None = None,
    limit: int | None = 20,
) -> list[Nearby]:
    """Catalysts practising ``metier`` ("" for any), nearest to ``place`` first.

    A catalyst's distance is from its home (the actor's coordinates) or from a
    commune of its territory of action, whichever is nearer (communes located
    through the gazetteer); a territory that holds the place (its commune, EPCI,
    département or région) puts the catalyst at 0 km, flagged ``acts_here``.
    Catalysts with neither coordinates nor such a territory are left out.
    """
    found = []
    for item in catalysts(store):
        if metier and metier not in item.metiers:
            continue
        acts_here = any(place.lies_in(text) for text in item.territories)
        distances = [0.0] if acts_here else []
        if item.latitude is not None and item.longitude is not None:
            distances.append(
                haversine_km(place.latitude, place.longitude, item.latitude, item.longitude)
            )
        if gazetteer is not None and not acts_here:
            distances += _commune_distances(item.territories, place, gazetteer)
        if distances:
            found.append(Nearby(item, min(distances), acts_here))
    found.sort(key=lambda hit: (hit.distance_km, fold(hit.catalyst.name)))
    return found if limit is None else found[:limit]


def _commune_distances(texts: Iterable[str], place: Place, gazetteer: Gazetteer) -> list[float]:
    distances = []
    for text in texts:
        kind, _colon, code = text.partition(":")
        if kind != "commune":
            continue
        commune = gazetteer.by_insee(code)
        if commune is not None:
            distances.append(
                haversine_km(place.latitude, place.longitude, commune.latitude, commune.longitude)
            )
    return distances


MIN_SPAN_DEGREES = 0.3  # a lone catalyst is shown with its surroundings (about 30 km)


def bounds(items: Iterable[Catalyst]) -> tuple[float, float, float, float] | None:
    """(south, west, north, east) around the catalysts' homes, None if none is located."""
    points = [(c.latitude, c.longitude) for c in items if c.latitude is not None]
    points = [(lat, lon) for lat, lon in points if lon is not None]
    if not points:
        return None
    south, north = min(p[0] for p in points), max(p[0] for p in points)
    west, east = min(p[1] for p in points), max(p[1] for p in points)
    grow_lat = max(0.0, MIN_SPAN_DEGREES - (north - south)) / 2
    grow_lon = max(0.0, MIN_SPAN_DEGREES - (east - west)) / 2
    return (
        max(-90.0, south - grow_lat),
        max(-180.0, west - grow_lon),
        min(90.0, north + grow_lat),
        min(180.0, east + grow_lon),
    )


# -- saving -------------------------------------------------------------------


def check_profile(profile: CatalystProfile, gazetteer: Gazetteer | None) -> CatalystProfile:
    """The profile with its values cleaned (trimmed, without repeats), or ProfileError.

    Territories are checked against the gazetteer when one is given (else their form only).
    """
    if profile.visibility not in VISIBILITIES:
        raise ProfileError(
            "visibility", _("valeur inconnue « {value} ».").format(value=profile.visibility)
        )
    unknown = [code for code in profile.metiers if code not in METIERS]
    if unknown:
        raise ProfileError("metiers", _("métier inconnu « {code} ».").format(code=unknown[0]))
    metiers = tuple(code for code in METIERS if code in profile.metiers)
    if not metiers:
        raise ProfileError("metiers", _("choisissez au moins un métier."))
    places: list[str] = []
    for text in profile.territories:
        try:
            checked = territory.check(text, gazetteer)
        except ValueError as error:
            raise ProfileError("territories", str(error)) from None
        if checked not in places:
            places.append(checked)
    themes: dict[str, str] = {}
    for theme in profile.themes:
        clean = " ".join(str(theme).split())
        if len(clean) > MAX_LENGTHS["theme"]:
            raise ProfileError("themes", _too_long(MAX_LENGTHS["theme"]))
        if clean and fold(clean) not in themes:
            themes[fold(clean)] = clean
    texts = {}
    for name in ("structure", "public_contact", "missions"):
        value = str(getattr(profile, name) or "").strip()
        if len(value) > MAX_LENGTHS[name]:
            raise ProfileError(name, _too_long(MAX_LENGTHS[name]))
        texts[name] = value
    return replace(
        profile, metiers=metiers, territories=tuple(places), themes=tuple(themes.values()), **texts
    )


def _too_long(limit: int) -> str:
    return _("{limit} caractères au plus.").format(limit=limit)


def save_profile(
    store: Store, profile: CatalystProfile, gazetteer: Gazetteer | None = None
) -> CatalystProfile:
    """Create or update a catalyst's profile, as one undo step; return it as saved.

    The actor's live profile is updated if it has one (whatever ``profile.id``
    says), else a profile owned by this member is created. ProfileError (French,
    naming the field) and nothing written when a value is refused.
    """
    catalyst = get_catalyst(store, profile.actor_id)
    if catalyst is None:
        if store.get_actor(profile.actor_id) is None:
            raise ProfileError("actor_id", _("acteur introuvable."))
        raise ProfileError("actor_id", _("cet acteur n'est pas un catalyseur."))
    clean = check_profile(profile, gazetteer)
    now = now_iso()
    values: dict[str, Any] = {
        "structure": clean.structure,
        "metiers": _dump(clean.metiers),
        "territories": _dump(clean.territories),
        "themes": _dump(clean.themes),
        "public_contact": clean.public_contact,
        "missions": clean.missions,
        "visibility": clean.visibility,
        "updated_at": now,
    }
    existing = catalyst.profile
    if existing is None:
        label = _("Créer le profil de {name}").format(name=catalyst.name)
        row = {
            "id": new_id(),
            "actor_id": catalyst.actor_id,
            "owner": store.member_id,
            "created_at": now,
            "deleted": 0,
            **values,
        }
        with store.undoable(label):
            columns = ", ".join(row)
            store.conn.execute(
                f"INSERT INTO catalyst_profiles ({columns}) "
                f"VALUES ({', '.join(':' + c for c in row)})",
                row,
            )
    else:
        label = _("Modifier le profil de {name}").format(name=catalyst.name)
        assignments = ", ".join(f"{column} = :{column}" for column in values)
        with store.undoable(label):
            store.conn.execute(
                f"UPDATE catalyst_profiles SET {assignments} WHERE id = :id",
                {**values, "id": existing.id},
            )
    return get_profile(store, catalyst.actor_id)  # type: ignore[return-value]


def _dump(values: tuple[str, ...]) -> str:
    return json.dumps(list(values), ensure_ascii=False)
