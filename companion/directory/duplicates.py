"""Likely duplicates among actors and people, found fast enough for a whole directory.

Comparing every name with every other is quadratic (20,000 actors: 200 million
pairs). Records are compared only within blocks instead:

- exact keys: the same SIRET, RNA, e-mail, phone (E.164), website or SIREN;
- places: actors of the same commune (people: of the same actor);
- names: each record joins the blocks of the two rarest of its words' first
  and last four letters, so a typo in a word or another commune still meets
  its twin.

Within a block, names without stop-words ("Asso." and "Association" fold to
nothing) are compared with rapidfuzz's ``cdist``; an oversized block is sorted
by name and compared in overlapping windows, which bounds the cost whatever the
data. Words shared by many records ("Collectif citoyen", "Ressourcerie") make
names look alike without saying much, so each rarer word of a name must have a
close twin in the other name. The farther apart two records are, the closer
their names must be: in one commune "Ressourcerie Bravelune" may be
"Bravelune", across the country only the same words (in any order) count.
Pairs the user dismissed ("pas un doublon") are kept in the settings and never
proposed again.

Every pair lists all its reasons, penalties included: two actors of different
kinds, or more than FAR_KM apart (their coordinates, else their communes'
centres), lose points unless they share a SIRET or an RNA number, so a shared
generic e-mail or a shared word no longer suffices. A pair is proposed when its
score reaches the threshold, a setting the user moves in the dialog.
"""

from __future__ import annotations

import json
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from companion.directory.validate import InvalidValue, check_phone
from companion.errors import CompanionError
from companion.geo.gazetteer import Gazetteer, GazetteerMissing, haversine_km
from companion.i18n import N_, _
from companion.store import Store
from companion.text import fold

Progress = Callable[[int, int, str], None]
Cancelled = Callable[[], bool]

DISMISSED_SETTING = "duplicates.dismissed"
THRESHOLD_SETTING = "duplicates.threshold"
DEFAULT_THRESHOLD = 70  # meets the benchmark's precision and recall targets
MIN_SCORE = 40  # the lowest threshold offered; weaker pairs are never kept
CONCLUSIVE = frozenset({"siret", "rna"})  # keys that outweigh any penalty
KIND_PENALTY = 15  # two actors of different kinds
FAR_KM = 100  # farther apart than this, a pair loses FAR_PENALTY points...
FAR_PENALTY = (10, 25)  # ...10 at FAR_KM, growing by one every 10 km, up to 25
UNLIKE_NAMES_PENALTY = 20  # a contact shared by unlike names: a switchboard?
TABLES = ("actors", "people")
# Name similarity (rapidfuzz, 0-100) two records need: in the same commune (people:
# the same actor) one name may hold the other (token_set_ratio); in the same
# département, or anywhere, the names must be alike as wholes (token_sort_ratio),
# anywhere with the very same rare words.
THRESHOLDS = (80, 90, 95)
SCORE_FACTORS = (0.95, 0.9, 0.8)  # a pair found by names only scores its similarity times this
TWIN_THRESHOLDS = (80, 85)  # a rare word's twin (rapidfuzz ratio): same commune, département
COMMON_SHARE = 0.002  # a word in more than this share of records (and 25) is common
BLOCK_LIMIT = 400  # larger blocks are compared in sorted, overlapping windows of this size
EXACT_LIMIT = 20  # a value shared by more records is a switchboard, not a duplicate
NAME_KEYS = 2  # name-token blocks joined by each record: its rarest ones
AFFIX = 4  # name blocks use a word's first and last letters: one typo spares one of them

# Evidence from an exact key: (score, reason).
KEYS: dict[str, tuple[int, str]] = {
    "siret": (100, N_("même SIRET")),
    "rna": (100, N_("même numéro RNA")),
    "email": (95, N_("même e-mail")),
    "phone": (90, N_("même téléphone")),
    "website": (85, N_("même site web")),
    "siren": (80, N_("même SIREN")),
}
STOP_WORDS = frozenset(
    "a au aux d de des du en et l la le les par pour sur the "
    "association associations asso assoc ets etablissement etablissements "
    "sa sarl sas sasu eurl sci scic scop societe ste".split()
)
# Legal forms name a kind: "Association Bravelune" and "Établissements Bravelune" are two.
LEGAL_FORMS = {
    **dict.fromkeys("association associations asso assoc".split(), "association"),
    **dict.fromkeys(
        "ets etablissement etablissements sa sarl sas sasu eurl sci societe ste".split(),
        "company",
    ),
    **dict.fromkeys("scic scop".split(), "cooperative"),
}
# Hosts where many organisations have a page: the first path segment tells them apart.
PLATFORMS = frozenset(
    "facebook.com fr-fr.facebook.com instagram.com linkedin.com twitter.com x.com "
    "youtube.com sites.google.com helloasso.com linktr.ee".split()
)
_E164 = re.compile(r"^\+\d{6,15}$")
_NON_DIGIT = re.compile(r"\D")


