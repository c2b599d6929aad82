"""The checks an actor's contact details and legal identifiers go through before saving.

The form and the import share them, so a value refused in one is refused in the
other with the same French message.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from companion.directory.validate import (
    InvalidValue,
    check_email,
    check_phone,
    check_rna,
    check_siren,
    check_siret,
    check_website,
    siren_of,
)
from companion.i18n import _

# In the order the form shows them, so the first problem is the first bad field.
CHECKS: dict[str, Callable[[str | None], str | None]] = {
    "website": check_website,
    "email": check_email,
    "phone": check_phone,
    "siren": check_siren,
    "siret": check_siret,
    "rna": check_rna,
}


@dataclass(frozen=True)
class FieldProblem:
    field: str  # the key of the refused field
    message: str  # French


def check_legal_ids(siren: str | None, siret: str | None) -> tuple[str | None, str | None]:
    """Checked SIREN and SIRET, the SIREN taken from the SIRET when missing.

    Both must already be in normal form; raises ``InvalidValue`` when the SIRET
    belongs to another SIREN.
    """
    if siret and not siren:
        return siren_of(siret), siret
    if siret and siren and siren_of(siret) != siren:
        raise InvalidValue(
            _("Le SIRET « {siret} » n'appartient pas au SIREN « {siren} » (ses 9 premiers "
              "chiffres).").format(siret=siret, siren=siren)
        )  # fmt: skip
    return siren, siret


def check_actor_fields(values: dict[str, Any]) -> tuple[dict[str, Any], list[FieldProblem]]:
    """``values`` with its checked fields in normal form, and every problem found."""
    clean = dict(values)
    problems: list[FieldProblem] = []
    for key, check in CHECKS.items():
        if key in clean:
            try:
                clean[key] = check(clean[key])
            except InvalidValue as error:
                problems.append(FieldProblem(key, str(error)))
    refused = {problem.field for problem in problems}
    if ("siren" in clean or "siret" in clean) and not refused & {"siren", "siret"}:
        try:
            clean["siren"], clean["siret"] = check_legal_ids(clean.get("siren"), clean.get("siret"))
        except InvalidValue as error:
            problems.append(FieldProblem("siret", str(error)))
    return clean, problems


def format_siren(value: str | None) -> str:
    """``732829320`` -> ``732 829 320``, as INSEE prints it (anything else as is)."""
    if not value:
        return ""
    if len(value) == 9 and value.isdigit():
        return f"{value[:3]} {value[3:6]} {value[6:]}"
    return value


def format_siret(value: str | None) -> str:
    """``73282932000074`` -> ``732 829 320 00074`` (SIREN, then the establishment's NIC)."""
    if not value:
        return ""
    if len(value) == 14 and value.isdigit():
        return f"{format_siren(value[:9])} {value[9:]}"
    return value
