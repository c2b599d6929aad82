"""People keep every phone and e-mail their source gives, labelled (issue #17, item 5).

vCards as Apple, Google and Outlook write them and contact CSVs (Google's numbered
columns, Outlook's « Mobile Phone », French « Téléphone 2 ») come in with every value,
the first (or pref) one primary, the others labelled, repeats collapsed; the vCard and
contacts CSV exports write them back so that a round trip keeps values and labels.
"""

from __future__ import annotations

import json
import sqlite3

import pytest

from companion.directory.contact_details import Contact, contacts_of, stored_contacts
from companion.directory.merge import merge_people
from companion.directory.people import FieldError, check_person_fields, count_people, save_person
from companion.io.contacts_csv import read_contacts
from companion.io.people_export import export_contacts_csv, export_vcards
from companion.io.people_import import import_cards, import_vcards
from companion.protocol import fields
from companion.store import Store
from companion.store.migrations import MIGRATIONS
from companion.store.upgrade import migrate
from tests.french import fr

APPLE = (
    "BEGIN:VCARD\nVERSION:3.0\nPRODID:-//Apple Inc.//macOS 14.0//EN\n"
    "N:Valmorin;Inès;;;\nFN:Inès Valmorin\nORG:Coopérative La Fourmi;\n"
    "item1.EMAIL;type=INTERNET;type=WORK;type=pref:ines@fourmi.example\n"
    "EMAIL;type=INTERNET;type=HOME:ines@perso.example\n"
    "TEL;type=CELL;type=VOICE:06 39 98 00 01\n"
    "TEL;type=WORK;type=VOICE;type=pref:04 65 71 00 03\n"
    "TEL;type=HOME;type=VOICE:+33 4 65 71 00 09\n"
    "item2.TEL:+32 2 123 45 67\nitem2.X-ABLabel:_$!<Other>!$_\n"
    "item3.EMAIL;type=INTERNET:ines@paris.example\nitem3.X-ABLabel:Bureau Paris\n"
    "END:VCARD\n"
)
OUTLOOK_21 = (
    "BEGIN:VCARD\r\nVERSION:2.1\r\nN:Châtelet;Jérôme\r\nFN:Jérôme Châtelet\r\n"
    "TEL;WORK;VOICE:04 65 71 00 02\r\nTEL;CELL;VOICE:06 98 76 54 32\r\n"
    "TEL;HOME;VOICE:04.65.71.00.02\r\n"  # the work number again, written otherwise
    "EMAIL;PREF;INTERNET:jerome@mairie.example\r\n"
    "EMAIL;INTERNET:Jerome@Mairie.example\r\n"  # the same address, other case
    "END:VCARD\r\n"
)
GOOGLE_40 = (
    "BEGIN:VCARD\r\nVERSION:4.0\r\nFN:Camille Durivaud\r\nN:Durivaud;Camille;;;\r\n"
    "EMAIL;TYPE=home:camille@perso.example\r\n"
    'EMAIL;TYPE="work";PREF=1:camille@exemple.example\r\n'
    'TEL;VALUE=uri;TYPE="voice,cell":tel:+33-6-39-98-00-05\r\n'
    "END:VCARD\r\n"
)


