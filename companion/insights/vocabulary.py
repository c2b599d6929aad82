"""Words the insights need beyond ``companion.domain``: kinds in the plural, and which
kinds of actors complement each other (one table, read by the absent alliances and
the suggested links)."""

from __future__ import annotations

from companion.domain import ACTOR_KINDS, label
from companion.i18n import N_, _

KIND_PLURALS: dict[str, str] = {
    "catalyseur": N_("les catalyseurs"),
    "association": N_("les associations"),
    "entreprise": N_("les entreprises"),
    "collectivite": N_("les collectivités"),
    "fondation": N_("les fondations"),
    "institution": N_("les institutions publiques"),
    "reseau": N_("les réseaux et fédérations"),
    "collectif": N_("les collectifs citoyens"),
    "autre": N_("les autres acteurs"),
}

# Kinds that bring each other what they lack: a company's skills, jobs and sponsorship
# for an association; a local authority's policies and funding for associations,
# collectives and companies; a foundation's grants for associations and collectives.
COMPLEMENTARY_KINDS: frozenset[frozenset[str]] = frozenset(
    frozenset(pair)
    for pair in [
        ("entreprise", "association"),
        ("collectivite", "association"),
        ("fondation", "association"),
        ("institution", "association"),
        ("entreprise", "collectivite"),
        ("collectif", "collectivite"),
        ("collectif", "fondation"),
        ("collectif", "entreprise"),
    ]
)


def complementary(first: str, second: str) -> bool:
    return frozenset((first, second)) in COMPLEMENTARY_KINDS


def kind_plural(kind: str) -> str:
    """ "les associations": the kind in the plural with its article, translated."""
    source = KIND_PLURALS.get(kind)
    return _(source) if source else kind


def kind_word(kind: str) -> str:
    """The kind as a word inside a sentence: "association", "institution publique"."""
    text = label(ACTOR_KINDS, kind)
    return text if text.isupper() else text[:1].lower() + text[1:]
