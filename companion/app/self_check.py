"""``companion --self-check``: does this installation work, from source or from the bundle?

Each check exercises one thing the app needs at run time, in a temporary data
folder (never the user's): the database and its migrations, full-text search,
the offline gazetteer, the toolbox and its reader, the ecosystem's graph metrics
(networkx, numpy), the map page's files, the hub client and keyring, the English
catalog. The Qt checks (interface, map rendered offscreen) live in
``companion.ui.shell.self_check`` and are passed in by the command line. Every check
prints one line in the user's language with ✓ or ✗ and its time; the run fails
if any check does, and every check runs even after one failed.
"""

from __future__ import annotations

import gettext
import html
import sys
import sysconfig
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from companion import __version__
from companion.errors import CompanionError
from companion.i18n import DOMAIN, _, current_language, locale_dir, ngettext
from companion.paths import resources_root
from companion.store import Store

# The actors the temporary database holds: name, kind, commune, département, latitude, longitude.
SAMPLE_ACTORS = (
    ("École des Jardins partagés", "association", "Lyon", "69", 45.764, 4.836),
    ("Tiers-lieu La Fabrique", "collectif", "Dijon", "21", 47.322, 5.041),
    ("Fondation Terres Vivantes", "fondation", "Paris", "75", 48.857, 2.352),
    ("Pôle de catalyse du Finistère", "catalyseur", "Brest", "29", 48.390, -4.486),
)
SEARCH_TEXT = "jardins partag"
GEOCODE_POSTCODE = "94120"
GEOCODE_NAME = "Fontenay-sous-Bois"
GEOCODE_INSEE = "94033"
GEOCODE_POINT = (48.8517, 2.4769)  # Fontenay-sous-Bois' town hall, for reverse geocoding
# A string of the core and its English translation: the catalog was shipped and compiles.
CATALOG_PROBE = ("Le nom de l'acteur est obligatoire.", "The actor's name is required.")


class SelfCheckError(CompanionError):
    """A check found something wrong; the message says what, in the user's language."""


@dataclass
class Context:
    """What the checks share: the temporary folder and the database opened in it."""

    folder: Path
    store: Store | None = None
    located_actors: int = 0
    extra: dict[str, object] = field(default_factory=dict)

    def require_store(self) -> Store:
        if self.store is None:
            raise SelfCheckError(_("la base temporaire n'a pas pu être ouverte"))
        return self.store


@dataclass(frozen=True)
class Check:
    """One step: a name shown to the user and a function returning a short detail."""

    name: str
    run: Callable[[Context], str]


@dataclass(frozen=True)
class Outcome:
    name: str
    ok: bool
    seconds: float
    detail: str


# -- the checks -------------------------------------------------------------------


def check_database(context: Context) -> str:
    """Create the database in the temporary folder (every migration) and write actors."""
    from companion.app.datafolder import open_store

    store = open_store(context.folder)
    context.store = store
    ids = {}
    for name, kind, commune, departement, latitude, longitude in SAMPLE_ACTORS:
        actor = store.add_actor(
            name,
            kind,
            commune=commune,
            departement=departement,
            latitude=latitude,
            longitude=longitude,
        )
        ids[kind] = actor.id
    store.tag_actor(ids["association"], "alimentation")
    store.add_relation(ids["fondation"], ids["association"], "financement")
    context.located_actors = len(SAMPLE_ACTORS)
    counts = store.counts(("actors", "relations"))
    if counts["actors"] != len(SAMPLE_ACTORS):
        raise SelfCheckError(
            _("{count} acteurs relus au lieu de {expected}").format(
                count=counts["actors"], expected=len(SAMPLE_ACTORS)
            )
        )
    return _("écrits : {actors} acteurs, relations : {relations}").format(**counts)


