"""The command line: ``companion`` opens the app; subcommands work without a display."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from companion import __version__
from companion.errors import CompanionError
from companion.i18n import _, set_language, system_language
from companion.paths import default_data_dir

EXIT_ERROR = 2


def build_parser() -> argparse.ArgumentParser:
    # --data is accepted before or after the subcommand; SUPPRESS keeps a
    # subcommand's absent option from hiding the one given before it.
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--data",
        type=Path,
        default=argparse.SUPPRESS,
        metavar="DOSSIER",
        help=_("dossier de données (par défaut : {path})").format(path=default_data_dir()),
    )
    parser = argparse.ArgumentParser(
        prog="companion",
        description=_("Companion : l'application hors ligne des catalyseurs territoriaux."),
        parents=[common],
    )
    parser.add_argument("--version", action="version", version=f"companion {__version__}")
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
        "geocode", parents=[common], help=_("trouver une commune (nom ou code postal), hors ligne")
    )
    geocode.add_argument("text", metavar="TEXTE")
    geocode.add_argument("--limit", type=int, default=20)
    return parser


def main(argv: list[str] | None = None) -> int:
    set_language(system_language())
    args = build_parser().parse_args(argv)
    data_dir: Path = getattr(args, "data", None) or default_data_dir()
    try:
        if args.command is None:
            from companion.ui.app import run_gui  # Qt is loaded only for the GUI

            return run_gui(data_dir)
        handler = {"demo": _demo, "search": _search, "geocode": _geocode}[args.command]
        return handler(args, data_dir)
    except CompanionError as error:
        print(_("Erreur : {message}").format(message=error), file=sys.stderr)
        return EXIT_ERROR


def _demo(args: argparse.Namespace, data_dir: Path) -> int:
    from companion.app.datafolder import create_demo_database, has_database, prepare_data_folder
    from companion.store import Store
    from companion.store.migrations import backup_database

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
    from companion.app.datafolder import has_database, open_store

    if not has_database(data_dir):
        print(
            _("Aucune base dans « {path} » : lancez « companion demo » ou l'application.").format(
                path=data_dir
            ),
            file=sys.stderr,
        )
        return EXIT_ERROR
    store = open_store(data_dir)
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
    from companion.geo import Gazetteer

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


if __name__ == "__main__":
    sys.exit(main())
