"""``companion import`` and ``companion export``: the directory's files from the command line."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from companion.i18n import _, ngettext

EXIT_REFUSED = 2
EXPORT_FORMATS = (
    "csv", "xlsx", "vcard", "contacts-csv", "geojson", "kumu", "gogocarto", "umap", "archive",
)  # fmt: skip


def add_commands(commands: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    """Register ``import`` and ``export`` on the main parser's subcommands."""
    from companion.domain import ACTOR_KINDS, RELATION_TYPES

    importer = commands.add_parser(
        "import",
        parents=[common],
        help=_(
            "importer des acteurs (CSV, Excel, GeoJSON, uMap, GoGoCarto) "
            "ou des contacts (vCard, CSV)"
        ),
    )
    importer.add_argument("file", type=Path, metavar="FICHIER")
    importer.add_argument(
        "--dry-run", action="store_true", help=_("vérifier seulement : rien n'est enregistré")
    )
    importer.add_argument(
        "--mapping",
        metavar="CORRESPONDANCE",
        help=_(
            'fichier JSON (en-tête de colonne → champ, ex. {"Raison sociale": "name"}) ou nom '
            "d'une correspondance mémorisée par l'assistant d'import"
        ),
    )
    importer.add_argument(
        "--kind",
        choices=list(ACTOR_KINDS),
        help=_("type des acteurs dont le fichier ne donne pas le type"),
    )
    importer.add_argument(
        "--relation-type",
        choices=list(RELATION_TYPES),
        default="autre",
        help=_("carte (GeoJSON, uMap) : type des relations dont la ligne ne donne pas le type"),
    )
    importer.add_argument(
        "--skip-zones",
        action="store_true",
        help=_(
            "carte (GeoJSON, uMap) : ignorer les lignes et les surfaces qui ne relient pas deux "
            "acteurs au lieu d'en faire des zones"
        ),
    )
    importer.add_argument(
        "--skip-invalid",
        action="store_true",
        help=_(
            "importer les lignes valides et mettre de côté celles qui ont un problème, dans un "
            "fichier de rejets au format du fichier, avec une colonne « Problème »"
        ),
    )
    importer.add_argument(
        "--blank-invalid",
        action="store_true",
        help=_(
            "comme --skip-invalid, mais les lignes à problème qui peuvent l'être sont importées "
            "sans leurs valeurs erronées, avec l'étiquette « À vérifier »"
        ),
    )
    importer.add_argument(
        "--rejects",
        type=Path,
        metavar="REJETS",
        help=_("fichier des lignes mises de côté (par défaut : FICHIER-rejets, à côté)"),
    )
    exporter = commands.add_parser(
        "export",
        parents=[common],
        help=_(
            "exporter l'annuaire (acteurs en CSV, Excel ou GeoJSON, personnes en vCard ; "
            "pour Kumu, GoGoCarto ou uMap : ce qui est partagé avec le réseau), "
            "ou toutes les données en une archive zip (--format archive)"
        ),
    )
    exporter.add_argument("--format", choices=EXPORT_FORMATS, required=True)
    exporter.add_argument("--out", type=Path, required=True, metavar="FICHIER")
    exporter.add_argument(
        "--include-private",
        action="store_true",
        help=_("kumu, gogocarto, umap : inclure aussi les fiches et relations privées"),
    )
    exporter.add_argument(
        "--include-contacts",
        action="store_true",
        help=_("kumu, gogocarto, umap : inclure les courriels et téléphones des acteurs"),
    )
    town_hall = commands.add_parser(
        "add-mairie",
        parents=[common],
        help=_(
            "ajouter la mairie d'une commune à l'annuaire (adresse, position, téléphone, "
            "e-mail, site, horaires des données des communes)"
        ),
    )
    town_hall.add_argument(
        "commune",
        metavar="COMMUNE",
        help=_("nom (avec le département si besoin : « Saint-Denis 93 »), code postal ou INSEE"),
    )


