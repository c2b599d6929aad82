"""The field schema of the sync protocol: what each synced field may hold (docs/SYNC.md,
"Validation").

Qt-free, shared by the hub (``hub/wire.py`` refuses a pushed change that breaks it) and
the laptop (``sync/apply.py`` refuses a pulled one), so that neither keeps a value the
other cannot take: a 64-bit integer column, finite floats in range, valid Unicode
without NUL (PostgreSQL refuses it), bounded texts, JSON texts of the right shape.
Everything a laptop's database can legitimately hold passes (tests check the demo
network): types and ranges follow the local columns and their CHECKs
(``store/schema.py``). The vocabularies of kinds, relation types, interaction kinds
and legal bases are named here but left open: the local columns do not constrain them
and a newer version may add codes, which older laptops show as they are
(``domain.label``).

:func:`valid` answers fast (a first sync checks 440,000 values); :func:`value_problem`
says in French what was expected, naming ``table.field``, never the value.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from companion.domain import ACTOR_KINDS, INTERACTION_KINDS, LEGAL_BASES, RELATION_TYPES
from companion.i18n import _

INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1
MAX_NAME_CHARS = 100  # a table, field, record id, site, batch id, or an id as a value
MAX_CODE_CHARS = 100  # a code of a vocabulary
MAX_DATE_CHARS = 64  # dates and timestamps: ISO text, its form not enforced (no local CHECK)
SHORT_TEXT = 1_000
LONG_TEXT = 100_000  # descriptions, notes, missions, JSON texts
MAX_IDS = 10_000  # ids in a list field (an actor's tags)
# A story's steps (map_views.steps, maps/stories.py): a JSON list of at most MAX_STEPS
# objects, each with a title, a text, a filter (an object), an extent (null or south,
# west, north, east) and the ids of the actors it highlights; other keys are let through
# (a newer version may add some). The app keeps within these limits when it writes.
MAX_STEPS = 50
STEP_TITLE_CHARS = 200
STEP_TEXT_CHARS = 2_000
MAX_STEP_ACTORS = 50
STEPS_TEXT = 300_000  # the whole JSON text: 50 full steps fit
# A person's other phones and e-mails (people.other_contacts, directory/contact_details.py):
# null or a JSON list of at most MAX_CONTACTS objects, each with "kind" ("email" or
# "phone"), "label" (a code: travail, mobile, domicile, autre; left open, at most 100
# characters) and "value" (a non-empty text of at most CONTACT_VALUE_CHARS); other keys
# are let through (a newer version may add some).
MAX_CONTACTS = 50
CONTACT_KINDS = ("email", "phone")
CONTACT_VALUE_CHARS = 320  # the longest e-mail address SMTP allows, with room
CONTACTS_TEXT = 40_000
# A stamp as hlc.Timestamp writes it: 16 and 5 digits, then a site id (printable ASCII).
_STAMP = re.compile(r"[0-9]{16}-[0-9]{5}-[!-~]{1,64}")

# Kinds of field.
TEXT = "text"
ID = "id"
DATE = "date"
TIMESTAMP = "timestamp"
INTEGER = "integer"
FLOAT = "float"
ENUM = "enum"
JSON_TEXT = "json"
ID_LIST = "ids"


@dataclass(frozen=True)
class Field:
    """What one synced field may hold."""

    kind: str
    nullable: bool = False
    limit: int = SHORT_TEXT  # characters, for texts (and ids, dates, codes)
    nonempty: bool = False  # a text that may not be "" (the local CHECK (x <> ''))
    low: float = INT64_MIN  # range of numbers, bounds included
    high: float = INT64_MAX
    choices: tuple[Any, ...] = ()  # an enumeration's values
    open: bool = False  # an enumeration that takes other codes too (see the module's text)
    shape: str = ""  # a JSON text's: "object", "strings" (a list of texts), "steps", "contacts"


def _text(limit: int = SHORT_TEXT, nullable: bool = False, nonempty: bool = False) -> Field:
    return Field(TEXT, nullable, limit, nonempty)


def _id(nullable: bool = False) -> Field:
    return Field(ID, nullable, MAX_NAME_CHARS)


def _date(nullable: bool = True) -> Field:
    return Field(DATE, nullable, MAX_DATE_CHARS)


def _code(vocabulary: dict[str, str], nullable: bool = False) -> Field:
    return Field(ENUM, nullable, MAX_CODE_CHARS, choices=tuple(vocabulary), open=True)


def _number(low: float, high: float, nullable: bool = True) -> Field:
    return Field(FLOAT, nullable, low=low, high=high)


def _json(shape: str) -> Field:
    return Field(JSON_TEXT, limit=LONG_TEXT, shape=shape)


_LONG = _text(LONG_TEXT)
_OPTIONAL = _text(nullable=True)
_COMMON = {
    "owner": _id(),
    "visibility": Field(ENUM, limit=MAX_CODE_CHARS, choices=("private", "network")),
    "created_at": Field(TIMESTAMP, limit=MAX_DATE_CHARS),
    "deleted": Field(INTEGER, low=0, high=1),
}

SCHEMA: dict[str, dict[str, Field]] = {
    "actors": {
        **_COMMON,
        "name": _text(nonempty=True),
        "kind": _code(ACTOR_KINDS),
        "description": _LONG,
        "insee_code": _OPTIONAL,
        "commune": _OPTIONAL,
        "departement": _OPTIONAL,
        "postcode": _OPTIONAL,
        "address": _OPTIONAL,
        "latitude": _number(-90, 90),
        "longitude": _number(-180, 180),
        "website": _text(10_000, nullable=True),  # some links carry long query strings
        "email": _OPTIONAL,
        "phone": _OPTIONAL,
        "siren": _OPTIONAL,
        "siret": _OPTIONAL,
        "rna": _OPTIONAL,
        "merged_into": _id(nullable=True),
        "tags": Field(ID_LIST, limit=MAX_NAME_CHARS),  # the link field: sorted tag ids
    },
    "people": {
        **_COMMON,
        "first_name": _text(),
        "last_name": _text(),
        "email": _OPTIONAL,
        "phone": _OPTIONAL,
        "notes": _LONG,
        "legal_basis": _code(LEGAL_BASES, nullable=True),
        "collected_on": _date(),
        "collection_source": _text(),
        "merged_into": _id(nullable=True),
        "other_contacts": Field(JSON_TEXT, nullable=True, limit=CONTACTS_TEXT, shape="contacts"),
    },
    "affiliations": {
        **_COMMON,
        "person_id": _id(),
        "actor_id": _id(),
        "role": _text(),
        "start_date": _date(),
        "end_date": _date(),
    },
    "relations": {
        **_COMMON,
        "source_id": _id(),
        "target_id": _id(),
        "type": _code(RELATION_TYPES),
        "start_date": _date(),
        "end_date": _date(),
        "strength": Field(INTEGER, nullable=True, low=1, high=3),
        "notes": _LONG,
    },
    "interactions": {
        **_COMMON,
        "actor_id": _id(nullable=True),
        "person_id": _id(nullable=True),
        "kind": _code(INTERACTION_KINDS),
        "date": _date(nullable=False),
        "title": _text(),
        "notes": _LONG,
    },
    "tags": {**_COMMON, "name": _text()},
    "map_views": {
        **_COMMON,
        "name": _text(nonempty=True),
        "title": _text(),
        "filter": _json("object"),
        "south": _number(-90, 90),
        "west": _number(-180, 180),
        "north": _number(-90, 90),
        "east": _number(-180, 180),
        "position": Field(INTEGER),
        "steps": Field(JSON_TEXT, nullable=True, limit=STEPS_TEXT, shape="steps"),  # a story's
    },
    "catalyst_profiles": {
        **_COMMON,
        "actor_id": _id(),
        "structure": _text(),
        "metiers": _json("strings"),
        "territories": _json("strings"),
        "themes": _json("strings"),
        "public_contact": _text(),
        "missions": _LONG,
    },
}


# -- checks ----------------------------------------------------------------------------


def clean_text(text: str) -> bool:
    """Whether ``text`` is valid Unicode (no lone surrogate) without NUL."""
    if "\x00" in text:
        return False
    if text.isascii():
        return True
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def _json_value(text: str) -> Any:
    """``text`` parsed as strict JSON (no NaN or Infinity); ValueError otherwise."""
    try:
        return json.loads(text, parse_constant=_refuse_constant)
    except RecursionError:
        raise ValueError("nested too deeply") from None


def _validator(spec: Field) -> Callable[[Any], bool]:
    """A fast predicate for one field (written once per field, at import)."""
    nullable, limit, nonempty = spec.nullable, spec.limit, spec.nonempty
    low, high = spec.low, spec.high

    def text(value: Any) -> bool:  # clean_text() inlined: the hot path of a first sync
        if type(value) is not str:
            return value is None and nullable
        if len(value) > limit or "\x00" in value or (nonempty and not value):
            return False
        if not value.isascii():
            try:
                value.encode("utf-8")
            except UnicodeEncodeError:
                return False
        return True

    if spec.kind == INTEGER:
        return lambda value: (
            (value is None and nullable) or (type(value) is int and low <= value <= high)
        )
    if spec.kind == FLOAT:  # NaN compares false: refused with the infinities
        return lambda value: (
            (value is None and nullable) or (type(value) in (int, float) and low <= value <= high)
        )
    if spec.kind == ENUM and not spec.open:
        choices = frozenset(spec.choices)
        return lambda value: type(value) is str and value in choices
    if spec.kind == ID_LIST:
        return lambda value: (
            type(value) is list
            and len(value) <= MAX_IDS
            and all(type(item) is str and len(item) <= limit and clean_text(item) for item in value)
        )
    if spec.kind == JSON_TEXT:

        def json_text(value: Any) -> bool:
            if not text(value):
                return False
            try:
                parsed = _json_value(value)
            except ValueError:
                return False
            if spec.shape == "object":
                return type(parsed) is dict
            if spec.shape == "steps":
                return story_steps(parsed)
            if spec.shape == "contacts":
                return contact_list(parsed)
            return type(parsed) is list and all(type(item) is str for item in parsed)

        def nullable_json_text(value: Any) -> bool:
            return value is None or json_text(value)

        return nullable_json_text if nullable else json_text
    return text  # texts, ids, dates, timestamps, open enumerations


_BOUNDS_RANGES = ((-90, 90), (-180, 180), (-90, 90), (-180, 180))


def _number_in(value: Any, low: float, high: float) -> bool:
    return type(value) in (int, float) and low <= value <= high


def story_steps(parsed: Any) -> bool:
    """Whether parsed JSON is a story's steps (see MAX_STEPS); missing keys are allowed."""
    if type(parsed) is not list or len(parsed) > MAX_STEPS:
        return False
    for step in parsed:
        if type(step) is not dict:
            return False
        title, text = step.get("title", ""), step.get("text", "")
        if type(title) is not str or len(title) > STEP_TITLE_CHARS:
            return False
        if type(text) is not str or len(text) > STEP_TEXT_CHARS:
            return False
        if type(step.get("filter", {})) is not dict:
            return False
        bounds = step.get("bounds")
        if bounds is not None and not (
            type(bounds) is list
            and len(bounds) == 4
            and all(_number_in(v, *r) for v, r in zip(bounds, _BOUNDS_RANGES, strict=True))
        ):
            return False
        actors = step.get("actors", [])
        if type(actors) is not list or len(actors) > MAX_STEP_ACTORS:
            return False
        if not all(type(a) is str and len(a) <= MAX_NAME_CHARS for a in actors):
            return False
    return True