def check_search(context: Context) -> str:
    """The full-text index finds an actor by a prefix of its name, accents folded."""
    hits = context.require_store().search(SEARCH_TEXT, limit=5)
    expected = SAMPLE_ACTORS[0][0]
    if not hits or hits[0].title != expected:
        found = hits[0].title if hits else _("aucun résultat")
        raise SelfCheckError(
            _("« {text} » devait trouver « {expected} », trouvé : {found}").format(
                text=SEARCH_TEXT, expected=expected, found=found
            )
        )
    return _("« {text} » → {title}").format(text=SEARCH_TEXT, title=hits[0].title)


def check_geocoding(context: Context) -> str:
    """The built gazetteer answers a postcode, a name and a point, offline."""
    from companion.geo import Gazetteer

    with Gazetteer.open() as gazetteer:
        by_postcode = gazetteer.lookup(GEOCODE_POSTCODE, limit=5)
        by_name = gazetteer.lookup(GEOCODE_NAME, limit=5)
        nearest = gazetteer.reverse(*GEOCODE_POINT)
    answers = {
        GEOCODE_POSTCODE: by_postcode[0].insee if by_postcode else None,
        GEOCODE_NAME: by_name[0].insee if by_name else None,
        "{:.4f}, {:.4f}".format(*GEOCODE_POINT): nearest.insee if nearest else None,
    }
    for question, insee in answers.items():
        if insee != GEOCODE_INSEE:
            raise SelfCheckError(
                _("« {question} » devait donner la commune {expected}, obtenu : {found}").format(
                    question=question, expected=GEOCODE_INSEE, found=insee or _("rien")
                )
            )
    commune = by_postcode[0]
    return _("« {postcode} » → {name} ({departement}), et retour depuis ses coordonnées").format(
        postcode=GEOCODE_POSTCODE, name=commune.name, departement=commune.departement
    )


def check_toolbox(context: Context) -> str:
    """The shipped toolbox installs, and an item renders with every image found."""
    from companion.toolbox.catalogue import get_item_by_slug, install_bundled, item_titles
    from companion.toolbox.items import bundled_items, image_paths
    from companion.toolbox.render import file_image_url, render_item

    store = context.require_store()
    report = install_bundled(store)
    if report.problems:
        raise SelfCheckError(report.problems[0])
    items = bundled_items()
    if not items or report.installed != len(items):
        raise SelfCheckError(
            _("{installed} fiches installées sur {count}").format(
                installed=report.installed, count=len(items)
            )
        )
    # The first item with images: the reader must find them in the shipped folder.
    item = next((i for i in items if image_paths(i)), items[0])
    installed = get_item_by_slug(store, item.slug)
    if installed is None:
        raise SelfCheckError(_("fiche « {slug} » absente du catalogue").format(slug=item.slug))
    find = file_image_url(installed.roots)
    found: list[str] = []

    def image_url(relative: str) -> str | None:
        url = find(relative)
        if url is not None:
            found.append(relative)
        return url

    page = render_item(installed.item, titles=item_titles(store), image_url=image_url)
    missing = sorted(set(image_paths(item)) - set(found))
    if missing:
        raise SelfCheckError(_("image introuvable : {path}").format(path=missing[0]))
    if item.title not in page.html and html.escape(item.title) not in page.html:
        raise SelfCheckError(_("le titre manque dans la page rendue"))
    rendered = _("{count} fiches installées ; « {title} » rendue ({size} Ko)").format(
        count=report.installed, title=item.title, size=round(len(page.html.encode()) / 1024)
    )
    images = ngettext("{n} image trouvée", "{n} images trouvées", len(found))
    return f"{rendered}, {images.format(n=len(found))}"


def check_ecosystem(context: Context) -> str:
    """The ecosystem's graph metrics (networkx and numpy) over the temporary actors."""
    from companion.insights.graph import build_graph, ecosystem_metrics

    store = context.require_store()
    ids = [row[0] for row in store.conn.execute("SELECT id FROM actors WHERE deleted = 0")]
    metrics = ecosystem_metrics(build_graph(store.conn, ids))
    linked = sum(len(group) for group in metrics.components)
    if len(metrics.degrees) != len(ids) or linked != 2:
        raise SelfCheckError(
            _("{count} acteurs dans le graphe, {linked} reliés (attendu : {expected}, 2)").format(
                count=len(metrics.degrees), linked=linked, expected=len(ids)
            )
        )
    return _("{count} acteurs, {linked} reliés, {isolated} isolés").format(
        count=len(ids), linked=linked, isolated=len(metrics.isolated)
    )