def write(tmp_path, name: str, text: str, encoding: str = "utf-8"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def person_named(store: Store, first_name: str):
    [row] = store.conn.execute("SELECT id FROM people WHERE first_name = ?", (first_name,))
    return store.get_person(row[0])


def contacts(person) -> tuple[list[Contact], list[Contact]]:
    return contacts_of(person.email, person.phone, person.other_contacts)


def test_vcards_keep_every_value_labelled_the_pref_one_primary(store, tmp_path):
    import_vcards(store, write(tmp_path, "tous.vcf", APPLE + OUTLOOK_21 + GOOGLE_40))
    ines = person_named(store, "Inès")
    assert (ines.email, ines.phone) == ("ines@fourmi.example", "+33465710003")  # pref
    assert contacts(ines) == (
        [Contact("email", "travail", "ines@fourmi.example"),
         Contact("email", "domicile", "ines@perso.example"),
         Contact("email", "travail", "ines@paris.example")],  # Apple's own label, « Bureau »
        [Contact("phone", "travail", "+33465710003"), Contact("phone", "mobile", "+33639980001"),
         Contact("phone", "domicile", "+33465710009"), Contact("phone", "autre", "+3221234567")],
    )  # fmt: skip
    jerome = person_named(store, "Jérôme")
    assert contacts(jerome) == (
        [Contact("email", "", "jerome@mairie.example")],  # the second copy collapsed
        [Contact("phone", "travail", "+33465710002"), Contact("phone", "mobile", "+33698765432")],
    )
    camille = person_named(store, "Camille")
    assert [c.value for c in contacts(camille)[0]] == [
        "camille@exemple.example",  # PREF=1 goes first
        "camille@perso.example",
    ]
    assert contacts(camille)[1] == [Contact("phone", "mobile", "+33639980005")]


def test_a_vcard_round_trip_keeps_values_and_labels(store, tmp_path):
    import_vcards(store, write(tmp_path, "tous.vcf", APPLE + OUTLOOK_21 + GOOGLE_40))
    out = tmp_path / "export.vcf"
    assert export_vcards(store, out) == 3
    text = out.read_text(encoding="utf-8")
    assert "TEL;TYPE=cell:+33639980001" in text and "EMAIL;TYPE=home:ines@perso.example" in text
    other = Store.open(tmp_path / "autre.db")
    import_vcards(other, out)
    for first in ("Inès", "Jérôme", "Camille"):
        assert contacts(person_named(other, first)) == contacts(person_named(store, first))
    other.close()


GOOGLE_CSV = (
    "First Name,Last Name,E-mail 1 - Label,E-mail 1 - Value,E-mail 2 - Label,"
    "E-mail 2 - Value,Phone 1 - Label,Phone 1 - Value,Phone 2 - Label,Phone 2 - Value\n"
    "Camille,Durivaud,* Work,camille@exemple.example ::: c.d@exemple.example,Home,"
    "camille@perso.example,Mobile,+33 6 39 98 00 01,Work,04 65 71 00 03\n"
)
OUTLOOK_CSV = (
    "First Name,Last Name,E-mail Address,E-mail Display Name,E-mail 2 Address,"
    "Business Phone,Mobile Phone,Home Phone\n"
    "Jérôme,Châtelet,jerome@mairie.example,Jérôme Châtelet (jerome@mairie.example),"
    "jerome@perso.example,04 65 71 00 02,06 98 76 54 32,04 65 71 00 09\n"
)
FRENCH_CSV = (
    "Prénom;Nom;E-mail;E-mail 2;Téléphone;Téléphone 2;Mobile\r\n"
    "Léa;Martin;lea@asso.example;lea.martin@perso.example;04 65 71 00 04;"
    "04 65 71 00 04;06 12 34 56 78\r\n"
)


def test_contact_csvs_keep_every_value_labelled(store, tmp_path):
    for name, text, encoding in (
        ("google.csv", GOOGLE_CSV, "utf-8"),
        ("outlook.csv", OUTLOOK_CSV, "utf-8"),
        ("francais.csv", FRENCH_CSV, "cp1252"),
    ):
        import_cards(store, read_contacts(write(tmp_path, name, text, encoding)))
    assert contacts(person_named(store, "Camille")) == (
        [Contact("email", "travail", "camille@exemple.example"),
         Contact("email", "travail", "c.d@exemple.example"),
         Contact("email", "domicile", "camille@perso.example")],
        [Contact("phone", "mobile", "+33639980001"), Contact("phone", "travail", "+33465710003")],
    )  # fmt: skip
    assert contacts(person_named(store, "Jérôme")) == (
        [Contact("email", "", "jerome@mairie.example"),  # the display name is not an address
         Contact("email", "", "jerome@perso.example")],
        [Contact("phone", "travail", "+33465710002"), Contact("phone", "mobile", "+33698765432"),
         Contact("phone", "domicile", "+33465710009")],
    )  # fmt: skip
    lea = contacts(person_named(store, "Léa"))
    assert [c.value for c in lea[0]] == ["lea@asso.example", "lea.martin@perso.example"]
    assert lea[1] == [
        Contact("phone", "", "+33465710004"),
        Contact("phone", "mobile", "+33612345678"),
    ]


def test_a_contacts_csv_round_trip_keeps_values_and_labels(store, tmp_path):
    import_cards(store, read_contacts(write(tmp_path, "google.csv", GOOGLE_CSV)))
    import_vcards(store, write(tmp_path, "apple.vcf", APPLE))
    out = tmp_path / "contacts.csv"
    assert export_contacts_csv(store, out) == 2
    header = out.read_text(encoding="utf-8").splitlines()[0]
    assert "E-mail 3 - Value" in header and "Phone 4 - Label" in header
    other = Store.open(tmp_path / "autre.db")
    import_cards(other, read_contacts(out))
    for first in ("Camille", "Inès"):
        assert contacts(person_named(other, first)) == contacts(person_named(store, first))
    other.close()


def test_the_contacts_csv_neutralises_formulas_and_reads_them_back(store, tmp_path):
    columns = stored_contacts(
        [Contact("email", "travail", "zoe@exemple.example"), Contact("phone", "autre", "=1+2")]
    )
    store.add_person("Zoé", '=HYPERLINK("http://x")', **columns)
    out = tmp_path / "contacts.csv"
    export_contacts_csv(store, out)
    text = out.read_text(encoding="utf-8")
    assert "'=1+2" in text and "'=HYPERLINK" in text
    [card] = read_contacts(out)
    assert card.phones == ["=1+2"] and card.last_name == '=HYPERLINK("http://x")'


def test_the_form_checks_every_value_and_names_the_one_at_fault(store):
    values = {
        "first_name": "Léa",
        "emails": [("travail", "lea@asso.example"), ("domicile", "lea@")],
        "phones": [("mobile", "06 12 34 56 78")],
    }
    with pytest.raises(FieldError) as refused:
        check_person_fields(values)
    assert refused.value.field == "emails:1"
    assert str(refused.value).startswith(fr("E-mail 2 : « lea@ » n'est pas une adresse e-mail"))
    values["emails"][1] = ("domicile", "Lea@Perso.Example")
    values["phones"].append(("travail", "12"))
    with pytest.raises(FieldError, match=fr("^Téléphone 2 : « 12 »")):
        check_person_fields(values)
    values["phones"][1] = ("travail", "+33 6 12 34 56 78")  # the mobile again: collapsed
    checked = check_person_fields(values)
    assert (checked["email"], checked["phone"]) == ("lea@asso.example", "+33612345678")
    assert json.loads(checked["other_contacts"]) == [
        {"kind": "email", "label": "travail", "value": "lea@asso.example", "primary": True},
        {"kind": "email", "label": "domicile", "value": "Lea@perso.example"},
        {"kind": "phone", "label": "mobile", "value": "+33612345678", "primary": True},
    ]
    assert fields.valid("people", "other_contacts", checked["other_contacts"])


def test_search_finds_a_person_by_a_second_email_or_phone(store):
    save_person(
        store,
        {
            "last_name": "Martin",
            "emails": [("travail", "lea@asso.example"), ("domicile", "lea.m@perso.example")],
            "phones": [("travail", "04 65 71 00 04"), ("mobile", "06 12 34 56 78")],
        },
    )
    for query in ("lea.m@perso", "0612345678", "06123", "0465710004", "lea@asso"):
        assert count_people(store, query) == 1, query
    assert count_people(store, "0699") == 0


def test_a_primary_changed_elsewhere_leaves_its_stale_label_unused():
    columns = stored_contacts([Contact("phone", "mobile", "+33612345678")])
    # An older laptop (or the hub's older version) changed the primary phone only.
    emails, phones = contacts_of(None, "+33465710003", columns["other_contacts"])
    assert phones == [Contact("phone", "", "+33465710003")]


def test_merging_two_people_keeps_both_peoples_contacts(store):
    keep = save_person(
        store,
        {"last_name": "Martin", "emails": [("travail", "lea@asso.example")],
         "phones": [("mobile", "06 12 34 56 78")]},
    )  # fmt: skip
    drop = save_person(
        store,
        {"last_name": "Martin", "emails": [("domicile", "lea@perso.example")],
         "phones": [("travail", "04 65 71 00 04"), ("mobile", "06 12 34 56 78")]},
    )  # fmt: skip
    merge_people(store, keep.id, drop.id)
    assert contacts(store.get_person(keep.id)) == (
        [Contact("email", "travail", "lea@asso.example"),
         Contact("email", "domicile", "lea@perso.example")],
        [Contact("phone", "mobile", "+33612345678"), Contact("phone", "travail", "+33465710004")],
    )  # fmt: skip


def test_the_migration_keeps_existing_people_after_a_backup(tmp_path):
    path = tmp_path / "companion.db"
    conn = sqlite3.connect(path, isolation_level=None)
    names = [migration.name for migration in MIGRATIONS]
    migrate(conn, path, MIGRATIONS[: names.index("0014_contact_details")])  # the version before
    conn.execute(
        "INSERT INTO people (id, first_name, last_name, email, phone, created_at, updated_at) "
        "VALUES ('p1', 'Léa', 'Martin', 'lea@asso.example', '+33612345678', '2024', '2024')"
    )
    conn.close()

    store = Store.open(path)
    lea = store.get_person("p1")
    assert (lea.email, lea.phone, lea.other_contacts) == (
        "lea@asso.example",
        "+33612345678",
        None,
    )
    assert count_people(store, "lea@asso") == 1 and count_people(store, "0612345678") == 1
    store.close()
    [backup] = (tmp_path / "sauvegardes").iterdir()
    assert "avant-0014_contact_details" in backup.name
    copy = sqlite3.connect(backup)
    assert copy.execute("SELECT email FROM people").fetchall() == [("lea@asso.example",)]
    copy.close()


def test_the_persons_export_lists_them_and_erasure_leaves_none_in_the_file(store):
    from companion.app.erasure import erase_person
    from companion.directory.personal_data import export_person, export_text

    lea = save_person(
        store,
        {
            "last_name": "Martin",
            "emails": [("travail", "lea@asso.example"), ("domicile", "lea.secret@perso.example")],
            "phones": [("", "04 65 71 00 04"), ("mobile", "06 98 76 54 32")],
        },
    )
    text = export_text(export_person(store, lea.id))
    assert "E-mail (domicile) : lea.secret@perso.example" in text
    assert "Téléphone (mobile) : 06 98 76 54 32" in text
    assert "Téléphone : 04 65 71 00 04" in text
    store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    files = list(store.path.parent.glob(store.path.name + "*"))
    assert b"lea.secret@perso.example" in b"".join(path.read_bytes() for path in files)

    assert erase_person(store, lea.id).file_clean
    [(others,)] = store.conn.execute("SELECT other_contacts FROM people WHERE id = ?", (lea.id,))
    assert others is None
    assert count_people(store, "lea.secret") == 0 and count_people(store, "0698765432") == 0
    raw = b"".join(path.read_bytes() for path in store.path.parent.glob(store.path.name + "*"))
    for secret in ("lea.secret@perso.example", "+33698765432", "0698765432"):
        assert secret.encode() not in raw, secret


def test_the_conflicts_view_shows_other_contacts_as_people_read_them():
    from companion.sync.labels import field_label, value_text

    columns = stored_contacts(
        [Contact("phone", "travail", "+33465710004"), Contact("phone", "mobile", "+33612345678"),
         Contact("email", "", "lea@perso.example")]
    )  # fmt: skip
    assert field_label("other_contacts") == "Autres e-mails et téléphones"
    text = value_text(None, "people", "other_contacts", columns["other_contacts"])
    assert text == "Mobile : +33612345678"  # the primary phone's label marker left out
    assert value_text(None, "people", "other_contacts", None) == "(vide)"
