"""The command line: ``companion`` opens the app; subcommands work without a display."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from companion import __version__
from companion.domain import ACTOR_KINDS
from companion.errors import CompanionError
from companion.i18n import _, set_language, system_language
from companion.paths import default_data_dir

if TYPE_CHECKING:
    import argparse

    from companion.maps.export_html import ExportOptions
    from companion.maps.views import MapView
    from companion.store import Store

EXIT_ERROR = 2
MAP_FORMATS = ("html", "png", "pdf")


def build_parser() -> argparse.ArgumentParser:
    # Imported here, not on the app's start path (a plain start builds no parser).
    import argparse

    from companion import cli_addresses, cli_data, cli_directory, cli_encryption, cli_sync

    # --data is accepted before or after the subcommand; SUPPRESS keeps a
    # subcommand's absent option from hiding the one given before it.
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--data",
        type=Path,
        default=argparse.SUPPRESS,
        metavar="DOSSIER",
        help=_(
            "dossier de données (par défaut : celui de l'utilisateur, "
            "~/.local/share/Companion sous Linux, ou $COMPANION_DATA)"
        ),
    )
    cli_encryption.add_key_option(common)
    parser = argparse.ArgumentParser(
        prog="companion",
        description=_("Companion : l'application hors ligne des catalyseurs territoriaux."),
        parents=[common],
    )
    parser.add_argument("--version", action="version", version=f"companion {__version__}")
    parser.add_argument(
        "--self-check",
        action="store_true",
        help=_(
            "vérifier l'installation (base, recherche, communes, boîte à outils, carte) "
            "dans un dossier temporaire, puis quitter"
        ),
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMANDE")

    demo = commands.add_parser(
        "demo", parents=[common], help=_("créer une base de démonstration (réseau fictif)")
    )
    demo.add_argument("--catalysts", type=int, default=350, help=_("nombre de catalyseurs (350)"))
    demo.add_argument("--seed", type=int, default=1, help=_("graine : même graine, même base (1)"))
    demo.add_argument("--actors", type=int, default=None, help=_("nombre total d'acteurs visé"))
    demo.add_argument(
        "--replace",
        action="store_true",
        help=_("remplacer la base existante (une copie est gardée dans « sauvegardes »)"),
    )

    search = commands.add_parser("search", parents=[common], help=_("rechercher dans l'annuaire"))
    search.add_argument("text", metavar="TEXTE")
    search.add_argument("--limit", type=int, default=20)

    geocode = commands.add_parser(
        "geocode",
        parents=[common],
        help=_(
            "trouver une commune (nom ou code postal), ou une adresse si celles de son "
            "département sont importées (import-addresses), hors ligne"
        ),
    )
    geocode.add_argument("text", metavar="TEXTE")
    geocode.add_argument("--limit", type=int, default=20)

    maps = commands.add_parser("map", parents=[common], help=_("la carte des acteurs"))
    map_commands = maps.add_subparsers(dest="map_command", metavar="COMMANDE", required=True)
    export = map_commands.add_parser(
        "export",
        parents=[common],
        help=_("exporter la carte hors ligne : page web autonome, image ou PDF"),
    )
    export.add_argument(
        "--format",
        choices=MAP_FORMATS,
        default=None,
        help=_("html, png ou pdf (par défaut : d'après l'extension du fichier, sinon html)"),
    )
    export.add_argument("--out", type=Path, required=True, metavar="FICHIER")
    export.add_argument("--view", metavar="NOM", help=_("exporter une vue enregistrée"))
    export.add_argument("--title", metavar="TITRE", help=_("titre écrit sur la carte"))
    export.add_argument(
        "--paper", choices=("a4", "a3", "a0"), default="a4", help=_("PDF : papier (a4)")
    )
    export.add_argument(
        "--orientation",
        choices=("landscape", "portrait"),
        default="landscape",
        help=_("PDF : paysage (landscape, par défaut) ou portrait"),
    )
    export.add_argument(
        "--departement",
        metavar="CODE",
        help=_("seulement les acteurs de ce département (code : 74, 2A, 971…)"),
    )
    export.add_argument(
        "--kind",
        action="append",
        choices=list(ACTOR_KINDS),
        metavar="TYPE",
        help=_("seulement ce type d'acteurs (catalyseur, association…) ; répétable"),
    )
    export.add_argument("--width", type=int, default=1600, metavar="PX", help=_("PNG : largeur"))
    export.add_argument("--height", type=int, default=1000, metavar="PX", help=_("PNG : hauteur"))
    export.add_argument(
        "--include-contacts",
        action="store_true",
        help=_("HTML : inclure les coordonnées des personnes (données personnelles)"),
    )
    cli_directory.add_commands(commands, common)
    cli_sync.add_command(commands, common)
    cli_data.add_commands(commands, common)
    cli_encryption.add_commands(commands, common)
    cli_addresses.add_commands(commands, common)
    return parser


def main(argv: list[str] | None = None) -> int:
    try:
        return _main(argv)
    except BrokenPipeError:  # `companion search … | head`: the reader has what it wanted
        sys.stdout = None  # type: ignore[assignment] - nothing more to flush at exit
        return 0


def _main(argv: list[str] | None) -> int:
    arguments = sys.argv[1:] if argv is None else argv
    gui = _gui_only(arguments)
    if gui is not None:  # the app itself: no parser to build (8 ms of every start)
        from companion.ui.shell.app import run_gui  # Qt is loaded only for the GUI

        return run_gui(gui or None)
    set_language(system_language())
    args = build_parser().parse_args(arguments)
    data_dir: Path = getattr(args, "data", None) or default_data_dir()
    try:
        if args.self_check:
            return _self_check()
        if args.command is None:
            from companion.ui.shell.app import run_gui

            # No --data: the app picks (``$COMPANION_DATA``, the folder chosen at the
            # first start, or the platform's).
            return run_gui(getattr(args, "data", None))
        from companion import cli_addresses, cli_data, cli_directory, cli_encryption, cli_sync

        handler = {
            "demo": _demo,
            "search": _search,
            "geocode": _geocode,
            "map": _map,
            "import": cli_directory.run_import,
            "export": cli_directory.run_export,
            "add-mairie": cli_directory.run_add_town_hall,
            "sync": cli_sync.run_sync,
            "backup": cli_data.run_backup,
            "restore": cli_data.run_restore,
            "import-archive": cli_data.run_import_archive,
            "import-addresses": cli_addresses.run_import_addresses,
            "encrypt": cli_encryption.run_encrypt,
            "decrypt": cli_encryption.run_decrypt,
            "change-key": cli_encryption.run_change_key,
        }[args.command]
        if args.command not in ("encrypt", "change-key"):
            cli_encryption.apply_key(args, data_dir)
        return handler(args, data_dir)
    except CompanionError as error:
        print(_("Erreur : {message}").format(message=error), file=sys.stderr)
        return EXIT_ERROR


def _gui_only(arguments: list[str]) -> Path | str | None:
    """For a plain start of the app (no argument, or only ``--data DOSSIER``): its data
    folder ("" when none given); None for anything else, which the parser reads."""
    if not arguments:
        return ""
    if len(arguments) == 2 and arguments[0] == "--data" and not arguments[1].startswith("-"):
        return Path(arguments[1])
    if len(arguments) == 1 and arguments[0].startswith("--data="):
        return Path(arguments[0].removeprefix("--data=")) if arguments[0] != "--data=" else None
    return None


def _self_check() -> int:
    """Check this installation in a temporary folder; 0 if everything works, else 1."""
    from companion.app.self_check import Check, core_checks, run_checks

    try:
        from companion.ui.shell.self_check import qt_checks  # Qt and its system libraries load here

        checks = core_checks() + qt_checks()
    except ImportError as error:
        message = str(error)

        def qt_missing(_context: object) -> str:
            raise ImportError(message)

        checks = [*core_checks(), Check(_("Interface Qt"), qt_missing)]
    outcomes = run_checks(checks)
    return 0 if all(outcome.ok for outcome in outcomes) else 1


def _demo(args: argparse.Namespace, data_dir: Path) -> int:
    from companion.app.datafolder import create_demo_database, has_database, prepare_data_folder
    from companion.store import Store
    from companion.store.upgrade import backup_database

    if has_database(data_dir):
        if not args.replace:
            print(
                _(
                    "Une base existe déjà dans « {path} ». Ajoutez --replace pour la remplacer "
                    "(une copie sera gardée)."
                ).format(path=data_dir),
                file=sys.stderr,
            )
            return EXIT_ERROR
        current = Store.open(prepare_data_folder(data_dir))
        try:
            saved = backup_database(current.conn, current.path, "demo")
        finally:
            current.close()
        print(_("Ancienne base sauvegardée : {path}").format(path=saved), file=sys.stderr)

    def report(done: int, total: int, message: str) -> None:
        line = _("Création du réseau de démonstration : {progress}").format(progress=message)
        print("\r" + line, end="", file=sys.stderr)

    path = create_demo_database(
        data_dir, catalysts=args.catalysts, seed=args.seed, actors=args.actors, progress=report
    )
    print(file=sys.stderr)
    store = Store.open(path)
    try:
        counts = store.counts()
    finally:
        store.close()
    print(json.dumps({"database": str(path), **counts}, ensure_ascii=False))
    return 0


def _search(args: argparse.Namespace, data_dir: Path) -> int:
    from companion.app.datafolder import open_existing_store

    store = open_existing_store(data_dir)
    try:
        for hit in store.search(args.text, limit=args.limit):
            print(
                json.dumps(
                    {"type": hit.entity, "id": hit.id, "title": hit.title, "detail": hit.detail},
                    ensure_ascii=False,
                )
            )
    finally:
        store.close()
    return 0


def _geocode(args: argparse.Namespace, data_dir: Path) -> int:
    from companion.cli_addresses import geocode_address
    from companion.geo import Gazetteer

    address = geocode_address(args.text, data_dir) if any(c.isalpha() for c in args.text) else None
    if address is not None:
        print(json.dumps(address, ensure_ascii=False))
        return 0

    gazetteer = Gazetteer.open()
    try:
        communes = gazetteer.lookup(args.text, limit=args.limit)
    finally:
        gazetteer.close()
    for commune in communes:
        print(json.dumps(commune.to_json(), ensure_ascii=False))
    if not communes:
        print(_("Aucune commune trouvée pour « {text} ».").format(text=args.text), file=sys.stderr)
        return 1
    return 0


def _map(args: argparse.Namespace, data_dir: Path) -> int:
    return {"export": _map_export}[args.map_command](args, data_dir)


def _map_export(args: argparse.Namespace, data_dir: Path) -> int:
    from dataclasses import replace

    from companion.app.datafolder import open_existing_store
    from companion.maps.export_html import ExportOptions, check_output_path, export_html
    from companion.maps.filters import MapFilter

    fmt = args.format or _format_of(args.out)
    out = check_output_path(args.out)
    store = open_existing_store(data_dir)
    try:
        view = None
        if args.view is not None:
            view = _find_view(store, args.view)
            if view is None:
                print(_("Vue inconnue : « {name} »").format(name=args.view), file=sys.stderr)
                return EXIT_ERROR
        database = store.path
    finally:
        store.close()
    spec = view.filter if view is not None else MapFilter()
    if args.departement:
        spec = replace(spec, departement=args.departement.strip().upper(), region="")
    if args.kind:
        spec = replace(spec, kinds=frozenset(args.kind))
    options = ExportOptions(
        title=args.title or (view.title if view is not None else ""),
        filter=spec,
        bounds=view.bounds if view is not None else None,
        include_contacts=args.include_contacts,
    )
    if fmt == "html":
        written = export_html(database, out, options)
    else:
        written = _render_map(database, out, fmt, options, args)
    print(json.dumps({"format": fmt, "file": str(written)}, ensure_ascii=False))
    return 0


def _format_of(out: Path) -> str:
    """The format an output file's extension names; HTML when it names none."""
    suffix = out.suffix.lower().lstrip(".")
    if suffix == "htm":
        return "html"
    return suffix if suffix in MAP_FORMATS else "html"


def _find_view(store: Store, name: str) -> MapView | None:
    """The saved view called ``name``, or None (also when saved views do not exist yet)."""
    from companion.store.database import errors

    try:
        from companion.maps.views import find_view
    except ImportError:
        return None
    try:
        return find_view(store, name)
    except errors("OperationalError") as error:  # a database from before saved views
        if "no such table" in str(error):
            return None
        raise


def _render_map(
    database: Path, out: Path, fmt: str, options: ExportOptions, args: argparse.Namespace
) -> Path:
    """PNG/PDF: render the page in an offscreen web engine, in a QApplication of our own."""
    # QtWebEngineWidgets (imported by map_export) must be loaded before the application exists.
    from companion.ui.map.export import RenderSettings, ensure_application, export_map

    settings = RenderSettings(
        format=fmt,
        width=args.width,
        height=args.height,
        paper=args.paper,
        orientation=args.orientation,
    )
    settings.check()  # before starting Qt: a bad size fails at once
    ensure_application()
    return export_map(database, out, fmt, options, settings)


if __name__ == "__main__":
    sys.exit(main())
