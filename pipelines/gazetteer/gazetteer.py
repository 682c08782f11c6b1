"""The offline gazetteer: place lookup with transliteration variants and country context."""
from __future__ import annotations

import gc
import logging
import marshal
import math
import os
import re
import tempfile
import threading
from array import array
from dataclasses import dataclass
from functools import lru_cache

from .build import (ADMIN1_WORDS, FLAG_ADMIN1_CAPITAL, FLAG_NATIONAL_CAPITAL, KIND_ADMIN1,
                    build_index, data_version, default_cache_dir)
from .countries import ARMED_GROUP_COUNTRIES
from .geo import haversine_km
from .normalize import fold_name

log = logging.getLogger(__name__)

# Capitalised word runs ("Ukraine's", "Wad Madani", "Iraqi-Syrian").
_CAPITALISED_RUN = re.compile(r"[A-Z][\w'\u2019-]*(?:[ ][A-Z][\w'\u2019-]*)*")
_POSSESSIVE = re.compile(r"['\u2019]s?$")
# A demonym right before these nouns names a belligerent or a neighbour, often not the
# country the story happens in ("Russian forces", "the Thai border").
_FORCE_NOUN = re.compile(r"\s+(?:forces|troops|army|military|soldiers|jets|drones|strikes|"
                         r"missiles|units|fighters|officials?|border|side|frontier|envoy|embassy)\b")
_SUBDIVISION_SUFFIX = re.compile(r"\s+(?:%s)$" % "|".join(ADMIN1_WORDS))
# With a country hint, a namesake elsewhere is accepted only when at least this populous.
FOREIGN_NAMESAKE_POPULATION = 100_000
CONTEXT_CHARS = 2500
CAPITAL_VOTE, COUNTRY_VOTE, CITY_VOTE, ACTOR_VOTE = 1.0, 1.0, 0.5, 0.5


@dataclass(frozen=True, slots=True)
class Place:
    """A gazetteer entry.

    ``kind`` is ``"city"`` (any populated place) or ``"admin1"`` (a first-level subdivision:
    province, oblast, governorate, state). ``admin1`` is the ISO 3166-2 code where known,
    else the GeoNames admin1 code as ``"CC.code"``. ``geonameid`` is None for subdivisions,
    whose coordinates are those of their same-named capital (None when unknown).
    """

    geonameid: int | None
    name: str
    lat: float | None
    lon: float | None
    country: str
    admin1: str
    population: int
    kind: str
    is_national_capital: bool
    is_admin1_capital: bool