class ScanCancelled(CompanionError):
    """The user stopped the scan."""


@dataclass(frozen=True)
class DuplicatePair:
    """Two records that look like one: a score out of 100 and a French reason."""

    table: str  # "actors" or "people"
    left_id: str
    right_id: str
    left_label: str
    right_label: str
    score: int
    reasons: tuple[str, ...]  # evidence first, then penalties

    @property
    def key(self) -> str:
        return pair_key(self.left_id, self.right_id)

    @property
    def reason(self) -> str:
        return ", ".join(self.reasons)


@dataclass
class _Entity:
    id: str
    label: str
    tokens: tuple[str, ...]  # folded words without stop-words
    words: tuple[str, ...] = ()  # every folded word, and each two run together
    keys: list[tuple[str, str]] = field(default_factory=list)
    areas: tuple[str, ...] = ()  # fuzzy blocks: commune (actors), actors (people)
    place: str = ""  # the commune, shown in a reason
    region: str = ""  # the département
    rare: tuple[str, ...] = ()  # words few records share
    kind: str = ""  # actors' kind ("association"...)
    point: tuple[float, float] | None = None  # latitude, longitude
    insee: str = ""
    forms: frozenset[str] = frozenset()  # legal forms its name shows

    @property
    def text(self) -> str:
        return " ".join(self.tokens)


# -- dismissed pairs ----------------------------------------------------------


def pair_key(a: str, b: str) -> str:
    return "|".join(sorted((a, b)))


def dismissed_pairs(store: Store) -> set[str]:
    try:
        return set(json.loads(store.setting(DISMISSED_SETTING) or "[]"))
    except ValueError:
        return set()


def dismiss(store: Store, a: str, b: str) -> None:
    """Remember that these two records are not duplicates: never propose them again."""
    pairs = dismissed_pairs(store) | {pair_key(a, b)}
    store.set_setting(DISMISSED_SETTING, json.dumps(sorted(pairs)))


def threshold(store: Store) -> int:
    """The score a pair needs to be proposed (a setting; DEFAULT_THRESHOLD if unset)."""
    try:
        value = int(store.setting(THRESHOLD_SETTING) or DEFAULT_THRESHOLD)
    except ValueError:
        return DEFAULT_THRESHOLD
    return max(MIN_SCORE, min(100, value))


def set_threshold(store: Store, value: int) -> None:
    store.set_setting(THRESHOLD_SETTING, str(max(MIN_SCORE, min(100, int(value)))))


# -- normal forms -------------------------------------------------------------


def name_tokens(name: str) -> tuple[str, ...]:
    """Folded words of a name without stop-words; all of them if nothing else is left."""
    words = fold(name or "").split()
    kept = tuple(w for w in words if w not in STOP_WORDS)
    return kept or tuple(words)


def _phone_key(value: str | None) -> str | None:
    text = (value or "").strip()
    if not text or _E164.match(text):
        return text or None
    try:
        return check_phone(text)
    except InvalidValue:
        return None


def _website_key(value: str | None) -> str | None:
    text = (value or "").strip().lower()
    parts = urlsplit(text if "//" in text else "//" + text)
    host = (parts.hostname or "").removeprefix("www.")
    if "." not in host:
        return None
    if host in PLATFORMS:
        segment = parts.path.strip("/").split("/")[0]
        return f"{host}/{segment}" if segment else None
    return host


def _email_key(value: str | None) -> str | None:
    text = (value or "").strip().lower().removeprefix("mailto:")
    return text if "@" in text else None


def _digits(value: str | None, length: int) -> str | None:
    digits = _NON_DIGIT.sub("", value or "")
    return digits if len(digits) == length else None


