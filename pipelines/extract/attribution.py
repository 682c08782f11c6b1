"""Who makes a claim (``claimed_by``) and how (``stance``: asserted / denied / historical).

Attribution frames recognised: "X said/says/told/reported/confirmed/announced/claimed...",
inverted "..., said X", "according to X", "with X stating", speaker of a quotation that
spans sentences, and pronoun carry-over ("he said", "the ministry added") to the last named
source. A denial ("denied that", "rejects the ... claim", "This is not true", "There is no
truth to") turns the claims in its scope into ``denied`` claims of the denier; a claim in a
sentence about an earlier year than the article's is ``historical``.
"""
from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from .keywords import words_pattern
from .lexicon import MONTH_NAMES

_REPORT_VERB = (r"said|says|say|told|tells|tell|added|adds|stated|states|announced|announces|"
                r"claimed|claims|claim|reported|reports|confirmed|confirms|asserted|asserts|insisted|"
                r"insists|tweeted|wrote|writes|declared|declares|warned|noted|suggested|suggests|"
                r"suggest|indicated|indicates|showed|show|acknowledged|estimated|posted|"
                r"denied|denies|deny|rejected|rejects|dismissed|dismisses|disputed")
_VERB = words_pattern(_REPORT_VERB.split("|"))
# Verbs that also introduce an inverted frame: '..., said the minister'.
_INVERTING = frozenset("said says added adds told wrote tweeted declared insisted stated".split())
_SPEAKER_AFTER = re.compile(
    r"\s+(?P<who>(?:the\s+)?(?:[A-Za-z][\w'’.-]*\s+){0,7}?[A-Za-z][\w'’.-]*)"
    r"(?=\s*(?:[,.;]|$|\s+(?:in|on|at|who|adding|according|told|said|to)\b))")
# Between a speaker and the verb: "X has also said", "X on Monday flatly denied".
_BEFORE_VERB_FILLER = frozenset("has have had also further earlier later previously flatly categorically "
                                "indirectly on monday tuesday wednesday thursday friday saturday sunday".split())
_SPEAKER_STOP = frozenset("and but while as that after when however meanwhile whereas".split())
_FRAME_PUNCT = ",;:“”\"(—–"
MAX_SPEAKER_WORDS = 10
_ACCORDING_TO = re.compile(r"\baccording\s+to\s+(?P<who>[^,.;:]{2,80})")
_WITH_STATING = re.compile(r"\bwith\s+(?P<who>(?:the\s+)?[^,.;]{2,60}?)\s+(?:stating|saying|adding|claiming|announcing)\b")
_PRONOUN = re.compile(r"^(?:he|she|they|it|we|i)$", re.I)
_DEFINITE_ROLE = re.compile(r"^[Tt]he\s+(?:[a-z]+\s+){0,2}[a-z]+$")
_CAPITAL_WORD = re.compile(r"[A-Z]")
_DASH = re.compile(r"\s[-–—]\s")
_INDEFINITE_SOURCE = re.compile(r"^(?:an?|some|local)\s", re.I)
_NOT_SPEAKER = re.compile(r"\b(?:that|which|it|this|there|who|and|or|but)$|^(?:that|which|who)\b|"
                          r"\b(?:is|was|were|are|had|has|have|be|been|will|would)\b", re.I)
_LEADING_LINK = re.compile(r"^(?:(?:however|meanwhile|also|but|and|while|as|whereas|although|though|after|when|"
                           r"earlier|later|despite\s+this|on\s+\w+day)\s*,?\s+)+", re.I)

# Words of a denial, for the pre-test of sentences (ANAPHORIC_DENIAL needs one of them).
DENIAL_KEYWORDS = ("deny", "denie", "denied", "reject", "dismiss", "refut", "is not true", "is false", "a lie",
                   "a claim", "claims are", "claim is", "claims were", "claim was", "report was", "reports were",
                   "report is", "reports are", "not true")