def run_import(args: argparse.Namespace, data_dir: Path) -> int:
    from companion.app.datafolder import open_store
    from companion.io.sources import PEOPLE_KINDS, detect_kind

    store = open_store(data_dir)
    try:
        kind = detect_kind(args.file)
        if kind in PEOPLE_KINDS:
            return _import_people(store, args, kind)
        return _import_actors(store, args, kind)
    finally:
        store.close()


def _import_actors(store, args: argparse.Namespace, kind: str) -> int:
    from companion.app.importing import ImportRequest, check_with, write_checked
    from companion.io.sources import TABLE, default_actor_kind

    layout = _Layout(store, args) if kind == TABLE else None
    request = ImportRequest(
        args.file,
        kind,
        mapping=layout.mapping if layout else None,
        default_kind=args.kind or default_actor_kind(kind),
        relation_type=args.relation_type,
        skip_invalid=args.skip_invalid,
        blank_invalid=args.blank_invalid,
        rejects=args.rejects,
        skip_zones=args.skip_zones,
    )
    checked = check_with(store, request)
    plan = checked.plan
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
    if plan.relations:
        print(
            _("{count} ligne(s) entre acteurs : relations à créer.").format(
                count=len(plan.relations)
            ),
            file=sys.stderr,
        )
    if plan.zones:
        print(
            ngettext("{n} ligne ou surface : une zone à ajouter.",
                     "{n} lignes ou surfaces : des zones à ajouter.", len(plan.zones)
            ).format(n=len(plan.zones)),
            file=sys.stderr,
        )  # fmt: skip
    for note in plan.set_aside:
        print(note, file=sys.stderr)
    if plan.skipped_zones:
        print(_zones_skipped(plan.skipped_zones), file=sys.stderr)
    around = args.skip_invalid or args.blank_invalid
    if plan.problems and not (around and plan.skippable):
        print(_("Fichier refusé : rien n'a été enregistré."), file=sys.stderr)
        if not around and plan.skippable:
            print(
                _(
                    "Pour importer les lignes valides et mettre les autres de côté : "
                    "--skip-invalid."
                ),  # fmt: skip
                file=sys.stderr,
            )
        return EXIT_REFUSED
    if args.dry_run:
        print(json.dumps({"creates": plan.creates, "updates": plan.updates, "dry_run": True}))
        return 0
    _backup_before_import(store)
    report = write_checked(store, checked)
    if layout is not None:
        layout.remember()
    written = {"created": report.created, "updated": report.updated}
    if report.relations:
        written["relations"] = report.relations
    if report.kept:
        written["kept"] = report.kept
    if report.zones:
        written["zones"] = report.zones
        print(_zones_added(report.zones), file=sys.stderr)
    if report.rejects is not None:
        written["rejected"] = report.rejected
        written["rejects"] = str(report.rejects)
        print(
            _("{count} ligne(s) mise(s) de côté dans « {path} ».").format(
                count=report.rejected, path=report.rejects
            ),
            file=sys.stderr,
        )
    print(json.dumps(written))
    return 0


def _zones_added(count: int) -> str:
    """« 3 zones ajoutées. »"""
    return ngettext("{n} zone ajoutée.", "{n} zones ajoutées.", count).format(n=count)


def _zones_skipped(count: int) -> str:
    return ngettext(
        "Attention : {n} ligne ou surface ignorée (--skip-zones) : elle n'est pas importée.",
        "Attention : {n} lignes ou surfaces ignorées (--skip-zones) : elles ne sont pas importées.",
        count,
    ).format(n=count)


def _import_people(store, args: argparse.Namespace, kind: str) -> int:
    from companion.app.importing import ImportRequest, check_with
    from companion.io.people_import import import_cards

    checked = check_with(store, ImportRequest(args.file, kind))
    cards = checked.plan.cards
    if args.dry_run:
        print(json.dumps({"cards": len(cards), "dry_run": True}))
        return 0
    _backup_before_import(store)
    report = import_cards(store, cards, source=args.file)
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


