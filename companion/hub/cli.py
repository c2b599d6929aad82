"""``companion-hub``: run the network's hub and manage its members and toolbox.

Every command works on a data folder (``--data``, ``$COMPANION_HUB_DATA``, else
the platform's folder for "CompanionHub") holding the SQLite database and the
toolbox files; with ``--database-url`` (or ``$COMPANION_HUB_DATABASE_URL``,
better: a URL with a password stays out of the process list) the tables live
in PostgreSQL instead.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from companion import __version__
from companion.errors import CompanionError
from companion.hub.members import ROLES, HubError
from companion.hub.storage import HubStore
from companion.i18n import _, set_language, system_language

EXIT_ERROR = 2
DATA_ENV = "COMPANION_HUB_DATA"
DATABASE_ENV = "COMPANION_HUB_DATABASE_URL"
LOOPBACK = ("127.0.0.1", "::1", "localhost")


def build_parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--data", type=Path, default=argparse.SUPPRESS, metavar="DOSSIER",
        help=_("dossier de données du hub (par défaut : $COMPANION_HUB_DATA ou celui du système)"),
    )  # fmt: skip
    common.add_argument(
        "--database-url", default=argparse.SUPPRESS, metavar="URL",
        help=_("base PostgreSQL au lieu de SQLite (ou $COMPANION_HUB_DATABASE_URL)"),
    )  # fmt: skip
    parser = argparse.ArgumentParser(
        prog="companion-hub",
        description=_("Le hub du réseau : synchronisation, membres, boîte à outils."),
        parents=[common],
    )
    parser.add_argument("--version", action="version", version=f"companion-hub {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMANDE", required=True)

    serve = commands.add_parser("serve", parents=[common], help=_("lancer le hub (HTTP)"))
    serve.add_argument("--host", default="127.0.0.1", help=_("adresse d'écoute (127.0.0.1)"))
    serve.add_argument("--port", type=int, default=8765, help=_("port d'écoute (8765)"))
    serve.add_argument("--ssl-certfile", metavar="FICHIER", help=_("certificat TLS (HTTPS)"))
    serve.add_argument("--ssl-keyfile", metavar="FICHIER", help=_("clé privée TLS"))
    serve.add_argument(
        "--push-rate", type=float, default=2.0,
        help=_("envois par seconde permis à chaque membre, en continu (2)"),
    )  # fmt: skip
    serve.add_argument("--push-burst", type=int, default=60, help=_("envois permis d'affilée (60)"))
    serve.add_argument(
        "--workers", type=_positive, default=1, metavar="N",
        help=_("processus servant les requêtes (1) ; plusieurs : PostgreSQL conseillé"),
    )  # fmt: skip
    serve.add_argument(
        "--log-level", default="info", choices=("debug", "info", "warning", "error"),
        help=_("journal : info inclut chaque requête (info)"),
    )  # fmt: skip

    member = commands.add_parser("member", parents=[common], help=_("gérer les membres"))
    member_commands = member.add_subparsers(
        dest="member_command", metavar="COMMANDE", required=True
    )
    add = member_commands.add_parser(
        "add", parents=[common], help=_("ajouter un membre (affiche son jeton, une seule fois)")
    )
    add.add_argument("name", metavar="NOM")
    add.add_argument("--role", choices=ROLES, default="member", help=_("rôle (member)"))
    add.add_argument(
        "--id", dest="member_id", metavar="UUID",
        help=_("identifiant de membre déjà utilisé par son ordinateur"),
    )  # fmt: skip
    member_commands.add_parser("list", parents=[common], help=_("lister les membres"))
    revoke = member_commands.add_parser(
        "revoke", parents=[common], help=_("révoquer le jeton d'un membre")
    )
    revoke.add_argument("who", metavar="NOM_OU_ID")
    token = member_commands.add_parser(
        "token", parents=[common], help=_("donner un nouveau jeton à un membre")
    )
    token.add_argument("who", metavar="NOM_OU_ID")

    toolbox = commands.add_parser("toolbox", parents=[common], help=_("la boîte à outils"))
    toolbox_commands = toolbox.add_subparsers(
        dest="toolbox_command", metavar="COMMANDE", required=True
    )
    publish = toolbox_commands.add_parser(
        "publish", parents=[common], help=_("publier un élément (fichier items/<nom>.md)")
    )
    publish.add_argument("path", type=Path, metavar="FICHIER")

    addresses = commands.add_parser(
        "addresses", parents=[common], help=_("les adresses des départements (fichiers de la BAN)")
    )
    address_commands = addresses.add_subparsers(
        dest="addresses_command", metavar="COMMANDE", required=True
    )
    add = address_commands.add_parser(
        "add", parents=[common], help=_("publier un fichier adresses-XX.csv.gz de la BAN")
    )
    add.add_argument("path", type=Path, metavar="FICHIER")
    address_commands.add_parser("list", parents=[common], help=_("les départements publiés"))
    remove = address_commands.add_parser(
        "remove", parents=[common], help=_("retirer un département")
    )
    remove.add_argument("departement", metavar="DEPARTEMENT")

    commands.add_parser(
        "new-epoch", parents=[common],
        help=_("après la restauration d'une sauvegarde : les postes resynchronisent tout"),
    )  # fmt: skip
    return parser


def main(argv: list[str] | None = None) -> int:
    set_language(system_language())
    args = build_parser().parse_args(argv)
    data_dir = getattr(args, "data", None) or default_hub_dir()
    database_url = getattr(args, "database_url", None) or os.environ.get(DATABASE_ENV) or None
    try:
        store = HubStore.open(data_dir, database_url)
    except CompanionError as problem:
        print(_("Erreur : {message}").format(message=problem), file=sys.stderr)
        return EXIT_ERROR
    try:
        handler = {
            "serve": _serve, "member": _member, "toolbox": _toolbox, "addresses": _addresses,
            "new-epoch": _epoch,
        }  # fmt: skip
        return handler[args.command](args, store)
    except CompanionError as problem:
        print(_("Erreur : {message}").format(message=problem), file=sys.stderr)
        return EXIT_ERROR
    finally:
        store.close()


def default_hub_dir() -> Path:
    override = os.environ.get(DATA_ENV)
    if override:
        return Path(override)
    import platformdirs

    return Path(platformdirs.user_data_dir("CompanionHub", appauthor=False))


def _serve(args: argparse.Namespace, store: HubStore) -> int:
    try:  # the package's `hub` extra: a laptop's install has none of it
        import uvicorn

        from companion.hub.app import create_app
        from companion.hub.limits import Limits
    except ImportError as missing:
        message = _('Le serveur du hub demande le paquet {name} : pip install "companion[hub]".')
        raise HubError(message.format(name=missing.name)) from None

    if args.host not in LOOPBACK and not args.ssl_certfile:
        print(
            _("Attention : sans HTTPS, les jetons circulent en clair. Utilisez --ssl-certfile "
              "ou un proxy HTTPS devant le hub."),
            file=sys.stderr,
        )  # fmt: skip
    print(
        _("Hub ({engine}) sur {host}:{port}, {workers} processus, données dans « {data} ».").format(
            engine=store.engine, host=args.host, port=args.port, data=store.data_dir,
            workers=args.workers,
        ),
        file=sys.stderr,
    )  # fmt: skip
    options = {
        "host": args.host, "port": args.port, "ssl_certfile": args.ssl_certfile,
        "ssl_keyfile": args.ssl_keyfile, "server_header": False, "log_level": args.log_level,
    }  # fmt: skip
    if args.workers == 1:
        app = create_app(store, Limits(push_burst=args.push_burst, push_rate=args.push_rate))
        uvicorn.run(app, **options)
        return 0
    from companion.hub.workers import WorkerConfig

    # Each worker opens the database itself: this process only supervises them.
    database_url = store.backend.url if store.backend.postgres else None
    WorkerConfig(str(store.data_dir), database_url, args.push_rate, args.push_burst).export()
    store.close()
    uvicorn.run("companion.hub.workers:worker_app", factory=True, workers=args.workers, **options)
    return 0


def _positive(text: str) -> int:
    try:
        number = int(text)
    except ValueError:
        number = 0
    if number < 1:
        raise argparse.ArgumentTypeError(_("un nombre entier positif est attendu"))
    return number


def _member(args: argparse.Namespace, store: HubStore) -> int:
    if args.member_command == "add":
        member, token = store.add_member(args.name, args.role, args.member_id)
        print(
            _("Membre « {name} » ajouté (rôle {role}, identifiant {id}).").format(
                name=member.name, role=member.role, id=member.id
            )
        )
        print(_("Son jeton, affiché une seule fois :"))
        print(token)
    elif args.member_command == "list":
        for member in store.members():
            state = (
                _("actif")
                if member.active
                else _("révoqué le {date}").format(date=member.revoked_at)
            )
            print(f"{member.id}\t{member.name}\t{member.role}\t{member.created_at}\t{state}")
    elif args.member_command == "revoke":
        member = store.revoke_member(args.who)
        print(_("Jeton de « {name} » révoqué.").format(name=member.name))
    else:
        member, token = store.renew_token(args.who)
        print(_("Nouveau jeton de « {name} », affiché une seule fois :").format(name=member.name))
        print(token)
    return 0


def _toolbox(args: argparse.Namespace, store: HubStore) -> int:
    from companion.hub.toolbox import publish

    result = publish(store, args.path)
    item = result.item
    if not result.changed:
        message = _("« {slug} » version {version} est déjà publié.")
    elif result.previous_version is None:
        message = _("« {slug} » publié en version {version} ({files} fichiers).")
    else:
        message = _("« {slug} » passe de la version {previous} à {version} ({files} fichiers).")
    print(
        message.format(
            slug=item.slug, version=item.version, previous=result.previous_version,
            files=len(item.files),
        )
    )  # fmt: skip
    return 0


def _addresses(args: argparse.Namespace, store: HubStore) -> int:
    from companion.hub import addresses

    if args.addresses_command == "add":
        entry, changed = addresses.publish_addresses(store, args.path)
        message = (
            _("Adresses du département {code} publiées ({megabytes} Mo).")
            if changed
            else _("Les adresses du département {code} sont déjà publiées telles quelles.")
        )
        print(message.format(code=entry.departement, megabytes=f"{entry.size / 1e6:.1f}"))
    elif args.addresses_command == "list":
        for entry in addresses.address_files(store):
            print(f"{entry.departement}\t{entry.name}\t{entry.size}\t{entry.published_at}")
    else:
        entry = addresses.remove_addresses(store, args.departement)
        print(_("Département {code} retiré.").format(code=entry.departement))
    return 0


def _epoch(args: argparse.Namespace, store: HubStore) -> int:
    epoch = store.renew_epoch()
    print(_("Nouvelle époque {epoch} : chaque poste va tout resynchroniser.").format(epoch=epoch))
    return 0


if __name__ == "__main__":
    sys.exit(main())