DENIAL_CUE = re.compile(
    r"\b(?:den(?:y|ies|ied|ying)|reject(?:s|ed|ing)?|dismiss(?:es|ed|ing)?|refut(?:e|es|ed|ing)|"
    r"rebuff(?:s|ed)?|disput(?:e|es|ed)|not\s+true|no\s+truth|untrue|false|baseless|fabricat\w+|"
    r"fake\s+news|categorically)\b", re.I | re.ASCII)
# A new assertion inside a sentence ends the scope of a denial.
_DENIAL_SCOPE_END = re.compile(r";|\b(?:and|but)\s+(?:\w+\s+){0,2}(?:said|says|added|insisted|confirmed)\b|,\s+(?:saying|adding)\b", re.I | re.ASCII)
# An anaphoric denial: "denies it", "rejects the Dessie claim", "This is not true".
ANAPHORIC_DENIAL = re.compile(
    r"\b(?:den(?:y|ies|ied)|reject(?:s|ed)?|dismiss(?:es|ed)?|refut(?:es|ed))\s+(?:(?:it|this|that|them)(?=\s*(?:[.,;]|$|as\b))|"
    r"(?:(?:the|these|those|such)\s+)?(?:(?P<about>(?-i:[A-Z])[\w'’-]*(?:\s+(?-i:[A-Z])[\w'’-]*)*)\s+|[a-z]+\s+)?"
    r"(?:claims?|reports?|allegations?|assertions?|statements?))\b|^\W*(?:this|that|it)\s+is\s+(?:not\s+true|false|a\s+lie)|"
    r"\b(?:claims?|reports?)\s+(?:are|is|were|was)\s+[“\"‘']?(?:all\s+)?(?:not\s+true|lies|a\s+lie|false|untrue|baseless|fabricated|propaganda)\b|"
    r"\ba\s+claim\s+(?:that\s+|which\s+)?(?:\w+ly\s+)?(?:(?P<denier>(?:[\w'’-]+\s+){1,4}?)(?:has\s+|had\s+)?)?"
    r"(?:rejected|denied|dismissed|disputed)\b(?:\s+by\s+(?P<agent>[^,.;]{2,60}))?",
    re.I)

_YEAR = re.compile(r"\b(?:in|since|during|back\s+in|by|of)\s+(?:early\s+|late\s+|mid-?)?"
                   rf"(?:(?:{MONTH_NAMES})\s+(?:\d{{1,2}},?\s+)?)?((?:19|20)\d\d)\b", re.I | re.ASCII)
_MONTHS = MONTH_NAMES.lower().split("|")
_PAST_CUES = ("ago", "back in", "last year", "previously", "had earlier", "had once", "height of", "earlier in the war",
              "last month", *(f"last {month[:3]}" for month in _MONTHS))
# "was ejected from X in 2011 and has since been driven from ...": a dated event before the report
_SINCE_THEN = re.compile(r"\b(?:has|have|had)\s+since\b|\bsince\s+then\b", re.I | re.ASCII)
_ANY_YEAR = re.compile(r"(?<![\w])(?:19|20)\d\d(?!\d)")  # starts with a literal: fast to scan for
_PAST_MARKER = re.compile(r"\b(?:\d+|two|three|four|five|six|seven|eight|nine|ten|several|many|a\s+few)\s+"
                          r"(?:years?|months?|weeks?)\s+ago\b|"
                          r"\bdecades?\s+ago\b|(?<!pull\s)(?<!pulls\s)(?<!pulled\s)(?<!pulling\s)(?<!fell\s)(?<!moved\s)\bback\s+in\s+(?!the\s+hands\b|(?:full\s+|complete\s+)?control\b|(?:government|rebel|army|their|our|its)\b)|\blast\s+year\b|\bhad\s+(?:previously|earlier|once)\b|"
                          rf"\blast\s+month\b|\blast\s+(?-i:{MONTH_NAMES})\b|"
                          r"\bat\s+the\s+height\s+of\b|\bearlier\s+in\s+the\s+war\b", re.I | re.ASCII)


