"""The reader's HTML: links rewritten, raw HTML shown as text, tables and contents."""

from toolbox_samples import make_toolbox

from companion.toolbox import items, render

BODY = """# Titre

Voir la [fiche](autre-fiche.md#etapes), le [site](https://example.org/page),
[lancer](companion://action/presentation), [piège](javascript:alert(1)),
[fichier](../../../etc/passwd) et [plus bas](#etape-2).

<script>alert("x")</script>

Texte <img src=x onerror=alert(1)> en ligne.

![Carte](../images/familles.svg) ![distante](https://tracker.example/pixel.png)

## Étape 2

| Qui | Quoi |
|---|---|
| Mairie | **Salle** |

- [ ] réserver
- [x] inviter
"""


def fragment(tmp_path):
    root = make_toolbox(tmp_path)
    html, toc = render.render_markdown(BODY, "items/x.md", render.file_image_url([root]))
    return root, html, toc


def test_links_are_rewritten_for_the_reader(tmp_path):
    _root, html, _toc = fragment(tmp_path)
    assert 'href="companion-toolbox://item/autre-fiche#etapes"' in html
    assert render.parse_item_url("companion-toolbox://item/autre-fiche#etapes") == (
        "autre-fiche",
        "etapes",
    )
    assert 'class="external" href="https://example.org/page"' in html
    assert 'class="action" href="companion://action/presentation"' in html
    assert 'href="#etape-2"' in html
    assert "javascript:" not in html and "passwd" not in html
    assert '<a class="broken">piège</a>' in html
    assert '<a class="broken">fichier</a>' in html


def test_raw_html_is_shown_as_text_never_run(tmp_path):
    _root, html, _toc = fragment(tmp_path)
    assert "<script" not in html
    assert "&lt;script&gt;" in html
    assert "<img src=x" not in html and "&lt;img src=x onerror=alert(1)&gt;" in html


def test_images_are_local_files_and_remote_ones_are_dropped(tmp_path):
    root, html, _toc = fragment(tmp_path)
    assert f'src="{(root / "images" / "familles.svg").resolve().as_uri()}"' in html
    assert "tracker.example" not in html
    assert '<em class="missing-image">distante</em>' in html


def test_tables_checkboxes_and_contents(tmp_path):
    _root, html, toc = fragment(tmp_path)
    assert "<table>" in html and "<th>Qui</th>" in html and "<strong>Salle</strong>" in html
    assert "☐ réserver" in html and "☑ inviter" in html
    assert toc == (render.TocEntry(2, "etape-2", "Étape 2"),)


def test_a_whole_page_escapes_metadata_and_drops_the_repeated_title(tmp_path):
    root = make_toolbox(tmp_path)
    item = items.read_item(root, "items/guide-carte.md")
    page = render.render_item(item, [root], titles={"fiche-elus": "Rencontrer <les> élus"})
    assert page.html.startswith("<!DOCTYPE html>")
    assert page.html.count("<h1>") == 1 and "Cartographier son écosystème</h1>" in page.html
    assert "Rencontrer &lt;les&gt; élus" in page.html
    assert 'href="companion-toolbox://item/fiche-elus"' in page.html
    assert "CC BY-SA 4.0" in page.html and "01/03/2026" in page.html
    assert "@media print" in page.html
    assert not page.body_html.startswith("<h1")