def check_map_page(context: Context) -> str:
    """What the map page asks for is served: page, libraries, outlines, labels, the actors.

    Built here without Qt, so a failure shows its Python error (the web view only sees
    a request that failed).
    """
    from companion.maps import assets
    from companion.maps.server import FIRST_REQUESTS, MapServer

    server = MapServer(context.require_store().path)
    libraries = [url for _name, url in assets.PAGE_JS + assets.PAGE_CSS]
    paths = [
        *FIRST_REQUESTS,
        *(url.removeprefix(assets.ORIGIN + "/") for url in libraries),
        "boundaries/departements.geojson",
        "data/outlines.geojson?z=12&bbox=2.40,48.82,2.52,48.88",  # communes around Fontenay
    ]
    size = 0
    for path in paths:
        if path == assets.QWEBCHANNEL_PATH:
            continue  # served by Qt from its own resources
        response = server.respond(path)
        if response is None or not response.body or response.status != 200:
            raise SelfCheckError(_("la carte ne trouve pas « {path} »").format(path=path))
        size += len(response.body)
    return _("{count} fichiers servis ({size} Ko)").format(
        count=len(paths) - 1, size=round(size / 1024)
    )


def check_sync(context: Context) -> str:
    """The hub client's libraries load, and the system keyring is found if there is one."""
    import keyring

    import companion.sync.client  # noqa: F401 - httpx and the sync protocol

    if sys.platform.startswith("linux"):
        import secretstorage  # noqa: F401 - GNOME's and KDE's keyring (needs cryptography)
    backend = keyring.get_keyring()
    name = type(backend).__module__.rsplit(".", 1)[-1]
    if name == "fail":
        name = _("aucun, le jeton irait dans un fichier privé")
    return _("client du hub prêt ; trousseau du système : {name}").format(name=name)


def check_encryption(context: Context) -> str:
    """SQLCipher loads, encrypts a small database, and refuses it without the key."""
    import shutil

    from companion.store import Store, encryption

    if not encryption.available():
        if sys.platform.startswith("linux"):
            raise SelfCheckError(encryption.unavailable_reason())
        return encryption.unavailable_reason()
    folder = Path(context.folder) / "chiffrement"
    folder.mkdir()
    database = folder / "companion.db"
    try:
        store = Store.open(database)
        store.add_actor(SAMPLE_ACTORS[0][0], SAMPLE_ACTORS[0][1])
        store.close()
        key = encryption.new_raw_key()
        encryption.encrypt_database(database, key)
        encryption.forget_key(database)
        if SAMPLE_ACTORS[0][0].encode() in database.read_bytes():
            raise SelfCheckError(_("la base chiffrée se lit en clair"))
        try:
            encryption.connect(database, encryption.new_raw_key(), read_only=True).close()
        except encryption.WrongKey:
            pass
        else:
            raise SelfCheckError(_("la base chiffrée s'ouvre avec une autre clé"))
        store = Store.open(database, key)
        count = store.counts(("actors",))["actors"]
        store.close()
        if count != 1:
            raise SelfCheckError(_("la base chiffrée ne se relit pas"))
    finally:
        encryption.forget_key(database)
        shutil.rmtree(folder, ignore_errors=True)
    return _("SQLCipher {version} : illisible sans sa clé").format(
        version=encryption.cipher_version()
    )


def check_translations(context: Context) -> str:
    """The English catalog is shipped compiled (the interface can switch language)."""
    try:
        catalog = gettext.translation(DOMAIN, locale_dir(), languages=["en"])
    except OSError as error:
        raise SelfCheckError(
            _("catalogue anglais introuvable dans {folder}").format(folder=locale_dir())
        ) from error
    french, english = CATALOG_PROBE
    if catalog.gettext(french) != english:
        raise SelfCheckError(
            _("le catalogue anglais ne traduit pas « {text} »").format(text=french)
        )
    return _("français, anglais")