def _entity(record_id: str, label: str, keys: dict[str, str | None], **extra) -> _Entity:
    found = [(kind, value) for kind, value in keys.items() if value]
    words = fold(label or "").split()
    words += [a + b for a, b in zip(words, words[1:], strict=False)]  # "Tiers-lieu", "Tierslieu"
    forms = frozenset(LEGAL_FORMS[w] for w in words if w in LEGAL_FORMS)
    return _Entity(record_id, label, name_tokens(label), tuple(words), found, forms=forms, **extra)


def _actor_entities(store: Store) -> list[_Entity]:
    rows = store.conn.execute(
        "SELECT id, name, kind, insee_code, commune, departement, email, phone, website, "
        "siret, siren, rna, latitude, longitude FROM actors WHERE deleted = 0 ORDER BY seq"
    )
    entities = []
    for row in rows:
        id_, name, kind, insee, commune, dept, email, phone, website, siret, siren, rna = row[:12]
        latitude, longitude = row[12:]
        siret = _digits(siret, 14)
        siren = _digits(siren, 9) or (siret[:9] if siret else None)
        area = insee or (fold(commune) if commune else None)
        keys = {
            "siret": siret,
            "rna": (rna or "").strip().upper() or None,
            "email": _email_key(email),
            "phone": _phone_key(phone),
            "website": _website_key(website),
            "siren": siren,
        }
        areas = (f"c:{area}",) if area else ()
        point = (latitude, longitude) if latitude is not None and longitude is not None else None
        entities.append(
            _entity(
                id_,
                name,
                keys,
                areas=areas,
                place=commune or "",
                region=dept or "",
                kind=kind or "",
                point=point,
                insee=insee or "",
            )  # fmt: skip
        )
    return entities


def _place_on_communes(entities: Sequence[_Entity]) -> None:
    """Put the actors without coordinates on their commune's centre (if the gazetteer
    is there: without it their distances are unknown, and never penalised)."""
    codes = sorted({e.insee for e in entities if e.point is None and e.insee})
    if not codes:
        return
    try:
        with Gazetteer.open() as gazetteer:
            centres = {code: (lat, lon) for code, lat, lon in gazetteer.centres(codes)}
    except GazetteerMissing:
        return
    for entity in entities:
        if entity.point is None and entity.insee:
            entity.point = centres.get(entity.insee)


def _people_entities(store: Store) -> list[_Entity]:
    actors_of: dict[str, list[str]] = defaultdict(list)
    for person_id, actor_id in store.conn.execute(
        "SELECT person_id, actor_id FROM affiliations WHERE deleted = 0"
    ):
        actors_of[person_id].append(f"a:{actor_id}")
    rows = store.conn.execute(
        "SELECT id, first_name, last_name, email, phone FROM people WHERE deleted = 0 ORDER BY seq"
    )
    return [
        _entity(
            id_,
            f"{first} {last}".strip(),
            {"email": _email_key(email), "phone": _phone_key(phone)},
            areas=tuple(actors_of.get(id_, ())),
        )
        for id_, first, last, email, phone in rows
    ]


# -- blocks -------------------------------------------------------------------


def _mark_rare_words(entities: Sequence[_Entity]) -> None:
    frequency = Counter(t for e in entities for t in set(e.tokens))
    limit = max(25, len(entities) * COMMON_SHARE)
    for entity in entities:
        entity.rare = tuple(t for t in entity.tokens if frequency[t] <= limit)


def _affixes(entity: _Entity) -> set[str]:
    words = [t for t in entity.tokens if len(t) >= 3 and not t.isdigit()]
    return {f"p:{t[:AFFIX]}" for t in words} | {f"s:{t[-AFFIX:]}" for t in words if len(t) > AFFIX}


def _name_blocks(entities: Sequence[_Entity]) -> dict[str, list[int]]:
    """Each record in the blocks of its NAME_KEYS rarest word beginnings and endings."""
    affixes = [sorted(_affixes(e)) for e in entities]
    frequency = Counter(key for keys in affixes for key in keys)
    blocks: dict[str, list[int]] = defaultdict(list)
    for index, keys in enumerate(affixes):
        for key in sorted(keys, key=lambda k: (frequency[k], k))[:NAME_KEYS]:
            blocks[key].append(index)
    return blocks


def _windows(members: list[int], names: Sequence[str]) -> Iterable[list[int]]:
    """A block, or an oversized one as sorted overlapping windows (neighbours by name)."""
    if len(members) <= BLOCK_LIMIT:
        yield members
        return
    ordered = sorted(members, key=names.__getitem__)
    step = BLOCK_LIMIT // 2
    for start in range(0, len(ordered) - step, step):
        yield ordered[start : start + BLOCK_LIMIT]


