"""The actor fields an import can fill, how file columns map to them, and value parsing."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from companion.directory.actor_checks import check_legal_ids
from companion.directory.validate import (
    InvalidValue,
    check_email,
    check_phone,
    check_rna,
    check_siren,
    check_siret,
)
from companion.domain import ACTOR_KINDS, VISIBILITIES
from companion.i18n import N_, _
from companion.text import fold


@dataclass(frozen=True)
class Field:
    key: str
    label: str  # French, translated at display
    synonyms: tuple[str, ...]  # folded column headers that mean this field


FIELDS: tuple[Field, ...] = (
    Field("id", N_("Identifiant"), ("id", "identifiant", "identifier", "uuid")),
    Field(
        "name",
        N_("Nom"),
        (
            "nom",
            "name",
            "raison sociale",
            "organisation",
            "structure",
            "denomination",
            "nom de la structure",
        ),
    ),
    Field("kind", N_("Type"), ("type", "kind", "categorie", "type d acteur", "type de structure")),
    Field("description", N_("Description"), ("description", "presentation", "activite", "objet")),
    Field("address", N_("Adresse"), ("adresse", "address", "rue", "adresse postale")),
    Field(
        "postcode",
        N_("Code postal"),
        ("code postal", "cp", "postcode", "zip", "code postal commune"),
    ),
    Field("commune", N_("Commune"), ("commune", "ville", "city", "localite")),
    Field(
        "insee_code", N_("Code INSEE"), ("code insee", "insee", "insee code", "code commune", "cog")
    ),
    Field("latitude", N_("Latitude"), ("latitude", "lat")),
    Field("longitude", N_("Longitude"), ("longitude", "lon", "lng", "long")),
    Field(
        "email",
        N_("Courriel"),
        (
            "email",
            "e mail",
            "courriel",
            "mail",
            "adresse mail",
            "adresse e mail",
            "adresse electronique",
        ),
    ),
    Field(
        "phone", N_("Téléphone"), ("telephone", "tel", "phone", "portable", "numero de telephone")
    ),
    Field(
        "website", N_("Site web"), ("site", "site web", "site internet", "website", "url", "web")
    ),
    Field("siren", N_("SIREN"), ("siren", "n siren", "no siren", "numero siren", "siren number")),
    Field(
        "siret",
        N_("SIRET"),
        ("siret", "n siret", "no siret", "numero siret", "siret number", "siret etablissement"),
    ),
    Field(
        "rna",
        N_("RNA"),
        ("rna", "n rna", "no rna", "numero rna", "rna number", "identifiant rna", "waldec"),
    ),
    Field("tags", N_("Étiquettes"), ("etiquettes", "tags", "mots cles", "thematiques", "themes")),
    Field("visibility", N_("Visibilité"), ("visibilite", "visibility", "diffusion")),
)
FIELDS_BY_KEY = {field.key: field for field in FIELDS}

_KIND_WORDS = (
    {fold(label): code for code, label in ACTOR_KINDS.items()}
    | {fold(code): code for code in ACTOR_KINDS}
    | {
        "collectivite territoriale": "collectivite",
        "commune": "collectivite",
        "mairie": "collectivite",
        "federation": "reseau",
        "reseau": "reseau",
        "entreprise sociale": "entreprise",
        "societe": "entreprise",
        "collectif": "collectif",
        "catalyseur territorial": "catalyseur",
    }
)
_VISIBILITY_WORDS = {
    "prive": "private",
    "private": "private",
    "privee": "private",
    "reseau": "network",
    "network": "network",
    "public": "network",
    "partage": "network",
}


def guess_mapping(headers: list[str]) -> dict[int, str]:
    """Column index -> field key, for the headers a user would expect to be recognised."""
    mapping: dict[int, str] = {}
    taken: set[str] = set()
    for index, header in enumerate(headers):
        folded = fold(header)
        for field in FIELDS:
            if field.key not in taken and folded in field.synonyms:
                mapping[index] = field.key
                taken.add(field.key)
                break
    return mapping


class ValueProblem(ValueError):
    """A cell's value cannot be used; ``str()`` is the French explanation."""


def parse_kind(value: str) -> str:
    code = _KIND_WORDS.get(fold(value))
    if code is None:
        raise ValueProblem(_("type d'acteur « {value} » inconnu").format(value=value))
    return code


def parse_visibility(value: str) -> str:
    code = _VISIBILITY_WORDS.get(fold(value))
    if code is None or code not in VISIBILITIES:
        raise ValueProblem(
            _("visibilité « {value} » inconnue (privé ou réseau)").format(value=value)
        )
    return code


def parse_decimal(value: str, low: float, high: float) -> float:
    """A number written the French way ("45,764") or not ("45.764"), within bounds."""
    text = value.strip().replace("\u00a0", "").replace(" ", "").replace(",", ".")
    try:
        number = float(text)
    except ValueError:
        raise ValueProblem(_("« {value} » n'est pas un nombre").format(value=value)) from None
    if not low <= number <= high:
        raise ValueProblem(
            _("{value} est hors limites ({low} à {high})").format(value=value, low=low, high=high)
        )
    return number


def parse_email(value: str) -> str:
    """An e-mail checked like the form checks it, lower-cased so re-imports match it."""
    try:
        text = check_email(value)
    except InvalidValue:
        text = None
    if not text:
        raise ValueProblem(_("adresse « {value} » invalide").format(value=value))
    return text.lower()


def _checked(check: Callable[[str], str | None]) -> Callable[[str], str | None]:
    """A ``validate`` check whose refusal becomes an import problem (same French message)."""

    def parse(value: str) -> str | None:
        try:
            return check(value)
        except InvalidValue as error:
            raise ValueProblem(str(error)) from None

    return parse


parse_phone = _checked(check_phone)  # stored in E.164: +33612345678
parse_siren = _checked(check_siren)
parse_siret = _checked(check_siret)
parse_rna = _checked(check_rna)
# The cells an import checks as the actor form does, and how.
CHECKED_PARSERS: dict[str, Callable[[str], str | None]] = {
    "email": parse_email,
    "phone": parse_phone,
    "siren": parse_siren,
    "siret": parse_siret,
    "rna": parse_rna,
}


def complete_legal_ids(values: dict[str, Any]) -> None:
    """Fill the SIREN from the SIRET; ``ValueProblem`` when the two disagree."""
    try:
        siren, siret = check_legal_ids(values.get("siren"), values.get("siret"))
    except InvalidValue as error:
        raise ValueProblem(str(error)) from None
    if siren:
        values["siren"] = siren


def parse_tags(value: str) -> list[str]:
    """Tags separated by commas, semicolons or vertical bars; blanks dropped, order kept."""
    seen: dict[str, str] = {}
    for part in re.split(r"[,;|]", value):
        tag = part.strip()
        if tag and fold(tag) not in seen:
            seen[fold(tag)] = tag
    return list(seen.values())


def parse_postcode(value: str) -> str:
    text = value.strip().replace(" ", "")
    if len(text) == 4 and text.isdigit():  # Excel drops the leading zero of 01000-09999
        text = "0" + text
    if not (len(text) == 5 and text.isdigit()):
        raise ValueProblem(_("code postal « {value} » invalide").format(value=value))
    return text
