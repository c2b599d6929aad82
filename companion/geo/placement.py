"""Where an actor stands: at its address (the address index), or at its commune's centre
(approximate, as the map and the card say).

Qt-free: the actor form and card use it; ``maps/payload.py`` applies the same tolerance
in SQL.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from companion.geo.addresses import AddressIndex, AddressIndexMissing, AddressMatch
from companion.geo.gazetteer import Gazetteer

CENTRE_TOLERANCE = 1e-5  # degrees (about a metre): a point this close is the centre itself


def at_commune_centre(
    gazetteer: Gazetteer, insee: str | None, latitude: float | None, longitude: float | None
) -> bool:
    """Whether the point is its commune's centre (where imports and forms put an actor
    whose address was not found), so its place is approximate."""
    if not insee or latitude is None or longitude is None:
        return False
    commune = gazetteer.by_insee(insee)
    return commune is not None and (
        abs(commune.latitude - latitude) < CENTRE_TOLERANCE
        and abs(commune.longitude - longitude) < CENTRE_TOLERANCE
    )


@dataclass(frozen=True)
class AddressPlacement:
    match: AddressMatch | None  # None: not found (or no index for the département)
    indexed: bool  # the commune's département is in the index


class AddressPlacer:
    """The data folder's address index, opened once, for one form's lookups; without an
    index every lookup says so (``available`` False)."""

    def __init__(self, data_dir: Path, gazetteer: Gazetteer) -> None:
        try:
            self._index: AddressIndex | None = AddressIndex.open(data_dir, gazetteer)
        except AddressIndexMissing:
            self._index = None
        self._departements = (
            {code for code, _count in self._index.departements()} if self._index else set()
        )

    @property
    def available(self) -> bool:
        return bool(self._departements)

    def place(self, address: str, insee: str, departement: str) -> AddressPlacement:
        """The address in that commune (``insee``), if the index knows it."""
        if self._index is None or departement not in self._departements:
            return AddressPlacement(None, indexed=False)
        return AddressPlacement(self._index.lookup(address, insee=insee), indexed=True)

    def close(self) -> None:
        if self._index is not None:
            self._index.close()
            self._index = None