def contact_list(parsed: Any) -> bool:
    """Whether parsed JSON is a person's other contacts (see MAX_CONTACTS)."""
    if type(parsed) is not list or len(parsed) > MAX_CONTACTS:
        return False
    for item in parsed:
        if type(item) is not dict or item.get("kind") not in CONTACT_KINDS:
            return False
        label, value = item.get("label"), item.get("value")
        if type(label) is not str or len(label) > MAX_CODE_CHARS:
            return False
        if type(value) is not str or not value.strip() or len(value) > CONTACT_VALUE_CHARS:
            return False
    return True


# (table, field) -> a predicate on its value: the fast path of :func:`valid`.
VALIDATORS: dict[tuple[str, str], Callable[[Any], bool]] = {
    (table, name): _validator(spec)
    for table, specs in SCHEMA.items()
    for name, spec in specs.items()
}


def valid(table: str, field: str, value: Any) -> bool:
    """Whether ``value`` may be the value of ``table.field`` (False for an unknown field)."""
    check = VALIDATORS.get((table, field))
    return check is not None and check(value)


def value_problem(table: str, field: str, value: Any) -> str | None:
    """None if ``value`` fits ``table.field``, else what was expected, in French (naming
    the field, never repeating the value)."""
    spec = SCHEMA.get(table, {}).get(field) if type(table) is type(field) is str else None
    if spec is None:
        return _("champ inconnu du protocole")
    if VALIDATORS[(table, field)](value):
        return None
    return must(f"{table}.{field}", expected(spec))


