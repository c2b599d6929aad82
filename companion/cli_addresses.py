"""``companion import-addresses``: a département's street addresses (BAN file) into the data
folder, and ``companion geocode`` placing a typed address at its door."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from companion.i18n import _


def add_commands(commands: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    importer = commands.add_parser(
        "import-addresses",
        parents=[common],
        help=_(
            "importer les adresses d'un département (fichier adresses-XX.csv.gz de la Base "
            "Adresse Nationale), pour placer les acteurs à leur adresse, hors ligne"
        ),
    )
    importer.add_argument("file", type=Path, metavar="FICHIER")


def run_import_addresses(args: argparse.Namespace, data_dir: Path) -> int:
    from companion import filemodes
    from companion.geo.addresses import build_index

    filemodes.private_folder(data_dir)

    def report(done: int, _total: int, message: str) -> None:
        print("\r" + message, end="", file=sys.stderr)

    departement, count = build_index(args.file, data_dir, report)
    print(file=sys.stderr)
    print(json.dumps({"departement": departement, "addresses": count}))
    return 0


def geocode_address(text: str, data_dir: Path) -> dict | None:
    """The typed address placed by the data folder's address index (None: no index, or
    no street found: the caller falls back to the commune)."""
    from companion.geo import Gazetteer
    from companion.geo.addresses import AddressIndex, AddressIndexMissing

    with Gazetteer.open() as gazetteer:
        try:
            index = AddressIndex.open(data_dir, gazetteer)
        except AddressIndexMissing:
            return None
        try:
            found = index.lookup(text)
        finally:
            index.close()
    return None if found is None else found.to_json()
