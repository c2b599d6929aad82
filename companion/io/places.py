"""Resolving a row's place (INSEE code, postcode, commune name) with the offline gazetteer."""

from __future__ import annotations

from functools import lru_cache

from companion.geo import Commune, Gazetteer
from companion.geo.names import compact_key
from companion.i18n import _
from companion.io.actor_fields import ValueProblem
from companion.text import fold


class PlaceResolver:
    """Finds the one commune a row means, or says in French why it cannot."""

    def __init__(self, gazetteer: Gazetteer, preload: bool = False) -> None:
        self.gazetteer = gazetteer
        # Spreadsheets repeat the same places: resolve each combination once.
        self.resolve = lru_cache(maxsize=50_000)(self._resolve)
        # Commune names folded once each (about 40,000; fold's own cache is shared
        # with every other text an import folds), without spaces: a name typed with an
        # elided article glued on or without its hyphens is the same name.
        self._folded_name = lru_cache(maxsize=None)(_name_key)
        # A large file: load postcodes and names once (about 0.5 s) rather than
        # query the gazetteer for every row.
        self.postcodes: dict[str, list[Commune]] | None = None
        self.names: dict[str, list[Commune]] | None = None
        if preload:
            self.postcodes = gazetteer.postcode_index()
            self.names = {}
            every = gazetteer.communes(kinds=("COM", "ARM", "COMD", "COMA"))
            for commune in sorted(every, key=lambda c: (c.kind != "COM", -c.population)):
                self.names.setdefault(_name_key(commune.name), []).append(commune)

    def _by_postcode_table(self, postcode: str) -> list[Commune]:
        if self.postcodes is not None:
            return self.postcodes.get(postcode, [])
        return self.gazetteer.by_postcode(postcode)

    def _named(self, name: str) -> list[Commune]:
        """Communes named exactly ``name`` (folded), full communes first."""
        wanted = _name_key(name)
        if self.names is not None and wanted in self.names:
            return self.names[wanted]
        return [c for c in self.gazetteer.by_name(name) if self._folded_name(c.name) == wanted]

    def _resolve(self, insee: str, postcode: str, name: str) -> Commune | None:
        if insee:
            commune = self.gazetteer.by_insee(insee)
            if commune is None:
                raise ValueProblem(_("code INSEE « {value} » inconnu").format(value=insee))
            return commune
        if postcode:
            return self._by_postcode(postcode, name)
        if name:
            return self._by_name(name)
        return None

    def _by_postcode(self, postcode: str, name: str) -> Commune:
        candidates = self._by_postcode_table(postcode)
        if not candidates:
            raise ValueProblem(_("code postal « {value} » inconnu").format(value=postcode))
        if name:
            wanted = _name_key(name)
            named = [c for c in candidates if self._folded_name(c.name) == wanted]
            if not named:
                named = [c for c in self.gazetteer.by_name(name) if postcode in c.postcodes]
            if not named:
                raise ValueProblem(
                    _("la commune « {name} » n'a pas le code postal {postcode}").format(
                        name=name, postcode=postcode
                    )
                )
            return _main(named)
        full = [c for c in candidates if c.kind in ("COM", "ARM")]
        if len(full) > 1:
            names = ", ".join(c.name for c in full[:5])
            raise ValueProblem(
                _(
                    "plusieurs communes ont le code postal {postcode} ({names}) : "
                    "précisez la commune"
                ).format(postcode=postcode, names=names)
            )
        return _main(full or candidates)

    def _by_name(self, name: str) -> Commune:
        exact = self._named(name)
        full = [c for c in exact if c.kind == "COM"] or exact
        if not full:
            raise ValueProblem(_("commune « {value} » inconnue").format(value=name))
        if len(full) > 1:
            places = ", ".join(f"{c.name} ({c.departement})" for c in full)
            raise ValueProblem(
                _("commune « {value} » ambiguë : {places} ; ajoutez le code postal").format(
                    value=name, places=places
                )
            )
        return full[0]


def _main(communes: list[Commune]) -> Commune:
    """A full commune rather than a commune déléguée, when both match."""
    return next((c for c in communes if c.kind in ("COM", "ARM")), communes[0])


def _name_key(name: str) -> str:
    """A commune name as rows are compared: folded, without spaces."""
    return compact_key(fold(name))