def _backup_before_import(store) -> None:
    from companion.store.backups import IMPORT, make_backup

    backup = make_backup(store, None, IMPORT)
    print(_("Base sauvegardée avant l'import : {path}").format(path=backup.path), file=sys.stderr)


class _Layout:
    """A table's mapping: from ``--mapping`` (a JSON file or a remembered layout's name),
    else the layout remembered for this header, else guessed from the column names."""

    def __init__(self, store, args: argparse.Namespace) -> None:
        from companion.io import layouts
        from companion.io.sources import read_head

        self.store = store
        self.headers = read_head(args.file, rows=0).headers
        self.name = ""
        self.chosen = args.mapping is not None
        if args.mapping is None:
            self.mapping, saved = layouts.proposed_mapping(store, self.headers)
        elif Path(args.mapping).is_file():
            by_header = layouts.read_mapping_file(Path(args.mapping))
            self.mapping = layouts.mapping_by_headers(by_header, self.headers, args.mapping)
            self.name = Path(args.mapping).stem
        else:
            saved = layouts.find_layout(store, args.mapping)
            if saved is None:
                names = ", ".join(layout.name for layout in layouts.saved_layouts(store))
                raise layouts.LayoutError(
                    _(
                        "Correspondance « {name} » introuvable : ce n'est ni un fichier ni une "
                        "correspondance mémorisée ({names})."
                    ).format(name=args.mapping, names=names or _("aucune"))
                )
            self.mapping = layouts.apply_layout(saved, self.headers)
            self.name = saved.name

    def remember(self) -> None:
        """A mapping the user chose is proposed the next time a file of this layout comes."""
        if self.chosen:
            from companion.io.layouts import remember_layout

            remember_layout(self.store, self.headers, self.mapping, self.name)


def run_add_town_hall(args: argparse.Namespace, data_dir: Path) -> int:
    from companion.app.datafolder import open_store
    from companion.directory.town_halls import TownHallExists, add_town_hall
    from companion.geo import Gazetteer
    from companion.text import fold

    with Gazetteer.open() as gazetteer:
        found = gazetteer.lookup(args.commune)
        named = [c for c in found if fold(c.name) == fold(args.commune)]
        choices = named or found
        if len(choices) != 1:
            listed = ", ".join(f"{c.name} ({c.departement}, {c.insee})" for c in choices[:10])
            message = (
                _("Plusieurs communes répondent à « {text} » : {communes}. Précisez le "
                  "département (« Saint-Denis 93 ») ou donnez le code INSEE.")
                if choices
                else _("Aucune commune trouvée pour « {text} ».")
            )  # fmt: skip
            print(message.format(text=args.commune, communes=listed), file=sys.stderr)
            return EXIT_REFUSED
        store = open_store(data_dir)
        try:
            actor = add_town_hall(store, gazetteer, choices[0])
        except TownHallExists as exists:
            print(exists, file=sys.stderr)
            print(json.dumps({"exists": exists.actor.id, "name": exists.actor.name}))
            return EXIT_REFUSED
        finally:
            store.close()
    print(json.dumps({"created": actor.id, "name": actor.name}, ensure_ascii=False))
    return 0


def run_export(args: argparse.Namespace, data_dir: Path) -> int:
    from companion.app.datafolder import open_existing_store
    from companion.io.directory_export import PEER_FORMATS, export_directory

    if (args.include_private or args.include_contacts) and args.format not in PEER_FORMATS:
        print(
            _("--include-private et --include-contacts valent pour kumu, gogocarto et umap."),
            file=sys.stderr,
        )
        return EXIT_REFUSED
    if args.format == "archive":  # everything, to move to another machine
        from companion.cli_data import run_export_archive

        return run_export_archive(args, data_dir)
    store = open_existing_store(data_dir)
    try:
        count = export_directory(
            store, args.format, args.out, args.include_private, args.include_contacts
        )
    finally:
        store.close()
    print(json.dumps({"format": args.format, "out": str(args.out), "count": count}))
    return 0
