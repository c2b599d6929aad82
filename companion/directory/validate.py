"""Checks and normal forms for what people type in the directory, with French messages.

Each ``check_*`` returns the value in its normal form, or raises ``InvalidValue``
whose message says what is wrong and what is expected. Empty input is ``None``.
"""

from __future__ import annotations

import re

from companion.errors import CompanionError
from companion.i18n import _

DEFAULT_REGION = "FR"
_EMAIL = re.compile(r"^[^@\s<>(),;:\"]+@[^@\s<>(),;:\"]+\.[A-Za-z]{2,}$")
_RNA = re.compile(r"^W\d{9}$")


class InvalidValue(CompanionError):
    """A value was refused; the message is French and says what is expected."""


def _blank(value: str | None) -> bool:
    return value is None or not str(value).strip()


def check_email(value: str | None) -> str | None:
    if _blank(value):
        return None
    text = str(value).strip()
    if text.lower().startswith("mailto:"):
        text = text[7:]
    if not _EMAIL.match(text) or ".." in text:
        raise InvalidValue(
            _("« {value} » n'est pas une adresse e-mail valide (exemple : nom@domaine.fr).").format(
                value=value
            )
        )
    local, domain = text.rsplit("@", 1)
    return f"{local}@{domain.lower()}"


def check_phone(value: str | None, region: str = DEFAULT_REGION) -> str | None:
    """A phone number in E.164 (``+33612345678``); French numbers may omit the country code."""
    if _blank(value):
        return None
    import phonenumbers

    text = str(value).strip()
    if text.startswith("00"):
        text = "+" + text[2:]
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        number = None
    if number is None or not _plausible(number):
        raise InvalidValue(
            _(
                "« {value} » n'est pas un numéro de téléphone valide "
                "(exemple : 06 12 34 56 78 ou +32 2 123 45 67)."
            ).format(value=value)
        )
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def _plausible(number) -> bool:
    """Possible for its country; a French number has exactly 9 digits after the 0.

    Not ``is_valid_number``: it refuses the ranges ARCEP reserves for fiction
    (and our demo uses them) and lags behind newly allocated ranges.
    """
    import phonenumbers

    if not phonenumbers.is_possible_number(number):
        return False
    if number.country_code == 33:
        national = phonenumbers.national_significant_number(number)
        return len(national) == 9 and national[0] != "0"
    return True


def format_phone(value: str | None, region: str = DEFAULT_REGION) -> str:
    """A stored number as people read it: national form in France, international elsewhere."""
    if _blank(value):
        return ""
    import phonenumbers

    try:
        number = phonenumbers.parse(str(value), region)
    except phonenumbers.NumberParseException:
        return str(value)
    if not phonenumbers.is_possible_number(number):
        return str(value)
    if phonenumbers.region_code_for_number(number) == region:
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def _luhn_valid(digits: str) -> bool:
    total = 0
    for position, char in enumerate(reversed(digits)):
        n = int(char)
        if position % 2 == 1:
            n *= 2
            if n > 9:
                n -= 9
        total += n
    return total % 10 == 0


def _digits(value: str) -> str:
    return re.sub(r"[\s.\-]", "", value)


def check_siren(value: str | None) -> str | None:
    """A SIREN: 9 digits with a valid Luhn key."""
    if _blank(value):
        return None
    digits = _digits(str(value))
    if not (len(digits) == 9 and digits.isdigit()):
        raise InvalidValue(_("Le SIREN « {value} » doit compter 9 chiffres.").format(value=value))
    if not _luhn_valid(digits):
        raise InvalidValue(
            _("Le SIREN « {value} » est invalide (clé de contrôle incorrecte).").format(value=value)
        )
    return digits


def check_siret(value: str | None) -> str | None:
    """A SIRET: 14 digits (SIREN + NIC) with a valid Luhn key (La Poste's follow their own rule)."""
    if _blank(value):
        return None
    digits = _digits(str(value))
    if not (len(digits) == 14 and digits.isdigit()):
        raise InvalidValue(_("Le SIRET « {value} » doit compter 14 chiffres.").format(value=value))
    la_poste = digits.startswith("356000000") and sum(int(c) for c in digits) % 5 == 0
    if not (_luhn_valid(digits) or la_poste):
        raise InvalidValue(
            _("Le SIRET « {value} » est invalide (clé de contrôle incorrecte).").format(value=value)
        )
    return digits


def siren_of(siret: str | None) -> str | None:
    return siret[:9] if siret else None


def check_rna(value: str | None) -> str | None:
    """An association's RNA number: W followed by 9 digits (e.g. W751234567)."""
    if _blank(value):
        return None
    text = re.sub(r"\s", "", str(value)).upper()
    if not _RNA.match(text):
        raise InvalidValue(
            _(
                "Le numéro RNA « {value} » doit être un W suivi de 9 chiffres (ex. W751234567)."
            ).format(value=value)
        )
    return text


def check_website(value: str | None) -> str | None:
    if _blank(value):
        return None
    text = str(value).strip()
    if not re.match(r"^https?://", text, re.IGNORECASE):
        text = "https://" + text
    if not re.match(r"^https?://[^\s/]+\.[^\s/]+(/\S*)?$", text, re.IGNORECASE):
        raise InvalidValue(
            _("« {value} » n'est pas une adresse de site web valide.").format(value=value)
        )
    return text