def expected(spec: Field) -> str:
    """What a field takes, in French."""
    low, high = f"{spec.low:g}", f"{spec.high:g}"
    if spec.kind == INTEGER and (spec.low, spec.high) == (0, 1):
        text = _("0 ou 1")
    elif spec.kind == INTEGER and (spec.low, spec.high) == (INT64_MIN, INT64_MAX):
        text = _("un entier sur 64 bits")
    elif spec.kind == INTEGER:
        text = _("un entier de {low} à {high}").format(low=low, high=high)
    elif spec.kind == FLOAT:
        text = _("un nombre de {low} à {high}").format(low=low, high=high)
    elif spec.kind == ENUM and not spec.open:
        text = _("une valeur parmi : {values}").format(values=", ".join(spec.choices))
    elif spec.kind == ID_LIST:
        text = _("une liste d'identifiants (textes d'au plus {limit} caractères)").format(
            limit=spec.limit
        )
    elif spec.kind == JSON_TEXT and spec.shape == "object":
        text = _("un texte JSON contenant un objet")
    elif spec.kind == JSON_TEXT and spec.shape == "steps":
        text = _(
            "un texte JSON contenant au plus {n} étapes de récit (titre, texte, filtre, "
            "emprise, acteurs mis en évidence)"
        ).format(n=MAX_STEPS)
    elif spec.kind == JSON_TEXT and spec.shape == "contacts":
        text = _(
            "un texte JSON contenant au plus {n} coordonnées (genre email ou phone, "
            "libellé, valeur non vide)"
        ).format(n=MAX_CONTACTS)
    elif spec.kind == JSON_TEXT:
        text = _("un texte JSON contenant une liste de textes")
    elif spec.nonempty:
        text = _("un texte non vide d'au plus {limit} caractères, sans caractère nul")
        text = text.format(limit=spec.limit)
    else:
        text = _("un texte d'au plus {limit} caractères, sans caractère nul")
        text = text.format(limit=spec.limit)
    return _("{expected}, ou null").format(expected=text) if spec.nullable else text


def must(where: str, what: str) -> str:
    """ "actors.latitude : il faut un nombre de -90 à 90" (``what`` from the functions here)."""
    return _("{where} : il faut {what}").format(where=where, what=what)


def name_problem(value: Any, limit: int = MAX_NAME_CHARS, empty: bool = True) -> str | None:
    """None if ``value`` can name something in the protocol (a table, field, record id,
    site, batch id): a text of at most ``limit`` characters, valid, without NUL (and
    not empty unless ``empty``); else what is expected, in French."""
    if type(value) is str and len(value) <= limit and clean_text(value) and (empty or value):
        return None
    if empty:
        return _("un texte d'au plus {limit} caractères, sans caractère nul").format(limit=limit)
    return _("un texte non vide d'au plus {limit} caractères, sans caractère nul").format(
        limit=limit
    )


def stamp_problem(value: Any) -> str | None:
    """None if ``value`` is a stamp as ``hlc.Timestamp`` writes it, else what is expected."""
    if type(value) is str and _STAMP.fullmatch(value):
        return None
    return _("un tampon horaire (16 chiffres, 5 chiffres, le site)")