@dataclass(frozen=True, slots=True)
class Frame:
    """A reporting frame in a sentence: who speaks, and where the verb is."""

    who: str
    position: int


def speaker_frames(sentence: str) -> list[Frame]:
    """All attribution frames of a sentence, in order of position."""
    frames: list[Frame] = []
    if "according" in sentence:
        frames += [Frame(m.group("who"), m.start("who")) for m in _ACCORDING_TO.finditer(sentence)]
    if "ing" in sentence:
        frames += [Frame(m.group("who"), m.start("who")) for m in _WITH_STATING.finditer(sentence)]
    for verb in _VERB.finditer(sentence):
        before = sentence[max(0, verb.start() - 200):verb.start()].rstrip()
        named = _ROLE_AND_NAME.search(before) if before.endswith(",") else None
        if named:  # "A senior spokesman, Bismillah Khan, said ...": not an inverted frame
            frames.append(Frame(named.group("who"), verb.start() - 1))
            continue
        if verb.group() == "told" and before.endswith(","):
            # '"...," Name, a spokesman for X, told Reuters': the speaker is before "told", never after it
            quote_end = max(before.rfind("”"), before.rfind('"'))
            head = before[quote_end + 1:].strip(" ,").split(",")[0].strip() if quote_end >= 0 else ""
            if head and _clean_speaker(head):
                frames.append(Frame(head, verb.start() - 1))
                continue
        if before and before[-1] in ",”\"" and verb.group() in _INVERTING and verb.group() != "told":
            after = _SPEAKER_AFTER.match(sentence, verb.end())
            if after and _clean_speaker(after.group("who")):
                frames.append(Frame(after.group("who"), after.start("who")))
                continue
        who = _speaker_before(before)
        if who:
            frames.append(Frame(who, verb.start() - 1))
    frames = [Frame(who, f.position) for f in frames if (who := _clean_speaker(f.who))]
    frames.sort(key=lambda f: f.position)
    return frames


_ROLE_AND_NAME = re.compile(r"\b(?:spokes\w+|official|minister|commander|chief|leader|governor|general|colonel|"
                            r"source|analyst|envoy|head|director|mayor)\s*,\s*(?P<who>[A-Z][\w'’.-]*(?:\s+[A-Z][\w'’.-]*){0,3})\s*,$")
_RELATIVE_BEFORE_VERB = re.compile(r",\s+(?:who|which)\s+[^,;]{1,120},$")
_APPOSITION_BEFORE_VERB = re.compile(r"(?<=[a-z])\s*,\s+(?:a|an|the|including|such\s+as|among\s+them)\s+[^,;]{1,60},$")


def _speaker_before(before: str) -> str | None:
    """The subject of a reporting verb: the words back to a clause boundary (at most ten)."""
    if before.endswith(","):  # "The woman, who would not give her name, said": the woman
        before = _RELATIVE_BEFORE_VERB.sub("", before)
        before = _APPOSITION_BEFORE_VERB.sub("", before)  # "Ayoub Nahar, an RSF official, stated"
    cut = max(before.rfind(c) for c in _FRAME_PUNCT)
    dash = before.rfind(" - ")
    words = before[max(cut, dash + 2 if dash >= 0 else -1) + 1:].split()
    while words and (words[-1].lower() in _BEFORE_VERB_FILLER or words[-1].endswith("ly")):
        words.pop()
    start = max(0, len(words) - MAX_SPEAKER_WORDS)
    for k in range(len(words) - 1, start - 1, -1):
        if words[k].lower() in _SPEAKER_STOP and not (words[k] == "and" and k and words[k - 1][:1].isupper()):
            start = k + 1
            break
    return " ".join(words[start:]) or None