def _similar_in(
    members: list[int], texts: Sequence[str], scorer: Callable, cutoff: int
) -> Iterable[tuple[int, int]]:
    """The pairs of this block whose names score at least ``cutoff``."""
    if len(members) < 8:
        for a in range(len(members)):
            for b in range(a + 1, len(members)):
                if scorer(texts[members[a]], texts[members[b]], score_cutoff=cutoff):
                    yield members[a], members[b]
        return
    import numpy
    from rapidfuzz.process import cdist

    names = [texts[i] for i in members]
    # Two distinct lists: given the same one twice, cdist takes a path 5 times slower.
    matrix = cdist(names, list(names), scorer=scorer, score_cutoff=cutoff, dtype=numpy.uint8)
    rows, columns = numpy.nonzero(numpy.triu(matrix, 1))
    for a, b in zip(rows.tolist(), columns.tolist(), strict=True):
        yield members[a], members[b]


# -- scan ---------------------------------------------------------------------


def find_duplicates(
    store: Store,
    table: str = "actors",
    progress: Progress | None = None,
    cancelled: Cancelled | None = None,
    min_score: int = MIN_SCORE,
) -> list[DuplicatePair]:
    """Likely duplicate pairs of ``table`` ("actors" or "people") scoring at least
    ``min_score``, best first (the dialog keeps them all and shows those above the
    threshold).

    ``progress(done, total, message)`` is called now and then; once ``cancelled()``
    is true the scan stops with ``ScanCancelled``.
    """
    if table not in TABLES:
        raise ValueError(f"not a table with duplicates: {table}")
    report = progress or (lambda _done, _total, _message: None)
    report(0, 0, _("Lecture des fiches…"))
    entities = _actor_entities(store) if table == "actors" else _people_entities(store)
    if table == "actors":
        _place_on_communes(entities)
    _mark_rare_words(entities)
    shared = _shared_keys(entities)
    similar = _similar_names(entities, report, cancelled or (lambda: False))
    dismissed = dismissed_pairs(store)
    pairs = []
    for a, b in shared.keys() | similar:
        pair = _pair(table, entities[a], entities[b], shared.get((a, b), set()))
        if pair is not None and pair.score >= min_score and pair.key not in dismissed:
            pairs.append(pair)
    pairs.sort(key=lambda p: (-p.score, fold(p.left_label), fold(p.right_label)))
    return pairs


def _shared_keys(entities: Sequence[_Entity]) -> dict[tuple[int, int], set[str]]:
    """Pairs sharing an exact key (SIRET, e-mail…), with the kinds of keys they share."""
    holders: dict[tuple[str, str], list[int]] = defaultdict(list)
    for index, entity in enumerate(entities):
        for key in entity.keys:
            holders[key].append(index)
    shared: dict[tuple[int, int], set[str]] = defaultdict(set)
    for (kind, _value), members in holders.items():
        if 1 < len(members) <= EXACT_LIMIT:
            for a in range(len(members)):
                for b in range(a + 1, len(members)):
                    shared[(members[a], members[b])].add(kind)
    return shared


