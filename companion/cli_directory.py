"""``companion import`` and ``companion export``: the directory's files from the command line."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from companion.errors import CompanionError
from companion.i18n import _

EXIT_REFUSED = 2
EXPORT_FORMATS = ("csv", "xlsx", "vcard", "geojson")
GEOJSON_SUFFIXES = (".geojson", ".json")


def add_commands(commands: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    """Register ``import`` and ``export`` on the main parser's subcommands."""
    importer = commands.add_parser(
        "import",
        parents=[common],
        help=_("importer des acteurs (CSV, Excel, GeoJSON) ou des contacts (vCard, CSV)"),
    )
    importer.add_argument("file", type=Path, metavar="FICHIER")
    importer.add_argument(
        "--dry-run", action="store_true", help=_("vérifier seulement : rien n'est enregistré")
    )
    importer.add_argument(
        "--mapping",
        type=Path,
        metavar="CORRESPONDANCE",
        help=_('fichier JSON : en-tête de colonne → champ (ex. {"Raison sociale": "name"})'),
    )
    exporter = commands.add_parser(
        "export",
        parents=[common],
        help=_("exporter l'annuaire (acteurs en CSV, Excel ou GeoJSON, personnes en vCard)"),
    )
    exporter.add_argument("--format", choices=EXPORT_FORMATS, required=True)
    exporter.add_argument("--out", type=Path, required=True, metavar="FICHIER")


def run_import(args: argparse.Namespace, data_dir: Path) -> int:
    from companion.app.datafolder import open_store

    store = open_store(data_dir)
    try:
        if args.file.suffix.lower() in (".vcf", ".vcard") or _is_contacts_csv(args.file):
            return _import_people(store, args)
        return _import_actors(store, args)
    finally:
        store.close()


def _import_actors(store, args: argparse.Namespace) -> int:
    from companion.geo import Gazetteer
    from companion.io.actor_import import apply_import, plan_import
    from companion.io.geojson_io import plan_geojson

    with Gazetteer.open() as gazetteer:
        if args.file.suffix.lower() in GEOJSON_SUFFIXES:
            plan = plan_geojson(store, gazetteer, args.file)
        else:
            plan = plan_import(store, gazetteer, args.file, mapping=_mapping(args))
    print(
        _("« {path} » : {format}, {creates} à créer, {updates} à mettre à jour.").format(
            path=args.file,
            format=plan.text_format.description,
            creates=plan.creates,
            updates=plan.updates,
        ),
        file=sys.stderr,
    )
    for problem in plan.problems:
        print(problem, file=sys.stderr)
    if plan.problems:
        print(_("Fichier refusé : rien n'a été enregistré."), file=sys.stderr)
        return EXIT_REFUSED
    if args.dry_run:
        print(json.dumps({"creates": plan.creates, "updates": plan.updates, "dry_run": True}))
        return 0
    report = apply_import(store, plan)
    print(json.dumps({"created": report.created, "updated": report.updated}))
    return 0


def _is_contacts_csv(path: Path) -> bool:
    """An address book's CSV export (Google, Outlook) rather than a table of actors."""
    from companion.io.contacts_csv import looks_like_contacts
    from companion.io.textfile import detect_format, read_records

    if path.suffix.lower() not in (".csv", ".txt") or not path.is_file():
        return False
    header = next(read_records(path, detect_format(path)), None)
    return header is not None and looks_like_contacts(header.cells)


def _import_people(store, args: argparse.Namespace) -> int:
    from companion.io.contacts_csv import read_contacts
    from companion.io.people_import import import_cards
    from companion.io.vcard import read_cards

    vcard = args.file.suffix.lower() in (".vcf", ".vcard")
    cards = read_cards(args.file) if vcard else read_contacts(args.file)
    if args.dry_run:
        print(json.dumps({"cards": len(cards), "dry_run": True}))
        return 0
    report = import_cards(store, cards)
    print(
        json.dumps(
            {
                "created": report.created,
                "updated": report.updated,
                "organisations_created": report.organisations_created,
            }
        )
    )
    return 0


def _mapping(args: argparse.Namespace) -> dict[int, str] | None:
    """Column index -> field, from a JSON file naming columns by their header."""
    if args.mapping is None:
        return None
    from companion.io.actor_fields import FIELDS_BY_KEY
    from companion.io.textfile import detect_format, read_records

    try:
        by_header = json.loads(args.mapping.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise CompanionError(
            _("Correspondance « {path} » illisible : {reason}").format(
                path=args.mapping, reason=error
            )
        ) from error
    unknown = sorted(set(by_header.values()) - set(FIELDS_BY_KEY))
    if unknown:
        raise CompanionError(
            _("Correspondance « {path} » : champ(s) inconnu(s) : {fields}").format(
                path=args.mapping, fields=", ".join(map(str, unknown))
            )
        )
    from companion.io.xlsx import XLSX_SUFFIXES, read_xlsx_records

    if args.file.suffix.lower() in XLSX_SUFFIXES:
        header = next(read_xlsx_records(args.file))
    else:
        header = next(read_records(args.file, detect_format(args.file)))
    headers = [cell.strip() for cell in header.cells]
    missing = [name for name in by_header if name not in headers]
    if missing:
        raise CompanionError(
            _("Correspondance « {path} » : colonne(s) absente(s) du fichier : {columns}").format(
                path=args.mapping, columns=", ".join(missing)
            )
        )
    return {headers.index(name): key for name, key in by_header.items()}


def run_export(args: argparse.Namespace, data_dir: Path) -> int:
    from companion.app.datafolder import open_existing_store

    store = open_existing_store(data_dir)
    try:
        if args.format == "vcard":
            from companion.io.people_export import export_vcards

            count = export_vcards(store, args.out)
        elif args.format == "xlsx":
            from companion.io.actor_export import export_actors_xlsx

            count = export_actors_xlsx(store, args.out)
        elif args.format == "geojson":
            from companion.io.geojson_io import export_geojson

            count = export_geojson(store, args.out)
        else:
            from companion.io.actor_export import export_actors_csv

            count = export_actors_csv(store, args.out)
    except OSError as error:
        raise CompanionError(
            _("Impossible d'écrire « {path} » : {reason}").format(
                path=args.out, reason=error.strerror or error
            )
        ) from error
    finally:
        store.close()
    print(json.dumps({"format": args.format, "out": str(args.out), "count": count}))
    return 0
