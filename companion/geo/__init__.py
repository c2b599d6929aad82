"""Offline French geodata: the communes gazetteer and administrative outlines.

Build the data with ``python -m companion.geo.build``; read it with
``Gazetteer.open()``. Qt-free, and shapely is only needed to build.
"""

from companion.geo.gazetteer import Commune, Gazetteer, GazetteerMissing

__all__ = ["Commune", "Gazetteer", "GazetteerMissing"]