def _clean_speaker(who: str) -> str | None:
    who = who.strip(" ,.“”\"'")
    who = _LEADING_LINK.sub("", _DASH.split(who)[-1])
    if not who or _NOT_SPEAKER.search(who) or len(who) > 90:
        return None
    if who.lower() in {"reports", "sources"} or _PRONOUN.match(who):
        return who
    if not (_CAPITAL_WORD.search(who) or _DEFINITE_ROLE.match(who) or _INDEFINITE_SOURCE.match(who)):
        return None
    return who


def is_pronoun(who: str) -> bool:
    """A speaker that stands for someone named earlier ("he", "the ministry")."""
    return bool(_PRONOUN.match(who) or (_DEFINITE_ROLE.match(who) and not _CAPITAL_WORD.search(who[1:])))


def claimant_at(frames: list[Frame], position: int) -> str | None:
    """The speaker of the frame governing a claim: the nearest before it, else the first after."""
    before = [f for f in frames if f.position <= position]
    if before:
        return before[-1].who
    return frames[0].who if frames else None


def denial_scope(sentence: str) -> tuple[int, int] | None:
    """Span of the sentence under a denial cue, or None when nothing is denied."""
    cue = DENIAL_CUE.search(sentence)
    if not cue:
        return None
    end = _DENIAL_SCOPE_END.search(sentence, cue.end())
    return cue.start(), end.start() if end else len(sentence)


# "since the war began in April 2023", "since conflict broke out two months ago": the war's date, not the event's
_WAR_BEGAN = re.compile(r"\b(?:since|after|when)\s+(?:[\w'’]+\s+){0,3}?(?:war|conflict|fighting|crisis|civil\s+war|insurgency)\s+"
                        r"(?:began|broke\s+out|erupted|started)\s+(?:in\s+the\s+country\s+)?(?:(?:in|on)\s+(?:\w+\s+)?(?:\d{1,2},?\s+)?(?:19|20)\d\d\b|"
                        r"(?:\w+|a\s+few)\s+(?:years?|months?|weeks?)\s+ago\b)", re.I)


def is_historical(sentence: str, reference_year: "int | None | Callable[[], int | None]") -> bool:
    """Background that predates the reported events ("in 2012 rebels were within 5 km").

    ``reference_year`` is the year of the report, or a function computing it on demand.
    """
    if _WAR_BEGAN.search(sentence):
        sentence = _WAR_BEGAN.sub(" ", sentence)
    lowered = sentence.lower()
    if any(cue in lowered for cue in _PAST_CUES) and _PAST_MARKER.search(sentence):
        return True
    if not _ANY_YEAR.search(sentence):
        return False
    if _SINCE_THEN.search(sentence) and _YEAR.search(sentence):
        return True
    if callable(reference_year):  # computed only when a year is actually mentioned
        reference_year = reference_year()
    return reference_year is not None and any(int(y) < reference_year for y in _YEAR.findall(sentence))


_IN_MONTH = re.compile(r"\b(?i:in|since|during|by|until)\s+(?i:(?:early|late|mid-?)\s*)?(January|February|March|April|June|July|August|"
                       r"September|October|November|December)\b(?!\s+\d)")


# "on 2 April", "on April 2" (a year after it is handled as a year)
_ON_DATE = re.compile(rf"\b(?i:on)\s+(?:\d{{1,2}}(?:st|nd|rd|th)?\s+({MONTH_NAMES})\b(?!,?\s+\d{{4}})|"
                      rf"({MONTH_NAMES})\s+\d{{1,2}}(?:st|nd|rd|th)?\b(?!,?\s+\d{{4}}))")


# A non-restrictive relative clause: "the junta, which in 2020 seized power, ...", "the city, where he has
# been holed up since fleeing the capital last month"
_RELATIVE_CLAUSE = re.compile(r",\s+(?:which|who|whose|where)\s+[^,;]*")