def core_checks() -> list[Check]:
    """The checks that need no display (no Qt)."""
    return [
        Check(_("Base de données temporaire"), check_database),
        Check(_("Recherche dans l'annuaire"), check_search),
        Check(_("Géocodage hors ligne"), check_geocoding),
        Check(_("Boîte à outils"), check_toolbox),
        Check(_("Analyse de l'écosystème"), check_ecosystem),
        Check(_("Page de la carte"), check_map_page),
        Check(_("Synchronisation"), check_sync),
        Check(_("Chiffrement"), check_encryption),
        Check(_("Traductions"), check_translations),
    ]


# -- running them ---------------------------------------------------------------------


def installation() -> str:
    """How this Companion runs: a PyInstaller bundle, an installed wheel, or the source tree
    (an editable install included)."""
    if getattr(sys, "frozen", False):
        return _("paquet autonome")
    installed = Path(sysconfig.get_paths()["purelib"]).resolve()
    if Path(__file__).resolve().is_relative_to(installed):
        return _("paquet Python installé")
    return _("depuis les sources")


def run_checks(checks: Sequence[Check], out: TextIO | None = None) -> list[Outcome]:
    """Run every check in a temporary data folder, printing one line each; the outcomes.

    A check that fails does not stop the others: the report names every problem.
    """
    out = out or sys.stdout
    ok_mark, failed_mark = _marks(out)
    title = _("Vérification de Companion {version} ({where})")
    _print(out, title.format(version=__version__, where=installation()))
    _print(out, _("Ressources : {folder}").format(folder=resources_root()))
    outcomes = []
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="companion-self-check-") as folder:
        context = Context(Path(folder))
        try:
            for check in checks:
                outcome = _run_one(check, context)
                outcomes.append(outcome)
                mark = ok_mark if outcome.ok else failed_mark
                line = f"{mark} {outcome.name} ({format_seconds(outcome.seconds)})"
                if outcome.detail:  # French puts a space before the colon, English does not
                    line = _("{step} : {detail}").format(step=line, detail=outcome.detail)
                _print(out, line)
        finally:
            if context.store is not None:
                context.store.close()
    total = format_seconds(time.perf_counter() - started)
    failed = [outcome.name for outcome in outcomes if not outcome.ok]
    if failed:
        summary = _("Échec : {checks} (en {seconds}).").format(
            checks=", ".join(failed), seconds=total
        )
    else:
        summary = _("Tout fonctionne : {count} vérifications en {seconds}.").format(
            count=len(outcomes), seconds=total
        )
    _print(out, summary)
    return outcomes


def _run_one(check: Check, context: Context) -> Outcome:
    start = time.perf_counter()
    try:
        detail = check.run(context)
        ok = True
    except Exception as error:  # noqa: BLE001 - every failure is reported, none is fatal
        ok = False
        detail = str(error) or type(error).__name__
        if not isinstance(error, CompanionError):
            detail = f"{type(error).__name__}: {detail}"
    return Outcome(check.name, ok, time.perf_counter() - start, detail)


def format_seconds(seconds: float) -> str:
    text = f"{seconds:.2f}"
    return (text.replace(".", ",") if current_language() == "fr" else text) + " s"


def _marks(out: TextIO) -> tuple[str, str]:
    """✓ and ✗, or plain letters on a console that cannot show them (a Windows code page)."""
    try:
        "✓✗".encode(getattr(out, "encoding", None) or "utf-8")
    except (LookupError, UnicodeEncodeError):
        return "OK", "XX"
    return "✓", "✗"


def _print(out: TextIO, line: str) -> None:
    try:
        print(line, file=out, flush=True)
    except UnicodeEncodeError:  # accents on a console that cannot show them
        encoding = getattr(out, "encoding", None) or "ascii"
        print(line.encode(encoding, "replace").decode(encoding), file=out, flush=True)