def _similar_names(
    entities: Sequence[_Entity], report: Progress, cancelled: Cancelled
) -> set[tuple[int, int]]:
    """Pairs with names alike within a block. In a place's block one name may hold the
    other (token_set_ratio); in a name's block, meant for records far apart, names must
    be alike as wholes: a plain ratio of the sorted words, many times cheaper."""
    from rapidfuzz import fuzz

    places: dict[str, list[int]] = defaultdict(list)
    for index, entity in enumerate(entities):
        for area in entity.areas:
            places[area].append(index)
    texts = [entity.text for entity in entities]
    sorted_texts = [" ".join(sorted(entity.tokens)) for entity in entities]
    kinds = (
        (places, texts, fuzz.token_set_ratio, THRESHOLDS[0]),
        (_name_blocks(entities), sorted_texts, fuzz.ratio, THRESHOLDS[1]),
    )
    units = [
        (window, strings, scorer, cutoff)
        for blocks, strings, scorer, cutoff in kinds
        for members in blocks.values()
        if len(members) > 1
        for window in _windows(members, sorted_texts)
    ]
    similar: set[tuple[int, int]] = set()
    message = _("Comparaison des noms…")
    step = max(1, len(units) // 100)
    for done, (members, strings, scorer, cutoff) in enumerate(units):
        if done % step == 0:
            if cancelled():
                raise ScanCancelled(_("Recherche des doublons interrompue."))
            report(done, len(units), message)
        similar.update(_similar_in(members, strings, scorer, cutoff))
    report(len(units), len(units), message)
    return similar


# -- scoring ------------------------------------------------------------------


def _twins(left: _Entity, right: _Entity, closeness: int) -> bool:
    """Every rare word of each name has a close twin among the other's words (anywhere:
    the very same rare words), and the numbers agree. A typo makes any word rare, so
    twins are sought among all words, stop-words included ("Asssociation")."""
    from rapidfuzz import fuzz
    from rapidfuzz.process import extractOne

    numbers = ({t for t in left.tokens if t.isdigit()}, {t for t in right.tokens if t.isdigit()})
    if all(numbers) and numbers[0] != numbers[1]:
        return False  # "École 12" and "École 14" are two schools
    if closeness == 2:
        return set(left.rare) == set(right.rare)
    cutoff = TWIN_THRESHOLDS[closeness]
    for one, other in ((left, right), (right, left)):
        for word in one.rare:
            twin = extractOne(word, other.words, scorer=fuzz.ratio, score_cutoff=cutoff)
            if twin is None:
                return False
    return True


def _closeness(table: str, left: _Entity, right: _Entity) -> int:
    """0: same commune (people: same actor), 1: same département, 2: anywhere."""
    if set(left.areas) & set(right.areas):
        return 0
    if table == "people":
        return 2
    return 1 if left.region and left.region == right.region else 2


def _name_reason(similarity: float) -> str:
    return _("noms proches ({percent} %)").format(percent=round(similarity))


def _distance_km(left: _Entity, right: _Entity) -> float | None:
    if left.point is None or right.point is None:
        return None
    return haversine_km(*left.point, *right.point)


def _far_penalty(km: float) -> int:
    least, most = FAR_PENALTY
    return min(most, least + int(km - FAR_KM) // 10)


def _pair(table: str, left: _Entity, right: _Entity, keys: set[str]) -> DuplicatePair | None:
    from rapidfuzz import fuzz

    closeness = _closeness(table, left, right)
    other_kinds = bool(left.kind and right.kind and left.kind != right.kind)
    # One name holding the other is enough in one commune, for records of one kind:
    # "Atelier Bravelune" (association) and "Bravelune SARL" share a word, not an identity.
    if other_kinds:  # whole names, stop-words kept too: a typo may hide one
        similarity = max(
            fuzz.token_sort_ratio(left.text, right.text),
            fuzz.token_sort_ratio(fold(left.label), fold(right.label)),
        )
    elif closeness > 0:
        similarity = fuzz.token_sort_ratio(left.text, right.text)
    else:
        similarity = fuzz.token_set_ratio(left.text, right.text)
    other_forms = bool(left.forms and right.forms and not left.forms & right.forms)
    close = (
        similarity >= THRESHOLDS[closeness] and not other_forms and _twins(left, right, closeness)
    )
    reasons = []
    if keys:
        kinds = sorted(keys - ({"siren"} if "siret" in keys else set()))
        kinds.sort(key=lambda k: -KEYS[k][0])
        score = KEYS[kinds[0]][0] + 2 * (len(kinds) - 1) + (3 if close else 0)
        contact_only = not keys & {"siret", "rna", "siren"}
        if contact_only and not close:
            score -= UNLIKE_NAMES_PENALTY  # a shared switchboard or generic address?
        reasons = [_(KEYS[k][1]) for k in kinds]
    elif close:
        score = similarity * SCORE_FACTORS[closeness]
    else:
        return None
    if close:
        reasons.append(_name_reason(similarity))
    if closeness == 0:
        reasons.append(_("même structure") if table == "people" else _("même commune"))
    conclusive = bool(keys & CONCLUSIVE)
    if other_kinds:
        reasons.append(_("types différents"))
        score -= 0 if conclusive else KIND_PENALTY
    km = _distance_km(left, right)
    if km is not None and km >= FAR_KM:
        reasons.append(_("à {km} km").format(km=format(round(km), ",").replace(",", "\u202f")))
        score -= 0 if conclusive else _far_penalty(km)
    return DuplicatePair(
        table,
        left.id,
        right.id,
        left.label,
        right.label,
        max(0, min(100, round(score))),
        tuple(reasons),
    )
