"""What people type in the directory: e-mails, phones, SIREN/SIRET, RNA, websites."""

from __future__ import annotations

import pytest

from companion.directory.validate import (
    InvalidValue,
    check_email,
    check_phone,
    check_rna,
    check_siren,
    check_siret,
    check_website,
    format_phone,
    siren_of,
)


def test_email_is_normalised_and_bad_ones_are_named():
    assert check_email("  Lea.Martin@Exemple.FR ") == "Lea.Martin@exemple.fr"
    assert check_email("mailto:a@b.org") == "a@b.org"
    assert check_email("") is None
    for bad in ("lea.martin", "lea@", "@x.fr", "a b@x.fr", "a@x", "a@@x.fr", "a..b@x.fr"):
        with pytest.raises(InvalidValue, match="adresse e-mail"):
            check_email(bad)


@pytest.mark.parametrize(
    ("typed", "stored", "shown"),
    [
        ("06 12 34 56 78", "+33612345678", "06 12 34 56 78"),
        ("06.12.34.56.78", "+33612345678", "06 12 34 56 78"),
        ("+33 6 12 34 56 78", "+33612345678", "06 12 34 56 78"),
        ("+33 (0)6 12 34 56 78", "+33612345678", "06 12 34 56 78"),
        ("0033612345678", "+33612345678", "06 12 34 56 78"),
        ("01 99 00 12 34", "+33199001234", "01 99 00 12 34"),
        ("+32 2 123 45 67", "+3221234567", "+32 2 123 45 67"),
        ("+1 650-253-0000", "+16502530000", "+1 650-253-0000"),
    ],
)
def test_phones_are_stored_in_e164_and_shown_formatted(typed, stored, shown):
    assert check_phone(typed) == stored
    assert format_phone(stored) == shown


def test_bad_phones_are_refused():
    for bad in ("12", "téléphone", "06 12 34", "06 98 76 54 3"):
        with pytest.raises(InvalidValue, match="téléphone"):
            check_phone(bad)
    assert check_phone(" ") is None
    assert format_phone("pas un numéro") == "pas un numéro"


def test_siren_and_siret_check_their_luhn_key():
    assert check_siren("732 829 320") == "732829320"
    assert check_siret("732 829 320 00074") == "73282932000074"
    assert siren_of("73282932000074") == "732829320"
    assert check_siret("35600000000048") == "35600000000048"  # La Poste's own rule
    with pytest.raises(InvalidValue, match="9 chiffres"):
        check_siren("12345")
    with pytest.raises(InvalidValue, match="clé de contrôle"):
        check_siren("732829321")
    with pytest.raises(InvalidValue, match="14 chiffres"):
        check_siret("7328293200007")
    with pytest.raises(InvalidValue, match="clé de contrôle"):
        check_siret("73282932000075")


def test_rna_and_website():
    assert check_rna("w751 234 567") == "W751234567"
    with pytest.raises(InvalidValue, match="W suivi de 9 chiffres"):
        check_rna("751234567")
    assert check_website("exemple.fr/asso") == "https://exemple.fr/asso"
    assert check_website("http://exemple.fr") == "http://exemple.fr"
    with pytest.raises(InvalidValue, match="site web"):
        check_website("pas un site")
