"""``companion sync``: one sync with the network's hub, from the command line.

``companion sync --hub URL --token-file FICHIER`` saves the hub's address (in the
database) and its token (system keyring, else ``jeton-hub`` in the data folder,
readable by its owner only), then syncs; ``companion sync`` reuses them. Prints
the report as JSON; a failure prints a French message and exits non-zero.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from companion.i18n import _

EXIT_FAILED = 2


def add_command(commands: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    sync = commands.add_parser(
        "sync", parents=[common], help=_("synchroniser avec le hub du réseau")
    )
    sync.add_argument(
        "--hub", metavar="URL", help=_("adresse du hub (https://…), gardée pour la suite")
    )
    sync.add_argument(
        "--token-file",
        type=Path,
        metavar="FICHIER",
        help=_("fichier contenant le jeton d'accès au hub, gardé pour la suite"),
    )
    sync.add_argument(
        "--insecure",
        action="store_true",
        help=_("accepter une adresse http:// non chiffrée (tests seulement)"),
    )


def run_sync(args: argparse.Namespace, data_dir: Path) -> int:
    from companion.app.datafolder import has_database, open_existing_store, open_store
    from companion.app.hub_connection import remember_hub
    from companion.sync import credentials, state
    from companion.sync.client import SyncClient
    from companion.sync.hubapi import SyncError, check_hub_url

    # Joining a network from a new folder: an empty database that the hub fills.
    joining = args.hub is not None and not has_database(data_dir)
    store = open_store(data_dir) if joining else open_existing_store(data_dir)
    try:
        hub_url = args.hub or state.get(store.conn, state.HUB_URL)
        if not hub_url:
            raise SyncError(
                _(
                    "Aucun hub connu : indiquez son adresse avec --hub et son jeton avec "
                    "--token-file."
                )  # fmt: skip
            )
        hub_url = check_hub_url(hub_url, args.insecure)
        token_place = None
        if args.token_file is not None:
            token = credentials.read_token_file(args.token_file)
            token_place = credentials.save_token(data_dir, hub_url, token)
        else:
            token = credentials.load_token(data_dir, hub_url)
            if not token:
                raise SyncError(
                    _("Aucun jeton pour le hub « {url} » : indiquez-le avec --token-file.").format(
                        url=hub_url
                    )
                )
        if args.hub:  # as the connect dialog does: the app shows the same hub and token place
            remember_hub(store, hub_url, token_place)
        client = SyncClient(store, hub_url, token, allow_insecure=args.insecure)

        def report(done: int, total: int, message: str) -> None:
            print("\r" + message, end="", file=sys.stderr)

        result = client.sync(progress=report)
        print(file=sys.stderr)
    finally:
        store.close()
    print(json.dumps(result.to_json(), ensure_ascii=False))
    return 0
