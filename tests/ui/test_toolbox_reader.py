"""The toolbox reader: the page shown, links, history, notes, favourites, templates, print, PDF."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, Qt, QUrl
from PySide6.QtGui import QImage, QPageSize, QTextCursor, QTextDocument
from PySide6.QtPrintSupport import QPrinter
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QDialog, QFileDialog, QMessageBox

from companion.store import Store
from companion.toolbox import catalogue, personal, templates
from companion.toolbox.catalogue import StagedFile
from companion.toolbox.items import file_entry, read_item
from companion.ui.common.text_browser import image_fragments
from companion.ui.common.text_print import fit_images, text_width, write_pdf
from companion.ui.toolbox import reader as toolbox_reader
from companion.ui.toolbox.reader import ToolboxReader
from tests.french import fr

GUIDE = "guide-cartographier-ecosysteme"  # an SVG image, tables, "Voir aussi" links
KIT = "kit-atelier-lancement-alliance"  # the companion://action/presentation link


@pytest.fixture
def toolbox(store: Store) -> Store:
    catalogue.install_bundled(store)
    return store


def item_id(store: Store, slug: str) -> str:
    installed = catalogue.get_item_by_slug(store, slug)
    assert installed is not None
    return installed.item.id


def make_reader(qtbot, store: Store, slug: str | None = GUIDE) -> ToolboxReader:
    reader = ToolboxReader(store)
    qtbot.addWidget(reader)
    reader.resize(1100, 800)
    reader.show()
    qtbot.waitExposed(reader)
    reader.activateWindow()
    qtbot.waitUntil(reader.isActiveWindow)
    if slug is not None:
        assert reader.open_item(item_id(store, slug))
    return reader


def non_white_pixels(image: QImage, step: int = 3) -> int:
    return sum(
        1
        for y in range(0, image.height(), step)
        for x in range(0, image.width(), step)
        if image.pixelColor(x, y).lightness() < 235
    )


def images_in(document: QTextDocument) -> list[str]:
    names = []
    block = document.begin()
    while block.isValid():
        fragments = block.begin()
        while not fragments.atEnd():
            fmt = fragments.fragment().charFormat()
            if fmt.isImageFormat():
                names.append(fmt.toImageFormat().name())
            fragments += 1
        block = block.next()
    return names


def click_link(qtbot, reader: ToolboxReader, href_start: str) -> None:
    """Click, with the mouse, the first link whose target starts with ``href_start``."""
    browser = reader.browser
    position = None
    block = browser.document().begin()
    while block.isValid() and position is None:
        fragments = block.begin()
        while not fragments.atEnd():
            fragment = fragments.fragment()
            if fragment.charFormat().anchorHref().startswith(href_start):
                position = fragment.position() + 1
                break
            fragments += 1
        block = block.next()
    assert position is not None, f"no link to {href_start}"
    cursor = QTextCursor(browser.document())
    cursor.setPosition(position)
    point = QPoint()

    def link_under_point() -> bool:
        # The page is laid out in steps: scroll and measure until the link is there.
        nonlocal point
        browser.setTextCursor(cursor)
        browser.ensureCursorVisible()
        rect = browser.cursorRect(cursor)
        point = QPoint(rect.left() + 1, rect.center().y())
        return browser.anchorAt(point).startswith(href_start)

    qtbot.waitUntil(link_under_point)
    qtbot.mouseClick(browser.viewport(), Qt.MouseButton.LeftButton, pos=point)


def test_the_page_shows_the_facts_the_body_and_the_svg_image(qtbot, toolbox: Store) -> None:
    reader = make_reader(qtbot, toolbox)
    text = reader.browser.toPlainText()
    for fact in ("GUIDE · CARTOGRAPHIE", "Cartographier son écosystème local", "Public :"):
        assert fact in text
    for fact in ("Durée :", "Niveau :", "Version : 1.0", "Licence : CC BY-SA 4.0"):
        assert fact in text
    assert "Date : 28/11/2026" in text
    assert "Auteurs : Réseau des catalyseurs territoriaux" in text
    assert "Étape 1 : délimiter le périmètre" in text
    assert "Voir aussi" in text
    # The SVG diagram was drawn (sharp: twice its size) and is on screen.
    (name,) = images_in(reader.browser.document())
    assert name.endswith("/images/ecosysteme-acteurs.svg")
    image = reader.browser.document().resource(QTextDocument.ResourceType.ImageResource, name)
    assert isinstance(image, QImage) and image.width() == 1440 and image.devicePixelRatio() == 2
    # No extra leading under the image (the page's 1.55 line height).
    document = reader.browser.document()
    layout = document.documentLayout()
    (fragment,) = image_fragments(document)
    image_block = document.findBlock(fragment.position())
    below = layout.blockBoundingRect(image_block.next()).top()
    assert below - layout.blockBoundingRect(image_block).bottom() < 60
    reader.browser.scrollToAnchor("etape-1-delimiter-le-perimetre-et-la-question")
    qtbot.waitUntil(lambda: reader.browser.verticalScrollBar().value() > 0)
    assert non_white_pixels(reader.browser.grab().toImage()) > 500
    assert reader.browser.refused == []
    assert [action.isVisible() for action in (reader.template_action,)] == [False]
    # Opening counts as recent.
    assert [entry.id for entry in personal.recent(toolbox.conn)] == [item_id(toolbox, GUIDE)]


def test_nothing_is_loaded_from_the_network_or_outside_the_toolbox(
    qtbot, toolbox: Store, tmp_path: Path
) -> None:
    reader = make_reader(qtbot, toolbox)
    outside = tmp_path / "ailleurs.png"
    QImage(4, 4, QImage.Format.Format_RGB32).save(str(outside))
    image = QTextDocument.ResourceType.ImageResource
    for url in ("https://example.org/pixel.png", outside.as_uri(), "http://10.0.0.1/x.svg"):
        assert reader.browser.loadResource(image, QUrl(url)) is None
    assert len(reader.browser.refused) == 3


def test_the_contents_scroll_to_their_heading(qtbot, toolbox: Store) -> None:
    reader = make_reader(qtbot, toolbox)
    titles = [reader.toc.item(row).text().strip() for row in range(reader.toc.count())]
    assert titles[0] == "Étape 1 : délimiter le périmètre et la question"
    assert "À retenir" in titles
    bar = reader.browser.verticalScrollBar()
    assert bar.value() == 0
    row = reader.toc.item(titles.index("À retenir"))
    qtbot.mouseClick(
        reader.toc.viewport(),
        Qt.MouseButton.LeftButton,
        pos=reader.toc.visualItemRect(row).center(),
    )
    qtbot.waitUntil(lambda: bar.value() > 0)
    heading_top = bar.value()
    row = reader.toc.item(0)
    qtbot.mouseClick(
        reader.toc.viewport(),
        Qt.MouseButton.LeftButton,
        pos=reader.toc.visualItemRect(row).center(),
    )
    qtbot.waitUntil(lambda: 0 < bar.value() < heading_top)


def test_item_links_open_in_the_reader_with_back_and_forward(qtbot, toolbox: Store) -> None:
    reader = make_reader(qtbot, toolbox)
    guide = item_id(toolbox, GUIDE)
    assert not reader.back_action.isEnabled()
    related = catalogue.get_item_by_slug(toolbox, GUIDE).item.related[0]
    click_link(qtbot, reader, f"companion-toolbox://item/{related}")
    qtbot.waitUntil(lambda: reader.current_id() == item_id(toolbox, related))
    assert catalogue.get_item_by_slug(toolbox, related).item.title in reader.browser.toPlainText()
    assert reader.back_action.isEnabled() and not reader.forward_action.isEnabled()

    reader.browser.setFocus()
    qtbot.keyClick(reader.browser, Qt.Key.Key_Left, Qt.KeyboardModifier.AltModifier)
    assert reader.current_id() == guide
    assert reader.forward_action.isEnabled()
    qtbot.keyClick(reader.browser, Qt.Key.Key_Right, Qt.KeyboardModifier.AltModifier)
    assert reader.current_id() == item_id(toolbox, related)
    # Opening another item from here drops what was ahead.
    reader.back()
    assert reader.open_item(item_id(toolbox, KIT))
    assert not reader.forward_action.isEnabled()
    assert [visit.item_id for visit in reader.history] == [guide, item_id(toolbox, KIT)]


def test_action_and_web_links(qtbot, toolbox: Store, monkeypatch) -> None:
    opened: list[str] = []
    monkeypatch.setattr(
        toolbox_reader.QDesktopServices, "openUrl", lambda url: opened.append(url.toString())
    )
    reader = make_reader(qtbot, toolbox, KIT)
    with qtbot.waitSignal(reader.action_requested) as signal:
        click_link(qtbot, reader, "companion://action/")
    assert signal.args == ["presentation"]
    assert opened == []  # nothing opened by itself
    reader.follow_link(QUrl("https://www.example.org/guide"))
    assert opened == ["https://www.example.org/guide"]


def test_notes_are_saved_as_you_type_and_come_back(qtbot, toolbox: Store) -> None:
    reader = make_reader(qtbot, toolbox)
    guide = item_id(toolbox, GUIDE)
    qtbot.keyClicks(reader.notes, "Montrer la carte au conseil de quartier.")
    qtbot.waitUntil(
        lambda: personal.note(toolbox.conn, guide) == "Montrer la carte au conseil de quartier.",
        timeout=3000,
    )
    assert reader.notes_state.text() == "Note enregistrée"
    # A note typed just before opening another item is kept too.
    qtbot.keyClicks(reader.notes, " Et aux maires.")
    reader.open_item(item_id(toolbox, KIT))
    assert personal.note(toolbox.conn, guide).endswith("Et aux maires.")
    assert reader.notes.toPlainText() == ""
    reader.back()
    assert reader.notes.toPlainText().endswith("Et aux maires.")


def test_the_star_adds_and_removes_a_favourite(qtbot, toolbox: Store) -> None:
    reader = make_reader(qtbot, toolbox)
    guide = item_id(toolbox, GUIDE)
    with qtbot.waitSignal(reader.favourite_changed) as signal:
        reader.favourite_action.trigger()
    assert signal.args == [guide, True]
    assert personal.is_favourite(toolbox.conn, guide)
    reader.favourite_action.trigger()
    assert not personal.is_favourite(toolbox.conn, guide)


def test_use_this_template_asks_where_then_offers_to_open_it(
    qtbot, toolbox: Store, tmp_path: Path, monkeypatch
) -> None:
    """The save dialog opens in the folder last used, with the item's name; the document
    is written where the user chose; « Ouvrir » or « Afficher dans le dossier » follow."""
    asked: list[str] = []
    offered: list[Path] = []
    chosen = tmp_path / "Dossiers" / "compte-rendu CA"  # no suffix typed: added

    def save_as(_parent, _title, suggested, _filter):
        asked.append(suggested)
        return str(chosen), ""

    monkeypatch.setattr(QFileDialog, "getSaveFileName", save_as)
    monkeypatch.setattr(toolbox_reader, "offer_to_open", lambda *args: offered.append(args[2]))
    chosen.parent.mkdir()
    reader = make_reader(qtbot, toolbox, "modele-compte-rendu-reunion")
    assert reader.template_action.isVisible()
    reader.documents_folder = tmp_path / "Documents"
    with qtbot.waitSignal(reader.status_message) as signal:
        reader.template_action.trigger()
    [created] = list(chosen.parent.iterdir())
    assert created.name in ("compte-rendu CA.docx", "compte-rendu CA.xlsx")
    assert created.stat().st_size > 0
    assert Path(asked[0]).parent == tmp_path / "Documents"
    assert Path(asked[0]).stem == templates.file_stem(reader.installed.item.title)
    assert offered == [created]
    assert signal.args == [fr(f"Document créé : {created}")]
    # Next time, the folder chosen is the one offered.
    reader.documents_folder = None
    reader.template_action.trigger()
    assert Path(asked[1]).parent == chosen.parent


def test_a_template_that_cannot_be_written_says_why(
    qtbot, toolbox: Store, tmp_path: Path, monkeypatch
) -> None:
    warnings: list[str] = []
    monkeypatch.setattr(
        toolbox_reader.QMessageBox, "warning", lambda _parent, _title, text: warnings.append(text)
    )
    blocker = tmp_path / "un-fichier"
    blocker.write_text("pas un dossier")
    target = blocker / "modele.docx"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *_args: (str(target), ""))
    reader = make_reader(qtbot, toolbox, "modele-compte-rendu-reunion")
    assert reader.use_template() is None
    assert len(warnings) == 1 and "modele" in warnings[0]


def test_print_sends_the_page_to_the_chosen_printer(
    qtbot, toolbox: Store, tmp_path: Path, monkeypatch
) -> None:
    target = tmp_path / "imprime.pdf"

    class FakePrintDialog:
        def __init__(self, printer, _parent) -> None:
            printer.setOutputFormat(printer.OutputFormat.PdfFormat)
            printer.setOutputFileName(str(target))

        def setWindowTitle(self, _title: str) -> None:  # noqa: N802
            pass

        def exec(self) -> int:
            return QDialog.DialogCode.Accepted

    monkeypatch.setattr(toolbox_reader, "QPrintDialog", FakePrintDialog)
    reader = make_reader(qtbot, toolbox)
    assert reader.print_item()
    assert target.read_bytes().startswith(b"%PDF")


def test_printed_images_fit_the_text_column(qtbot, toolbox: Store) -> None:
    reader = make_reader(qtbot, toolbox)
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setPageSize(QPageSize(QPageSize.PageSizeId.A5))
    width = text_width(printer)
    assert 300 < width < 720  # narrower than the 720-pixel diagram
    document = reader.browser.document()
    copy = document.clone(document)
    fit_images(copy, document, width)
    (fragment,) = image_fragments(copy)
    fitted = fragment.charFormat().toImageFormat()
    assert fitted.width() == pytest.approx(width)
    assert fitted.height() == pytest.approx(520 * width / 720)


def test_export_to_pdf_then_show_it_in_the_app(
    qtbot, toolbox: Store, tmp_path: Path, monkeypatch
) -> None:
    chosen = tmp_path / "guide"  # no suffix typed: ".pdf" is added
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *_args, **_kwargs: (str(chosen), ""))
    monkeypatch.setattr(
        QMessageBox, "question", lambda *_args, **_kwargs: QMessageBox.StandardButton.Yes
    )
    reader = make_reader(qtbot, toolbox)
    path = reader.export_pdf()
    assert path == tmp_path / "guide.pdf"
    viewer = reader.pdf_viewer
    assert viewer is not None and viewer.isVisible()
    assert viewer.page_count() >= 2  # a long guide, on A4
    first = viewer.render_page(0)
    assert not first.isNull() and non_white_pixels(first) > 200
    # The page with the diagram has its colours (the SVG reached the PDF).
    coloured = [viewer.render_page(page) for page in range(viewer.page_count())]
    assert any(
        image.pixelColor(x, y).saturation() > 60
        for image in coloured
        for y in range(0, image.height(), 4)
        for x in range(0, image.width(), 4)
    )
    viewer.next_page()
    qtbot.waitUntil(lambda: viewer.current_page() == 1)
    assert viewer.page_box.value() == 2
    before = viewer.view.zoomFactor()
    viewer.zoom_in()
    assert viewer.view.zoomFactor() > before
    viewer.close()


def test_a_pdf_attached_to_an_item_opens_in_the_viewer(
    qtbot, toolbox: Store, tmp_path: Path
) -> None:
    # An item from the hub with a PDF beside it.
    staging = tmp_path / "telechargement"
    (staging / "items").mkdir(parents=True)
    (staging / "fichiers").mkdir()
    document = QTextDocument()
    document.setHtml("<h1>Feuille d'émargement</h1><p>Nom, structure, signature.</p>")
    assert write_pdf(document, staging / "fichiers" / "emargement.pdf", "Émargement")
    (staging / "items" / "fiche-emargement.md").write_text(
        '+++\nid = "5b0c2d0e-8a4f-4d59-9a57-7c1b1b3a2c11"\ntitle = "Émargement"\n'
        'summary = "La feuille à imprimer."\ntheme = "animation"\ntype = "fiche"\n'
        'audience = ["catalyseurs"]\nversion = "1.0"\ndate = 2026-03-01\n'
        'authors = ["Réseau"]\nlicense = "CC BY-SA 4.0"\n+++\n'
        "Imprimez la [feuille d'émargement](../fichiers/emargement.pdf).\n",
        encoding="utf-8",
    )
    item = read_item(staging, "items/fiche-emargement.md")
    files = [
        StagedFile(file_entry(staging, path), staging / path)
        for path in ("items/fiche-emargement.md", "fichiers/emargement.pdf")
    ]
    assert catalogue.install_item(toolbox, item, files)

    reader = make_reader(qtbot, toolbox, "fiche-emargement")
    click_link(qtbot, reader, "file:")
    qtbot.waitUntil(lambda: reader.pdf_viewer is not None and reader.pdf_viewer.isVisible())
    assert reader.pdf_viewer.page_count() == 1
    assert non_white_pixels(reader.pdf_viewer.render_page(0)) > 50
    reader.pdf_viewer.close()


def test_with_nothing_open_the_reader_offers_the_guide_to_read_first(qtbot, toolbox: Store):
    """A real click on the link opens « Cartographier son écosystème local »."""
    from PySide6.QtGui import QTextDocument

    reader = make_reader(qtbot, toolbox, slug=None)
    browser = reader.browser
    assert "La boîte à outils du réseau" in browser.toPlainText()
    cursor = browser.document().find("Cartographier son écosystème local")
    assert not cursor.isNull()
    point = browser.cursorRect(cursor).center() - QPoint(20, 0)
    QTest.mouseClick(browser.viewport(), Qt.MouseButton.LeftButton, pos=point)
    qtbot.waitUntil(lambda: reader.installed is not None)
    assert reader.installed.item.slug == "guide-cartographier-ecosysteme"
    assert isinstance(browser.document(), QTextDocument)
