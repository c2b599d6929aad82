"""The printable HTML pages and the .docx: escaped, self-contained, with the figures,
and without personal data unless asked for."""

from __future__ import annotations

from datetime import date

import docx
import pytest

from companion.geo import Gazetteer
from companion.insights.activity import activity_report
from companion.insights.formatting import number
from companion.insights.places import find_territory
from companion.insights.report_docx import write_activity_docx
from companion.insights.report_html import activity_report_html, territory_profile_html
from companion.insights.territory import territory_profile

MALICIOUS = '<img src=x onerror="alert(1)">'
CHAMONIX = "74056"


@pytest.fixture(scope="module")
def gazetteer():
    opened = Gazetteer.open()
    yield opened
    opened.close()


@pytest.fixture
def actors(store, gazetteer):
    commune = gazetteer.by_insee(CHAMONIX)
    place = {"insee_code": CHAMONIX, "commune": commune.name, "departement": "74"}
    bad = store.add_actor(MALICIOUS, "association", **place).id
    good = store.add_actor("Lumiplast & fils", "entreprise", **place).id
    catalyst = store.add_actor("Pôle <b>gras</b>", "catalyseur", **place).id
    store.add_relation(bad, good, "partenariat", start_date="2025-02-01")
    store.add_relation(catalyst, bad, "accompagnement", start_date="2025-02-02")
    person = store.add_person("Camille", "Secrète", phone="+33199001122").id
    store.add_interaction("atelier", "2025-02-03", actor_id=bad, title="Atelier <script>")
    store.add_interaction("reunion", "2025-02-04", actor_id=good, person_id=person,
                          notes="Note privée")  # fmt: skip
    return {"bad": bad, "good": good}


def test_the_profile_page_escapes_names_and_shows_the_figures(store, gazetteer, actors):
    valley = find_territory(gazetteer, "epci", "200023372")
    page = territory_profile_html(
        territory_profile(store.conn, gazetteer, valley), generated=date(2025, 6, 1)
    )
    assert MALICIOUS not in page and "<b>gras" not in page
    assert "Pôle &lt;b&gt;gras&lt;/b&gt;" in page  # the catalyst, escaped
    assert "<script" not in page and "src=" not in page and "href=" not in page  # no request
    assert "Content-Security-Policy" in page and "default-src 'none'" in page
    assert number(12_953) in page  # inhabitants of the valley
    assert "Vallée de Chamonix-Mont-Blanc" in page and "Haute-Savoie (74)" in page
    assert "01/06/2025" in page


def test_the_activity_page_escapes_and_leaves_personal_data_out(store, gazetteer, actors):
    report = activity_report(store.conn, gazetteer, "2025-01-01", "2025-03-31")
    page = activity_report_html(report)
    assert MALICIOUS not in page and "<script>" not in page
    assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in page  # listed, as text
    assert "Atelier &lt;script&gt;" in page and "Lumiplast &amp; fils" in page
    assert "Secrète" not in page and "Note privée" not in page and "+33" not in page
    assert "<svg" in page and "Alliances créées" in page
    personal = activity_report_html(
        activity_report(store.conn, gazetteer, "2025-01-01", "2025-03-31", include_personal=True)
    )
    assert "Camille Secrète" in personal and "Note privée" in personal


def docx_text(path) -> str:
    document = docx.Document(str(path))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts += [cell.text for cell in row.cells]
    return "\n".join(parts)


def test_the_docx_holds_the_figures_and_no_personal_data(store, gazetteer, actors, tmp_path):
    report = activity_report(store.conn, gazetteer, "2025-01-01", "2025-03-31")
    path = tmp_path / "rapport.docx"
    write_activity_docx(report, path, generated=date(2025, 4, 2))
    text = docx_text(path)
    assert "Rapport d'activité du 01/01/2025 au 31/03/2025" in text
    assert MALICIOUS in text and "Lumiplast & fils" in text  # plain text in a document
    lines = text.splitlines()
    assert lines[lines.index("Échanges") + 1] == "2"
    assert lines[lines.index("Alliances créées") + 1] == "2"
    assert "Haute-Savoie (74)" in text and "02/2025" in text
    assert "Secrète" not in text and "Note privée" not in text
    personal = tmp_path / "personnel.docx"
    write_activity_docx(
        activity_report(store.conn, gazetteer, "2025-01-01", "2025-03-31", include_personal=True),
        personal,
    )
    assert "Camille Secrète" in docx_text(personal)