def dated_only_in_relative(sentence: str, position: int, reference_year, published: str | None) -> bool:
    """The sentence's background date sits only in a relative clause that does not hold
    ``position`` ("The capture of X is a success for the junta, which in 2020 seized power")."""
    clauses = list(_RELATIVE_CLAUSE.finditer(sentence))
    if not clauses or any(c.start() <= position < c.end() for c in clauses):
        return False
    rest = _RELATIVE_CLAUSE.sub(" ", sentence)
    return not (is_historical(rest, reference_year) or is_earlier_month(rest, published))


def is_earlier_month(sentence: str, published: str | None) -> bool:
    """"In July, rebels captured X" or "seized X on 2 April" in an article published in November: background."""
    if not published or len(published) < 7 or not published[5:7].isdigit():
        return False
    month = int(published[5:7])
    if not 1 <= month <= 12:
        return False
    if any(_MONTHS.index(m.lower()) + 1 < month for m in _IN_MONTH.findall(sentence)):
        return True
    return "on " in sentence and any(_MONTHS.index((a or b).lower()) + 1 < month for a, b in _ON_DATE.findall(sentence))


_RECENT_TIME = re.compile(r"\b(?:(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day|yesterday|today|tonight|overnight|"
                          r"last\s+night|this\s+(?:morning|week))\b", re.I | re.ASCII)
_CLAUSE_MARK = re.compile(r"[,;:]|\s[-–—]\s")


def recent_clause(sentence: str, position: int) -> bool:
    """The clause of ``position`` is dated to the reported days ("had seized X on Friday, ... in
    January") and no earlier date comes before its end: a background date further on belongs to
    another clause."""
    start = max((m.end() for m in _CLAUSE_MARK.finditer(sentence, 0, position)), default=0)
    end = _CLAUSE_MARK.search(sentence, position)
    end = end.start() if end else len(sentence)
    if not _RECENT_TIME.search(sentence, start, end):
        return False
    head = sentence[:end]
    return not (_ANY_YEAR.search(head) or _IN_MONTH.search(head) or _PAST_MARKER.search(head))


def reference_year(published: str | None, text: str) -> int | None:
    """The year of the reported events: the publication year, else the latest year mentioned."""
    if published and re.match(r"(?:19|20)\d\d", published):
        return int(published[:4])
    years = [int(y) for y in _ANY_YEAR.findall(text)]
    return max(years) if years else None


@dataclass(frozen=True, slots=True)
class Quote:
    start: int
    end: int
    speaker: str | None


_QUOTE = re.compile(r"[“\"]([^”\"]{2,1500})[”\"]")
_SAID_AFTER_QUOTE = re.compile(r"\s*,?\s*(?P<a>(?:[\w'’.-]+\s+){0,8}?[\w'’.-]+)\s+(?:said|says|told|added|wrote|tweeted|stated|declared|insisted)\b|"
                               r"\s*,?\s*(?:said|says|added)\s+(?P<b>(?:[\w'’.-]+\s+){0,8}?[\w'’.-]+?)(?=[,.;]|\s+(?:in|on|at|who)\b)")
_SAID_BEFORE_QUOTE = re.compile(r"(?P<who>(?:[\w'’.-]+\s+){0,8}?[\w'’.-]+)\s*,?\s+(?:said|says|told\s+\w+|added|stating|saying|wrote|tweeted|declared)\s*[,:]?\s*$")


def quotations(text: str) -> list[Quote]:
    """Quoted passages with their speakers (named after or before the quotation)."""
    quotes = []
    for m in _QUOTE.finditer(text):
        after = _SAID_AFTER_QUOTE.match(text, m.end(), min(len(text), m.end() + 160))
        who = after and (after.group("a") or after.group("b"))
        if not who:
            before = _SAID_BEFORE_QUOTE.search(text, max(0, m.start() - 160), m.start())
            who = before and before.group("who")
        speaker = _clean_speaker(who) if who else None
        if speaker is None and quotes and quotes[-1].speaker and m.start() - quotes[-1].end < 200:
            speaker = quotes[-1].speaker  # the next quotation of the same speaker, who is not named again
        quotes.append(Quote(m.start(), m.end(), speaker))
    return quotes