class Gazetteer:
    """Read-only place index. Use :meth:`load` to get the process-wide instance."""

    _instance: "Gazetteer | None" = None
    _lock = threading.Lock()

    def __init__(self, data: dict, loaded_from: str | None = None):
        self.loaded_from = loaded_from  # the cache file, when there is one
        self._geonameid = array("q", data["geonameid"])
        self._lat = array("d", data["lat"])
        self._lon = array("d", data["lon"])
        self._population = array("Q", data["population"])
        self._kind = data["kind"]
        self._flags = data["flags"]
        self._names = data["names"].split("\n")
        countries = data["country"]
        self._country = [countries[i:i + 2] for i in range(0, len(countries), 2)]
        self._admin1 = data["admin1"].split("\n")
        self._key_id = {key: i for i, key in enumerate(data["keys"].split("\n"))}
        self._key_starts = array("I", data["key_starts"])
        self._key_rows = array("I", data["key_rows"])
        self._capitals: dict[str, int] = data["capitals"]
        self._country_words: dict[str, str] = data["country_words"]
        self._context_places: dict[str, str] = data["context_places"]
        self.country_names: dict[str, str] = data["country_names"]
        self.version: str = data["version"]
        self._capital_keys = {fold_name(self._names[r]): iso for iso, r in self._capitals.items()}
        self.place = lru_cache(maxsize=32768)(self._place)
        self._phrase_cache: dict[str, tuple[str, float] | None] = {}

    # ---- loading -------------------------------------------------------------------
    @classmethod
    def load(cls, cache_dir: str | None = None) -> "Gazetteer":
        """Return the shared instance, building and caching the index on first use."""
        if cls._instance is None or cache_dir is not None:
            with cls._lock:
                if cls._instance is None or cache_dir is not None:
                    directory = cache_dir or default_cache_dir()
                    cls._instance = cls(cls._read_or_build(directory), cls.cache_path(directory))
                    # The index is a million long-lived objects: keep the cyclic garbage
                    # collector from walking them again and again for the life of the process.
                    gc.freeze()
        return cls._instance

    @staticmethod
    def cache_path(cache_dir: str | None = None) -> str:
        return os.path.join(cache_dir or default_cache_dir(), f"gazetteer-{data_version()}.marshal")

    @classmethod
    def _read_or_build(cls, cache_dir: str) -> dict:
        path = cls.cache_path(cache_dir)
        try:
            with open(path, "rb") as fh:
                data = marshal.load(fh)
            if data.get("version") == data_version():
                return data
        except (OSError, EOFError, ValueError, TypeError):
            pass
        log.info("building gazetteer index at %s (one-off)", path)
        data = build_index()
        try:
            os.makedirs(cache_dir, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=cache_dir, suffix=".tmp")
            with os.fdopen(fd, "wb") as fh:
                marshal.dump(data, fh)
            os.replace(tmp, path)  # atomic: concurrent workers never read a partial file
        except OSError as exc:
            log.warning("gazetteer cache not written (%s); it will be rebuilt next start", exc)
        return data

    # ---- places --------------------------------------------------------------------
    def _place(self, row: int) -> Place:
        lat, lon = self._lat[row], self._lon[row]
        flags = self._flags[row]
        return Place(
            geonameid=self._geonameid[row] or None, name=self._names[row],
            lat=None if math.isnan(lat) else lat, lon=None if math.isnan(lon) else lon,
            country=self._country[row], admin1=self._admin1[row],
            population=self._population[row],
            kind="admin1" if self._kind[row] == KIND_ADMIN1 else "city",
            is_national_capital=bool(flags & FLAG_NATIONAL_CAPITAL),
            is_admin1_capital=bool(flags & FLAG_ADMIN1_CAPITAL))

    def _rows(self, key: str) -> array:
        i = self._key_id.get(key)
        if i is None:
            return array("I")
        return self._key_rows[self._key_starts[i]:self._key_starts[i + 1]]

    def candidates(self, name: str) -> list[Place]:
        """All places a name may denote: cities first, most populous first."""
        return [self.place(r) for r in self._rows(fold_name(name))]

    def resolve(self, name: str, country_hint: str | None = None,
                kind: str | None = None) -> Place | None:
        """The place a name most likely denotes.

        Preference: the hinted country, then the hinted kind ("city"/"admin1"), then a
        national capital, then population. With a country hint and no place of that name in
        the country, a place abroad is returned only if it is large, a capital, or the only
        place of that name. Returns None for unknown names.
        """
        key = fold_name(name)
        generic = _SUBDIVISION_SUFFIX.search(key)
        if generic:
            key, kind = key[:generic.start()], "admin1"
        rows = self._rows(key)
        if not rows:
            return None
        want_admin1 = kind == "admin1"

        def rank(r: int) -> tuple:
            is_admin1 = self._kind[r] == KIND_ADMIN1
            return (country_hint is not None and self._country[r] == country_hint,
                    is_admin1 == want_admin1,
                    bool(self._flags[r] & FLAG_NATIONAL_CAPITAL),
                    self._population[r])
        best = max(rows, key=rank)
        if (country_hint and self._country[best] != country_hint and len(rows) > 1
                and self._population[best] < FOREIGN_NAMESAKE_POPULATION
                and not self._flags[best] & FLAG_NATIONAL_CAPITAL):
            return None  # one of several hamlets abroad is a worse guess than no place at all
        return self.place(best)

    def capital_of(self, iso2: str | None) -> Place | None:
        """The national capital of a country (ISO 3166-1 alpha-2)."""
        row = self._capitals.get((iso2 or "").upper())
        return None if row is None else self.place(row)

    def is_known(self, name: str) -> bool:
        return fold_name(name) in self._key_id

    @staticmethod
    def distance_km(a: Place, b: Place) -> float | None:
        """Geodesic distance between two places, None when one lacks coordinates."""
        if a.lat is None or b.lat is None:
            return None
        return haversine_km(a.lat, a.lon, b.lat, b.lon)

    # ---- country context --------------------------------------------------------------
    def country_of_word(self, word: str) -> str | None:
        """ISO2 of a country name or demonym ("Syrian", "Ukraine's"), else None."""
        key = fold_name(_POSSESSIVE.sub("", word))
        iso = self._country_words.get(key)
        if iso is None and key.endswith("s"):
            iso = self._country_words.get(key[:-1])
        return iso

    def country_votes(self, text: str) -> dict[str, float]:
        """Weighted mentions per country: names, demonyms, capitals and large cities.

        Only the first :data:`CONTEXT_CHARS` characters are read: the lede and the first
        paragraphs establish where a story is, and long articles stay cheap.
        """
        votes: dict[str, float] = {}
        for run in _CAPITALISED_RUN.finditer(text, 0, CONTEXT_CHARS):
            words = run.group().split(" ")
            i = 0
            while i < len(words):
                for width in (3, 2, 1) if len(words) > 1 else (1,):  # longest match first
                    if i + width > len(words):
                        continue
                    found = self._phrase_country(" ".join(words[i:i + width]) if width > 1 else words[i])
                    if found:
                        iso, weight = found
                        if weight == COUNTRY_VOTE and i + width == len(words) and _FORCE_NOUN.match(text, run.end()):
                            weight = ACTOR_VOTE
                        votes[iso] = votes.get(iso, 0.0) + weight
                        i += width
                        break
                else:
                    for part in words[i].split("-") if "-" in words[i] else ():
                        found = self._phrase_country(part)
                        if found:
                            votes[found[0]] = votes.get(found[0], 0.0) + found[1]
                    i += 1
        return votes

    def _phrase_country(self, phrase: str) -> tuple[str, float] | None:
        """(ISO2, weight) of a country name, demonym, capital or large city; cached per phrase."""
        cached = self._phrase_cache.get(phrase, False)
        if cached is not False:
            return cached
        iso = self.country_of_word(phrase)
        key = fold_name(_POSSESSIVE.sub("", phrase))
        if iso:
            found = iso, COUNTRY_VOTE
        elif key in ARMED_GROUP_COUNTRIES:
            found = ARMED_GROUP_COUNTRIES[key], COUNTRY_VOTE
        elif key in self._capital_keys:
            found = self._capital_keys[key], CAPITAL_VOTE
        elif key in self._context_places:
            found = self._context_places[key], CITY_VOTE
        else:
            found = None
        if len(self._phrase_cache) < 200_000:
            self._phrase_cache[phrase] = found
        return found

    def country_context(self, text: str) -> str | None:
        """The country an article is most about (ISO2), or None when nothing points to one."""
        votes = self.country_votes(text)
        return max(votes, key=votes.__getitem__) if votes else None  # ties: first mentioned
