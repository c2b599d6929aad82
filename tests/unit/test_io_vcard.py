"""vCards as common address books write them, and back."""

import pytest

from companion.io.vcard import Card, VCardError, read_cards, write_card

GOOGLE = (
    "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Camille Durivaud\r\nN:Durivaud;Camille;;;\r\n"
    "EMAIL;TYPE=INTERNET;TYPE=WORK:camille@exemple.example\r\n"
    "TEL;TYPE=CELL:+33 6 39 98 00 01\r\n"
    "item1.ORG:Association Bravelune\r\nitem1.X-ABLabel:\r\n"
    "TITLE:Présidente\r\n"
    "NOTE:Rencontrée au forum des alliances\\, très motivée\\nÀ rappeler en mars\r\n"
    "CATEGORIES:myContacts,Partenaires\r\nEND:VCARD\r\n"
)

APPLE_FOLDED = (
    "BEGIN:VCARD\nVERSION:3.0\nPRODID:-//Apple Inc.//macOS 14.0//EN\n"
    "N:Lévêque;Anne-Sophie;;;\nFN:Anne-Sophie Lévêque\n"
    "ORG:Communauté de communes fictive du Val;Service développement\n"
    "item1.EMAIL;type=INTERNET;type=pref:anne-sophie.leveque@val.exam\n ple\n"
    "UID:3F2504E0-4F89-11D3-9A0C-0305E82C3301\nEND:VCARD\n"
)

OLD_PHONE_21 = (
    "BEGIN:VCARD\r\nVERSION:2.1\r\nN;CHARSET=ISO-8859-1;ENCODING=QUOTED-PRINTABLE:Ch=E2telet;J=E9r=F4me\r\n"
    "FN;CHARSET=ISO-8859-1;ENCODING=QUOTED-PRINTABLE:J=E9r=F4me Ch=E2telet\r\n"
    "TEL;WORK;VOICE:04 65 71 00 02\r\n"
    "NOTE;ENCODING=QUOTED-PRINTABLE;CHARSET=UTF-8:Premi=C3=A8re ligne=0D=0A=\r\n"
    "Deuxi=C3=A8me ligne\r\nEND:VCARD\r\n"
)


