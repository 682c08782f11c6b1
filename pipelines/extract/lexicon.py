"""Word lists shared by the extractors: armed actors, place nouns, clause boundaries.

These are the grammar's vocabulary, written for conflict reporting in general (Ukraine,
Sudan, Syria, Gaza, Yemen, DRC, Myanmar, Sahel, Haiti, Libya, Ethiopia, Afghanistan...),
not for particular articles.
"""
from __future__ import annotations

import re

from .keywords import words_pattern

# A lowercase Arabic article joined to a name ("al-Bab", "ash-Shaddadi"), as regex text.
NAME_ARTICLE = r"(?:(?:al|el|ad|as|ar|ash|an|az|at)-)"
# The month names as regex alternation text, capitalised (wrap in (?-i:...) where case matters).
MONTH_NAMES = "January|February|March|April|May|June|July|August|September|October|November|December"
# Nouns that denote an armed actor.
FORCE_NOUNS = (
    "rebel rebels insurgent insurgents militant militants fighter fighters troop troops force forces "
    "soldier soldiers army armies militia militias militiamen jihadist jihadists islamist islamists "
    "paramilitary paramilitaries guerrilla guerrillas occupier occupiers invader invaders gunmen gang "
    "gangs unit units battalion battalions brigade brigades column columns tanks marines commandos mercenary "
    "mercenaries separatist separatists loyalist loyalists defenders garrison junta regime military "
    "offensive advance").split() + ["armed men", "uniformed men", "armed group", "armed groups", "men in uniform"]
# Names of armed groups that news uses without a force noun ("the Taliban", "M23").
ARMED_GROUPS = (
    "Taliban|Hamas|Hezbollah|Houthi|Houthis|Ansar Allah|M23|RSF|Rapid Support Forces|HTS|Hayat Tahrir al-Sham|"
    "ISIS|ISIL|Islamic State|Wagner|al-Shabaab|Shabaab|JNIM|SDF|YPG|PKK|LNA|TPLF|Fano|Tatmadaw|MNDAA|"
    "Arakan Army|Brotherhood Alliance|PDF|FARC|ELN|ADF|ISWAP|Boko Haram|Viv Ansanm|AFC|Wazalendo|"
    "SPLA|SAF|IDF|Azov|Al Qaeda|al-Qaeda").split("|")
FORCE = words_pattern([w.lower() for w in FORCE_NOUNS + ARMED_GROUPS], re.IGNORECASE)
# Words that may stand before a force noun in its name ("the Russian airborne troops").
_FORCE_MODIFIERS = re.compile(
    r"(?:\b(?:the|its|their|his|our)\s+)?(?:(?:[A-Z][\w'’-]*|pro-\w+|government|regime|army|rebel|enemy|"
    r"opposition|allied|security|airborne|special|reconnaissance|elite|national|Islamist-led)\s+){0,3}$")


def force_phrase_before(sentence: str, position: int) -> str | None:
    """The last armed actor named before ``position``, with its modifiers ("Russian troops")."""
    last = None
    for last in FORCE.finditer(sentence, 0, position):
        pass
    if last is None:
        return None
    window = max(0, last.start() - 70)
    modifiers = _FORCE_MODIFIERS.search(sentence, window, last.start())
    return sentence[modifiers.start() if modifiers else last.start():last.end()]

# Place nouns by the place_type they imply (README: city/town/province/region/base/facility/other).
PLACE_NOUN_TYPES: dict[str, str] = {}
for _type, _words in {
    "city": "city cities capital capitals metropolis",
    "town": "town towns village villages settlement settlements hamlet hamlets localities locality",
    "province": "province provinces governorate governorates oblast oblasts state",
    "region": ("region regions area areas countryside district districts zone zones enclave "
               "neighbourhood neighbourhoods neighborhood neighborhoods suburb suburbs outskirts "
               "county counties corridor"),
    "base": ("base bases airbase airbases garrison garrisons barracks command headquarters hq "
             "outpost outposts post camp camps fort citadel academy"),
    "facility": ("airport airports airfield airfields bridge bridges dam refinery plant port ports "
                 "harbour harbor station checkpoint checkpoints crossing crossings branch compound "
                 "building buildings palace prison hospital depot complex facility facilities "
                 "installation installations hill hills heights stronghold strongholds field fields "
                 "oilfield oilfields mine mines mansion residence jail roadblock roadblocks barrier"),
    "other": "positions position posts trenches",
}.items():
    for _w in _words.split():
        PLACE_NOUN_TYPES[_w] = _type
PLACE_NOUNS = frozenset(PLACE_NOUN_TYPES)
# Facilities worth reporting even unnamed ("took the airport"); "the building" is not one.
STRATEGIC_FACILITIES = frozenset("airport airbase airfield base port harbour harbor headquarters palace dam "
                                 "refinery garrison barracks command mansion residence prison jail roadblock checkpoint".split())
# Place nouns that stand for "the place just mentioned" when used with "the" alone.
ANAPHORIC_PLACE_NOUNS = frozenset({"city", "town", "village", "capital", "area", "province",
                                   "region", "district", "base", "airport", "enclave"})
# Modifiers allowed inside a place noun phrase around a name ("the northern city of").
PLACE_MODIFIERS = frozenset((
    "provincial regional northern southern eastern western central north south east west "
    "northeastern northwestern southeastern southwestern north-eastern north-western "
    "south-eastern south-western key strategic important major border port frontline front-line "
    "industrial coastal besieged embattled ruined nearby neighbouring neighboring main largest "
    "second-largest rural military air security police army government remaining several two three "
    "four five six seven eight nine ten dozens many some other all most both each the of").split())

# Lowercase words that end a place noun phrase.
NP_STOP_WORDS = frozenset((
    "on after before since during while when as but by with without to for amid following into "
    "from that which who whom whose where said says say told according earlier late last this these "
    "yesterday today tonight overnight early was were is are has have had will would could should "
    "may might be been being and or than then if because despite although though till until "
    "via per against over under through toward towards across along beyond within "
    "its their his her our they it he she we saying adding claiming").split())

WEEKDAYS_MONTHS = frozenset((
    "Monday Tuesday Wednesday Thursday Friday Saturday Sunday January February March April May "
    "June July August September October November December").split())

# Capitalised words that are not places even where the grammar expects one.
NOT_PLACE_WORDS = WEEKDAYS_MONTHS | frozenset((
    "The A An This That These Those It He She They We Our Their His Her Its Reuters AFP AP CNN BBC "
    "Telegram Twitter X President General Gen Commander Minister Ministry Mr Mrs Ms Dr Colonel "
    "Col Lt Captain Sergeant Prime Deputy Chief Spokesman Spokesperson After Before Despite During On In "
    "At Since While When As But And However Meanwhile Earlier Later Also Yet Still Following Amid "
    "According If Although Though Because Then Now Today Yesterday Overnight Last Next Some Many "
    "Several Most All Both Each Other Residents Witnesses Officials Sources Reports Local "
    # sentence-initial adverbs and conjunctions ("Soon explosions were bursting"): some are also
    # alternate names of places somewhere
    "Soon Here There Once Again Instead Thus Hence Nevertheless Nonetheless Already Finally Eventually "
    "Suddenly Recently Currently Initially Previously Subsequently Afterwards Afterward Elsewhere Moreover "
    "Furthermore Otherwise Indeed Perhaps Even Just Only Until Unless Whether Where Why How What Who Which "
    "Whose Whatever Shortly Overall Further Nearby "
    # speakers and actors at the start of a sentence ("Police said the city ...")
    "Police Army Military Government Rebels Troops Soldiers Militants Fighters Forces Security Analysts "
    "Diplomats Activists Authorities Observers Militia Insurgents").split())

PERSON_TITLES = re.compile(
    r"\b(?:President|Gen\.?|General|Commander|Minister|Mr\.?|Mrs\.?|Ms\.?|Dr\.?|Colonel|Col\.?|Lt\.?|"
    r"Captain|Sheikh|Prince|King|Emir|Leader|spokesman|spokesperson|commander|chief|leader)\s*$")

# Words written in lowercase in running text; in a title-case headline they are lowered
# again so that the grammar can tell them from names ("Rebels Capture Key Town Near Capital").
_FUNCTION_WORDS = frozenset((
    "a an the of in on at to from by for with as and or but near into onto over under after before "
    "says say said is are was were has have had it its their his her they we he she this that key new "
    "big major last first second largest nearby outskirts gates edge heart centre center").split())
_TITLE_WORD = re.compile(r"\b[A-Z][a-z'’-]*\b")
_WORD_START_CAPITAL = re.compile(r"(?<!\S)[\"“‘(]?[A-Z0-9]")


_COMMON_WORDS = _FUNCTION_WORDS | PLACE_NOUNS | PLACE_MODIFIERS | NP_STOP_WORDS | frozenset(FORCE_NOUNS)


def is_title_case(sentence: str) -> bool:
    """A headline in title case ("Rebels Capture Key Town Near Capital")."""
    words = sentence.split(None, 6)
    if len(words) < 4 or sum(w[0].islower() for w in words[:6]) > 1:
        return False  # running text: lowercase words among the first few
    return len(_WORD_START_CAPITAL.findall(sentence)) >= 0.7 * (sentence.count(" ") + 1)


def untitle(sentence: str) -> str:
    """A title-case sentence with its common words lowered (same length, same offsets);
    other sentences unchanged."""
    if not is_title_case(sentence):
        return sentence
    return _TITLE_WORD.sub(lambda m: m.group().lower() if m.group().lower() in _COMMON_WORDS else m.group(),
                           sentence)