def write(tmp_path, name, text, encoding="utf-8"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def test_google_contacts_export(tmp_path):
    [card] = read_cards(write(tmp_path, "google.vcf", GOOGLE))
    assert (card.first_name, card.last_name) == ("Camille", "Durivaud")
    assert card.organisation == "Association Bravelune" and card.title == "Présidente"
    assert card.emails == ["camille@exemple.example"]
    assert card.phones == ["+33 6 39 98 00 01"]
    assert card.note == "Rencontrée au forum des alliances, très motivée\nÀ rappeler en mars"
    assert card.categories == ["myContacts", "Partenaires"]


def test_apple_contacts_folded_lines_and_structured_org(tmp_path):
    [card] = read_cards(write(tmp_path, "apple.vcf", APPLE_FOLDED))
    assert card.last_name == "Lévêque" and card.first_name == "Anne-Sophie"
    assert card.emails == ["anne-sophie.leveque@val.example"]
    assert card.organisation == "Communauté de communes fictive du Val - Service développement"
    assert card.uid == "3F2504E0-4F89-11D3-9A0C-0305E82C3301"


def test_vcard_21_quoted_printable_with_charsets(tmp_path):
    [card] = read_cards(write(tmp_path, "phone.vcf", OLD_PHONE_21, "latin-1"))
    assert (card.first_name, card.last_name) == ("Jérôme", "Châtelet")
    assert card.display_name == "Jérôme Châtelet"
    assert card.phones == ["04 65 71 00 02"]
    assert card.note == "Première ligne\r\nDeuxième ligne"


def test_several_cards_in_one_file_keep_their_lines(tmp_path):
    cards = read_cards(write(tmp_path, "all.vcf", GOOGLE + APPLE_FOLDED))
    assert [c.display_name for c in cards] == ["Camille Durivaud", "Anne-Sophie Lévêque"]
    assert [c.line for c in cards] == [1, 13]


@pytest.mark.parametrize("version", ["3.0", "4.0"])
def test_write_then_read_round_trip(tmp_path, version):
    card = Card(
        line=1,
        uid="6f1f0c6e-1d3a-4c57-9a43-1f2b9b0f0a11",
        first_name="Inès",
        last_name="Valmorin; de la Tour",
        organisation='Coopérative "La Fourmi", Lyon',
        title="Gérante",
        emails=["ines@fourmi.example"],
        phones=["+33 4 65 71 00 03"],
        note="Ligne 1\nLigne 2 avec un \\ et des ; , " + ("très long " * 12).strip(),
        categories=["Alimentation", "Économie, circulaire"],
    )
    text = write_card(card, version)
    assert all(len(line.encode()) <= 75 for line in text.split("\r\n"))
    [back] = read_cards(write(tmp_path, "out.vcf", text))
    for name in (
        "uid",
        "first_name",
        "last_name",
        "organisation",
        "title",
        "emails",
        "phones",
        "note",
        "categories",
    ):
        assert getattr(back, name) == getattr(card, name), name


def test_a_broken_file_names_file_and_line(tmp_path):
    path = write(tmp_path, "casse.vcf", "BEGIN:VCARD\nVERSION:3.0\nFN:Sans fin\n")
    with pytest.raises(VCardError, match=r"casse\.vcf.*ligne 1.*END:VCARD"):
        read_cards(path)
    garbage = write(tmp_path, "image.vcf", "BEGIN:VCARD\nceci n'est pas une ligne\nEND:VCARD\n")
    with pytest.raises(VCardError, match=r"image\.vcf.*ligne 2"):
        read_cards(garbage)


def test_import_creates_people_with_affiliations_then_updates_on_reimport(store, tmp_path):
    from companion.io.people_export import export_vcards
    from companion.io.people_import import import_vcards

    path = write(tmp_path, "contacts.vcf", GOOGLE + APPLE_FOLDED)
    report = import_vcards(store, path)
    assert (report.created, report.updated, report.organisations_created) == (2, 0, 2)
    [member] = store.members_of(store.actors("bravelune")[0].id)
    assert (member.person.full_name, member.role) == ("Camille Durivaud", "Présidente")
    assert member.person.email == "camille@exemple.example"

    again = import_vcards(store, path)
    assert (again.created, again.updated, again.organisations_created) == (0, 2, 0)
    assert store.counts(("people", "affiliations"))["people"] == 2
    assert store.counts(("people", "affiliations"))["affiliations"] == 2

    out = tmp_path / "export.vcf"
    assert export_vcards(store, out) == 2
    exported = {card.display_name: card for card in read_cards(out)}
    assert exported["Camille Durivaud"].organisation == "Association Bravelune"
    assert exported["Camille Durivaud"].title == "Présidente"
    # Exported cards carry the person's id: importing them back updates, never duplicates.
    assert import_vcards(store, out).created == 0


def test_a_refused_file_imports_nothing(store, tmp_path):
    from companion.io.people_import import import_vcards

    path = write(tmp_path, "moitie.vcf", GOOGLE + "BEGIN:VCARD\nFN:Coupée\n")
    with pytest.raises(VCardError):
        import_vcards(store, path)
    assert store.counts(("people",))["people"] == 0


GOOGLE_CSV = (
    "First Name,Middle Name,Last Name,Notes,Labels,E-mail 1 - Label,E-mail 1 - Value,"
    "Phone 1 - Label,Phone 1 - Value,Organization Name,Organization Title\n"
    'Camille,,Durivaud,"Vue au forum\nà rappeler",* myContacts ::: Partenaires,* Work,'
    "camille@exemple.example ::: c.durivaud@perso.example,Mobile,+33 6 39 98 00 01,"
    "Association Bravelune,Présidente\n"
)
OUTLOOK_FR_CSV = (
    "Prénom;Nom;Société;Fonction;Adresse de messagerie;Téléphone bureau;Notes\r\n"
    "Jérôme;Châtelet;Mairie fictive de Trémoline;Élu;jerome@mairie.example;04 65 71 00 02;\r\n"
)


def test_contacts_csv_from_google_and_french_outlook(store, tmp_path):
    from companion.io.contacts_csv import looks_like_contacts, read_contacts
    from companion.io.people_import import import_cards

    google = write(tmp_path, "google.csv", GOOGLE_CSV)
    [camille] = read_contacts(google)
    assert (camille.first_name, camille.last_name) == ("Camille", "Durivaud")
    assert camille.emails == ["camille@exemple.example", "c.durivaud@perso.example"]
    assert camille.phones == ["+33 6 39 98 00 01"]
    assert camille.organisation == "Association Bravelune" and camille.title == "Présidente"
    assert camille.categories == ["myContacts", "Partenaires"]
    assert camille.note == "Vue au forum\nà rappeler"

    outlook = write(tmp_path, "outlook.csv", OUTLOOK_FR_CSV, "cp1252")
    [jerome] = read_contacts(outlook)
    assert (jerome.first_name, jerome.organisation, jerome.emails) == (
        "Jérôme",
        "Mairie fictive de Trémoline",
        ["jerome@mairie.example"],
    )
    assert looks_like_contacts(["Prénom", "Nom", "Société"])
    assert not looks_like_contacts(["Nom", "Type", "Code postal"])

    report = import_cards(store, [camille, jerome])
    assert (report.created, report.organisations_created) == (2, 2)
    assert import_cards(store, read_contacts(google)).updated == 1  # matched by e-mail
