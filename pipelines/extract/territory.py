"""Territory changes: a place captured, lost, withdrawn from, contested, recaptured or encircled.

Each trigger is a phrase family with the slot where its place sits: ``after`` the trigger
("seized X", "the loss of X", "withdrawal of troops from X"), ``before`` it ("X has fallen
to", "X is surrounded by", "X is no longer under government control"), the most recent
place for "there"/"where" (``recent``), or the place named in the clause for intransitive
withdrawals ("troops present in X have withdrawn", ``clause``).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from .keywords import ASCII_LOWER, _trie_regex, keyword_pattern
from .lexicon import ARMED_GROUPS, FORCE, FORCE_NOUNS, force_phrase_before

_CONTROL = r"(?:(?:full|complete|total|effective|firm|overall)\s+)?control\s+(?:of|over)\s+"
# The determiner of an event noun: "the capture of", "its capture of", "the rebels' capture of",
# "Russia's swift capture of".
_OWNER = (r"(?:\b(?:the|its|their|his|her|this|that)\s+|['’]s?\s+)(?:(?:swift|rapid|recent|reported|claimed|"
          r"apparent|eventual|final|complete|full|brazen|sudden|quick|dramatic|surprise|symbolic|strategic)\s+)?")
_AUX = (r"(?:is|are|was|were|has\s+been|have\s+been|had\s+been|is\s+being|are\s+being)\s+"
        r"(?P<neg>(?:not|never)\s+(?:yet\s+|been\s+)?)?(?:(?:now|also|almost|nearly|all\s+but|both|all|still|\w+ly)\s+)*")


@dataclass(frozen=True, slots=True)
class Trigger:
    pattern: re.Pattern
    event: str
    slot: str  # "after", "before", "recent", "clause" or "np" (the pattern's own group ``np``)
    hints: frozenset[str]  # lowercase word beginnings without one of which the pattern cannot match
    needs_force: bool = False  # the subject must be an armed actor ("troops fled", not "families fled")
    anchored: bool = False  # every match starts at one of the hints: try it there only (fast)
    holds: bool = False  # "the army is still in control of X": denies a capture reported elsewhere
    entry: bool = False  # entering, infiltrating: an event of its own, not folded into a capture
    ended: bool = False  # "broke the siege of X": an encirclement that is over (background)
    ground: bool = False  # an attack or a fight: not from the air ("drone attack"); on a named town, not a region


def _t(hints: str, regex: str, event: str, slot: str = "after", needs_force: bool = False,
       anchored: bool = False, holds: bool = False, entry: bool = False, ended: bool = False,
       ground: bool = False) -> Trigger:
    # ASCII: the phrases are English words (and much faster to match than Unicode classes);
    # the article's unusual spaces are made plain before matching, see Article.
    return Trigger(re.compile(regex, re.IGNORECASE | re.ASCII), event, slot, frozenset(hints.split("|")),
                   needs_force, anchored, holds, entry, ended, ground)


# Armed actors as a regex alternation ("government troops", "the RSF")
_FORCE_ALT = "(?:" + _trie_regex([w.lower() for w in FORCE_NOUNS + ARMED_GROUPS
                                   if w not in {"offensive", "advance", "column"}]) + r")\b"
# Words before an attack that make it one from the air or from afar
_AIR_ATTACK = re.compile(r"\b(?:air|aerial|drones?|missiles?|rockets?|artillery|shelling|airstrikes?|air\s+strikes?|jets?|warplanes?|"
                         r"planes?|aircraft|helicopters?|bombers?|mortars?|naval|suicide|bomb|bombing|IED|ballistic|cruise|strikes?)\s+"
                         r"(?:\w+\s+){0,2}$", re.IGNORECASE | re.ASCII)
# Who may leave a place in "soldiers and police had fled" (also the keywords of that phrase with "left")
_LEAVERS = "forces|troops|soldiers|fighters|militants|rebels|army|police|policemen|militiamen|garrison|defenders|units"
TRIGGERS: tuple[Trigger, ...] = (
    # captured
    _t("control", rf"\b(?:seiz(?:e|es|ed|ing)|captur(?:e|es|ed|ing)|took|tak(?:e|es|en|ing)|gain(?:s|ed|ing)?|"
       rf"wrest(?:s|ed|ing)?|assum(?:e|es|ed|ing)|establish(?:es|ed|ing)?|giv(?:e|es|ing)|gave|"
       rf"grabb(?:ed|ing)|secur(?:e|es|ed|ing)|claim(?:s|ed|ing)?|declar(?:e|es|ed|ing)|announc(?:e|es|ed|ing)|"
       rf"extend(?:s|ed|ing)?|consolidat(?:e|es|ed|ing)|won|wins?|winning)\s+(?:[\w'’-]+\s+){{0,4}}?{_CONTROL}", "captured"),
    # "the rebels have full control of X"
    _t("control", r"\b(?:ha(?:ve|s|d)|having)\s+(?:now\s+)?(?:full|complete|total|effective|firm)\s+control\s+(?:of|over)\s+", "captured"),
    # "government troops now had control of X", "they have now control over X"
    _t("control", r"\b(?:now\s+ha(?:ve|s|d)|ha(?:ve|s|d)\s+now)\s+(?:(?:full|complete|total|effective|firm)\s+)?control\s+(?:of|over)\s+", "captured"),
    # "consolidated their hold on X": the taker's grip, often "driving out" the last rivals
    _t("hold on|hold over|grip on|grip over", r"\b(?:consolidat|tighten|cement|extend|strengthen)\w*\s+(?:their|its|his|the\s+\w+['’]s?)\s+"
       r"(?:hold|grip)\s+(?:on|over)\s+(?=(?:the\s+(?:town|city|village|capital)\s+of\s+)?(?-i:[A-Z]))", "captured"),  # a named place, not "the region"
    # "control over X is completely ours": a capture claimed in the first person
    _t("ours", r"\bcontrol\s+(?:over|of)\s+(?P<np>(?:the\s+)?(?:[\w'’-]+\s+){0,3}?[\w'’-]+)\s+is\s+(?:now\s+)?(?:\w+ly\s+)?ours\b",
       "captured", "np"),
    # "troops raising their flags in A and B": a place taken (or taken back)
    _t("flags in|flag in|flags over|flag over|flags on|flag on|flags above|flag above", r"\b(?:rais(?:ed|ing|es|e)|hoist(?:ed|ing|s)?|plant(?:ed|ing|s)?)\s+(?:the\s+|their\s+|its\s+)?(?:[\w-]+\s+){0,2}?flags?\s+"
       r"(?:in|over|above|on)\s+(?=(?:the\s+(?:town|city|village)\s+of\s+)?(?-i:[A-Z]))", "captured", needs_force=True),
    # "denied reports of the RSF controlling X": the claim a denial is about
    _t("controlling", rf"\b(?:reports?|claims?|allegations?)\s+(?:of|that)\s+(?:the\s+)?(?:[\w'’()-]+\s+){{0,5}}?{_FORCE_ALT}\s+(?:\([\w-]+\)\s+)?"
       r"(?:now\s+|fully\s+)?controlling\s+(?=(?-i:[A-Z]))", "captured"),
    # "the rebels now control X", "we almost entirely control the town", "they say they control X"
    _t("control", r"\b(?:(?:now|fully|completely|entirely|effectively|totally)\s+|(?:we|they)\s+(?:now\s+|already\s+)?"
       r"(?:(?:almost|nearly|fully|entirely|completely|totally)\s+){0,2})control(?:s|led)?\s+(?!of\b|over\b)", "captured"),
    # "X is now under the control of Y", "X is under our control", "X is in the hands of Y": a capture claimed
    _t("control|hands", r"\b(?:is|are|(?:was|were)(?=\s+now\b))\s+(?P<neg>not\s+)?(?:now\s+|currently\s+|fully\s+|completely\s+|entirely\s+|firmly\s+)?"
       r"(?:under\s+(?:the\s+)?(?:(?:full|complete|total|effective)\s+)?(?:(?!control\b)[\w'’-]+\s+){0,3}?control|"
       r"in\s+the\s+hands\s+of|in\s+(?:our|their|rebel|(?:[\w-]+\s+){0,2}?[\w-]+['’]s?)\s+hands)\b", "captured", "before"),
    # "X is back in the hands of Y", "X is back under government control"
    _t("back in|back under", r"\b(?:is|are|was|were)\s+(?:now\s+)?back\s+(?:under\s+(?:the\s+)?(?:(?!control\b)[\w'’-]+\s+){0,3}?control|"
       r"in\s+(?:the\s+)?(?:[\w'’-]+\s+){0,3}?hands)\b", "recaptured", "before"),
    # "the army is back in control of X"; "troops repelled the assault and were back in control" (of the place just named)
    _t("back in", r"\b(?:is|are|was|were)\s+(?:now\s+)?back\s+in\s+(?:(?:full|complete|total)\s+)?control\s+of\s+", "recaptured"),
    _t("back in", r"\b(?:is|are|was|were)\s+(?:now\s+)?back\s+in\s+(?:(?:full|complete|total)\s+)?control\b(?!\s+of\b)",
       "recaptured", "recent"),
    # "troops no longer control X"; "X is no longer in government hands"
    _t("no longer", r"\bno\s+longer\s+(?:fully\s+)?(?:control|controls|hold|holds)\s+", "lost"),
    _t("no longer", r"\b(?:is|are|was|were)\s+no\s+longer\s+in\s+(?:[\w'’-]+\s+){0,2}?hands\b", "lost", "before"),
    # "X is now held by Y", "X was occupied by Y"
    _t("held by|controlled|occupied|conquered|stormed", rf"\b{_AUX}(?:(?:now\s+)?(?:held|controlled)|occupied|conquered|stormed)\s+by\b", "captured", "before"),
    # "insurgents occupied X", "conquered X" (not "the occupied city", "Russian-occupied X")
    _t("occup|conquer", r"(?<![-\w])(?<!the\s)(?<!in\s)(?:occupied|occupies|occupying|conquered|conquers|conquering)\s+(?!by\b|territor)",
       "captured", needs_force=True, anchored=True),
    # "cleared X of militants", "X has been cleared of fighters"
    _t("clear|cleans|purg", r"\b(?:clear(?:ed|ing|s)?|cleans(?:ed|ing)|purg(?:ed|ing))\s+(?P<np>(?:the\s+)?(?:[\w'’-]+\s+){0,4}?[\w'’-]+)\s+of\s+"
       r"(?:all\s+|the\s+)?(?:remaining\s+|last\s+)?(?:[\w'’-]+\s+){0,2}?(?:militants|rebels|insurgents|fighters|terrorists|gangs?|gangsters|"
       r"jihadists|separatists|troops|forces|gunmen|enemy|militia|militiamen)\b", "captured", "np", anchored=True),
    _t("cleared|cleansed|purged|freed", rf"\b{_AUX}(?:cleared|cleansed|purged|freed)\s+of\b", "captured", "before"),
    _t("control", r"\b(?:managed|able|succeeded|moved)\s+to\s+(?:take\s+|seize\s+)?control\s+(?:of\s+|over\s+)?", "captured"),
    _t("seiz|captur|took|take|taking|overr", r"\b(?:seiz(?:e|es|ed|ing)|captur(?:e|es|ed|ing)|took(?:\s+over)?|tak(?:e|es|en|ing)(?:\s+over)?|"
       r"overr(?:an|un|unning|uns))(?:\s+"
       r"(?!of\b|by\b|back\b|(?:\w+\s+)?control\b|(?:up\s+)?(?:\w+\s+)?positions\b)|(?=[.;]))", "captured", anchored=True),
    _t("capture|seizure|fall of|takeover|overrun", rf"{_OWNER}(?:capture|seizure|fall|takeover|overrunning)\s+of\s+",
       "captured"),
    _t("captured|seized|taken|overrun", rf"\b{_AUX}(?:captured|seized|taken|overrun)\b(?!\s+(?:part|place|to|into|hostage|prisoner))", "captured", "before"),
    _t("fell|falls|fallen", r"\b(?:fell|falls|fallen)\s+(?:in)?to\b(?!\s+(?:its|the)\s+knees)", "captured", "before", anchored=True),
    _t("fell|fallen", r"\b(?:fell|(?:has|have|had)\s+(?:now\s+)?fallen)\b(?!\s+(?:in)?to\b|\s+(?:by|from|silent|short|back|apart|off|behind|below|under|sharply))",
       "captured", "before"),
    _t("surrender", r"\bsurrender(?:ed|s)?\s+to\b", "captured", "before", anchored=True),
    _t("storm", r"\bstorm(?:ed|ing|s)\s+(?!of\b|out\b|off\b|through\b)", "captured", needs_force=True, anchored=True),
    # "government forces left and al Shabaab seized control": the place just named
    _t("control", r"\b(?:seiz(?:ed|es|ing)|took|tak(?:en|es|ing)|gain(?:ed|s|ing)|assum(?:ed|es|ing)|wrest(?:ed|s))\s+"
       r"(?:(?:full|complete|total|effective)\s+)?control\b(?!\s+(?:of|over)\b)(?=\s*(?:[,.;:\"]|and\b|$))", "captured", "recent"),
    # "the rebels say they are now in full control of X": a capture claimed
    _t("control", r"\b(?:is|are|was|were)\s+(?:(?:now|already)\s+in\s+(?:(?:full|complete|total|effective)\s+)?|"
       r"in\s+(?:full|complete|total)\s+)control\s+of\s+", "captured"),
    # "the army was still in control of X", "troops remain in control of X": a capture denied
    _t("still in|still control|still hold|still held|still firmly|still fully|remains in|remain in|remained in|"
       "continues to hold|continue to hold|continued to hold|continues to control|continue to control|continued to control|"
       "firmly in|remains firmly|remain firmly|remained firmly|remains fully|remain fully|remained fully",
       r"\b(?:still|remains?|remained|firmly|continues\s+to|continue\s+to|continued\s+to)\s+(?:(?:firmly|fully|in\s+full|in\s+complete)\s+)?"
       r"(?:in\s+(?:(?:full|complete|total|firm)\s+)?control\s+of|controls?|holds?|held)\s+", "captured", holds=True),
    # "the insurgents were not in full control": a capture denied, of the place just named
    _t("control", r"\b(?:is|are|was|were)\s+not\s+in\s+(?:(?:full|complete|total|effective)\s+)?control\b(?!\s+of\b)",
       "captured", "recent", holds=True),
    # "the town came under rebel forces": under their control
    _t("came under|come under|comes under", rf"\b(?:came|come|comes)\s+under\s+(?:the\s+)?(?:[\w'’-]+\s+){{0,2}}?{_FORCE_ALT}(?!\s+(?:attack|fire|assault|shelling))",
       "captured", "before"),
    _t("came|fell|passed|control|hands", r"\b(?:came|comes|fell|falls|passed)\s+(?:under\s+(?:the\s+)?(?:[\w'’-]+\s+){0,2}?control|"
       r"into\s+the\s+hands)\b", "captured", "before"),
    # recaptured
    _t("recaptur|retook|retak|re-took|re-captured|won back|regain|took back|taken back|taking back|take back|reclaim",
       rf"\b(?:recaptur(?:e|es|ed|ing)|reclaim(?:s|ed|ing)?|retook|retak(?:e|es|en|ing)|re-took|re-captured|won\s+back|(?:took|tak(?:e|es|en|ing))\s+back|"
       rf"regain(?:s|ed|ing)?(?:\s+{_CONTROL}(?=\S)|(?=\s)))\b\s*", "recaptured", anchored=True),  # a whole word: "retaken", not "retake"+"n"
    # "liberated" is how a capturing side announces its captures
    _t("liberat", r"\b(?:liberat(?:e|es|ed|ing)|the\s+liberation\s+of)\s+", "captured"),
    _t("recapture", rf"{_OWNER}recapture\s+of\s+", "recaptured"),
    _t("push|drove|driven|drive|forced", r"\b(?:push(?:ed|ing)?|drove|driven|drive|forced)\s+(?:(?:[\w'’-]+\s+){0,4}?"
       r"(?:back\s+from|out\s+of)|back\s+(?:[\w'’-]+\s+){1,4}?(?:from|out\s+of))\s+", "recaptured", anchored=True),
    _t("recaptured|retaken", rf"\b{_AUX}(?:recaptured|retaken)\b", "recaptured", "before"),
    _t("drove|ousted|expelled|ejected|chased|evicted", r"\b(?:drove|ousted|expelled|ejected|chased|evicted)\s+(?!out\b|from\b)"
       r"(?:[\w'’-]+\s+){1,4}?(?:from|out\s+of)\s+", "recaptured", anchored=True),
    # "the group was ejected from X in 2011", "were driven from X"
    _t("ejected|expelled|chased|driven|ousted|evicted|kicked|pushed|forced|routed", r"\b(?:was|were|been|being|get|got)\s+(?:\w+\s+)?"
       r"(?:(?:ejected|expelled|chased|driven|ousted|evicted|kicked|pushed|forced|routed)\s+from|"
       r"(?:ejected|expelled|chased|ousted|evicted|kicked|routed)\s+out\s+of)\s+", "lost"),
    _t("liberated", rf"\b{_AUX}liberated\b", "captured", "before"),
    # lost
    _t("lost|losing", rf"\blos(?:t|ing)\s+(?:{_CONTROL})?", "lost", anchored=True),
    _t("loss", rf"{_OWNER}loss\s+of\s+", "lost"),
    _t("no longer", r"\b(?:is|are|was|were)\s+no\s+longer\s+(?:under|in)\s+(?:[\w'’-]+\s+){0,2}control\b", "lost", "before"),
    _t("lost", rf"\b{_AUX}lost\b", "lost", "before"),
    # withdrawn_from
    _t("withdr|retreat", r"\b(?:withdr(?:ew|awn|awing|aws|aw)|retreat(?:ed|ing|s)?)\s+(?:[\w'’()-]+\s+){0,9}?(?:from|out\s+of)\s+",
       "withdrawn_from", anchored=True),
    _t("pull", r"\bpull(?:ed|ing|s)?\s+(?:(?:[\w'’-]+\s+){0,3}?out\s+of|back\s+from|out\s+from|back\s+in(?=\s+(?-i:[A-Z])))\s+", "withdrawn_from", anchored=True),
    # "'We retreated to avoid losses,' said an officer", "we had to retreat": from the place just named
    _t("retreat|withdr|pulled", r"\b(?:we|they)\s+(?:had\s+to\s+|have\s+|had\s+)?(?:retreat(?:ed)?|withdr(?:ew|awn|aw)|pulled\s+(?:out|back))\b"
       r"(?!\s+(?:from|out|of|to\s+(?:the\s+)?(?-i:[A-Z])|into|towards?|the|a|an|its|our|their|this|that)\b)", "withdrawn_from", "recent"),
    _t("withdrawal|retreat|pull-out|pullout|pullback", r"\b(?:withdrawal|retreat|pull-?out|pullback)\s+(?:of\s+(?:[\w'’-]+\s+){1,5}?)?(?:from|out\s+of)\s+", "withdrawn_from", anchored=True),
    _t("fled|flee|abandon", r"\b(?:fled|flee|flees|fleeing|abandon(?:ed|ing|s)?)\s+(?:from\s+)?", "withdrawn_from", needs_force=True, anchored=True),
    _t("positions", r"\bleft\s+(?=(?:their|its|his)\s+positions\b)", "withdrawn_from"),
    # "the Russians were leaving Gori", "troops vacated the base", "soldiers evacuated X"
    _t("left|leaving|leaves|vacat|evacuated|evacuating", r"\b(?:left|leaving|leaves|vacat(?:ed|ing|es)|evacuat(?:ed|ing))\s+"
       r"(?=(?:the|their|its|his)\s+(?:[\w-]+\s+){0,3}?(?:towns?|city|cities|capital|villages?|bases?|airbase|airport|garrison|camps?|barracks|"
       r"areas?|district|province|region|enclave|positions?|posts?|headquarters|stronghold|compound)\b|(?:the|their|its|his)\s+(?:[\w-]+\s+)?(?-i:[A-Z])|"
       r"(?-i:[A-Z]))",
       "withdrawn_from", needs_force=True, anchored=True, ground=True),
    # "X was abandoned by government troops"
    _t("abandoned|evacuated|vacated|deserted", rf"\b{_AUX}(?:abandoned|evacuated|vacated|deserted)\s+by\b(?=\s+(?:the\s+|its\s+)?"
       rf"(?:[\w'’()-]+\s+){{0,3}}?{_FORCE_ALT})", "withdrawn_from", "before"),
    _t("left the|left their|left its|left his", r"\bleft\s+(?=(?:the|their|its|his)\s+(?:\w+\s+)?(?:town|city|village|base|barracks|garrison|camp|area)\b)",
       "withdrawn_from", needs_force=True, anchored=True),
    # "soldiers and police had fled hours before the rebels arrived": from the place just named
    _t("fled|withdrew|pulled out|retreated|retreating|withdrawing|fleeing|pulling out|" + "|".join(f"{n} {a}left" for n in _LEAVERS.split("|")
                                                       for a in ("", "had ", "have ", "has ")), r"\b(?:forces|troops|soldiers|fighters|militants|rebels|army|police|policemen|"
       r"militiamen|garrison|defenders|units)\s+(?:(?:had\s+|have\s+|has\s+)?(?:\w+ly\s+)?(?:left|fled|withdrew|pulled\s+out|retreated)|"
       r"(?:were|was|are|is)\s+(?:\w+ly\s+)?(?:retreating|withdrawing|fleeing|pulling\s+out))\b"
       r"(?!\s+(?:from|of|into|out|in|the|their|its|a|an|with|behind)\b|\s+(?-i:[A-Z]))", "withdrawn_from", "recent"),
    # "then withdrew to their hideouts", "began to retreat towards X": they left the place of the story
    _t("withdr|retreat|pull", r"\b(?:before|after|then|later|subsequently|(?:began|started|had)\s+to)\s+(?:\w+\s+)?(?:withdrawing|withdrew|withdraw|"
       r"retreating|retreated|retreat|pulling\s+out|pulled\s+out|pull\s+out)\b(?!\s+(?:from|out))", "withdrawn_from", "recent"),
    _t("withdrawn|retreated|pulled out", r"\b(?:have|has|had)\s+(?:\w+\s+)?(?:withdrawn|retreated|pulled\s+out)\b(?!\s+(?:from|of|to|their|its))", "withdrawn_from", "clause"),
    # contested
    _t("enter|broke into|broken|break into|push|advanc|infiltrat|penetrat|moved|moving", r"\b(?:entered|enter|enters|entering|broke\s+into|broken\s+into|break\s+into|push(?:ed|ing)?\s+into|"
       r"mov(?:ed|ing)\s+(?:back\s+)?into|"
       r"advanc(?:ed|ing|e)\s+into|infiltrat(?:ed|ing)|penetrat(?:ed|ing))\s+", "contested", needs_force=True, anchored=True,
       entry=True),
    # "swept into X", "stormed into X", "fought their way into X", "crossed the bridge into X"
    _t("their way|its way|his way", r"\b(?:fought|forced|made|making|fighting|forcing)\s+(?:their|its|his)\s+way\s+into\s+",
       "contested", needs_force=True, entry=True),
    _t("swept|sweep|rolled|rolling|marched|marching|poured|pouring|stormed|storming|burst|crossed|crossing|"
       "drove|driving|incursion", r"\b(?:(?:swept|sweeping|rolled|rolling|marched|marching|poured|pouring|stormed|storming|burst|bursting|"
       r"drove|driving)\s+(?:back\s+)?(?:(?:from|across|through)\s+(?:the\s+)?(?:(?-i:[A-Z])[\w'’-]*\s+){1,3})?into|"
       r"cross(?:ed|ing)\s+(?:[\w.'’-]+\s+){1,6}?into|incursions?\s+into\s+(?:(?:various|several|some)\s+)?(?:areas|parts|neighbou?rhoods)\s+of)\s+",
       "contested", needs_force=True, anchored=True, entry=True),
    # "fighting in X", "clashes with the army in X", "rebels fought government troops in X", "clashes between A and B in X"
    # (with an armed object or "between": a fight of its own, on a named town)
    _t("fight|fought|clash|battl|combat|skirmish|gunfight", rf"\b(?:fighting|clashes|battles?|combat|gunfights?|skirmishes|fights?|fought|battling|battled|clashed|clashing)\s+"
       rf"(?:with\s+(?:[\w'’-]+\s+){{1,4}}?|(?P<armed>between\s+[^.;:]{{3,90}}?\s+(?=(?:in|inside|around|for)\s)|(?:against\s+)?(?:the\s+|their\s+)?"
       rf"(?:[\w'’-]+\s+){{0,3}}?(?:{_FORCE_ALT}|enemy)\s+))?"
       r"(?:(?:was|is|has\s+been|were|are|had\s+been|continued|continues|raged|rages|raging|still|ongoing|"
       r"reportedly|also|heavily|fiercely|broke\s+out|erupted|street|urban|under\s+way|underway|"
       r"taking\s+place|reported|continuing|going\s+on|now|on|again|yesterday|today|tonight|overnight|late|early|"
       r"(?:mon|tues|wednes|thurs|fri|satur|sun)day|morning|afternoon|evening|night)\s+){0,4}"
       r"(?:in|for(?:\s+(?:the\s+)?control\s+of)?|inside|around|within|on\s+the\s+outskirts\s+of|at)\s+", "contested", anchored=True),
    _t("attack|raid|assault", r"\b(?:attacks?|raids?|assaults?)\s+on\s+(?=(?:the\s+(?:outskirts|edge|suburbs)\s+of\s+|[A-Z][\w'’-]*['’]s\s+(?:outskirts|suburbs)))",
       "contested", anchored=True),
    # "insurgents attacked X", "gunmen attacked the town of X" (a ground attack; air and missile strikes are not)
    _t("attack|assault|struck", r"(?<!the\s)\b(?:attacked|attacking|assaulted|struck)\s+(?!(?:and|on|in|at|from|with|by|back|again|down|out|up)\b)"
       r"(?!(?:[\w'’-]+\s+){0,2}?(?:positions?|convoys?|patrols?|vehicles?|civilians|people|residents|troops|soldiers|forces|police|"
       r"policemen|units?|bases?|camps?|targets?|checkpoints?|posts?|outposts?|ships?|boats?|aircraft|planes?|jets?)\b)",
       "contested", needs_force=True, anchored=True, ground=True),
    # "launched an attack on X", "mounted a fresh assault on X"
    _t("launched|launching|launch|mounted|mounting|mount|staged|staging|carried out|carrying out", r"\b(?:launch(?:ed|ing)?|mount(?:ed|ing)?|stag(?:ed|ing)|carr(?:ied|ying)\s+out)\s+(?:an?|the|their|its|a\s+(?:new|fresh|major)|several|multiple|repeated|new|fresh)\s+"
       r"(?:(?:new|fresh|major|ground|full-scale|large-scale|simultaneous|coordinated|dawn|night|surprise)\s+)*(?:attacks?|assaults?)\s+(?:on|against)\s+"
       r"(?!(?:\w+\s+){0,2}(?:positions|convoys?|patrols?|troops|soldiers|forces)\b)", "contested", anchored=True, ground=True),
    # "the assault on the districts of A and B", "an attack on the town of X": a ground attack on named places
    _t("attack|assault|offensive on", r"\b(?:attacks?|assaults?|offensive)\s+on\s+(?=the\s+(?:(?:[\w-]+\s+){0,2}?)(?:districts?|neighbou?rhoods?|"
       r"towns?|villages?|city|cities|suburbs?)\s+of\s+(?-i:[A-Z]))", "contested", anchored=True, ground=True),
    # "repelled an attack at X": a ground attack at a named place
    _t("attack|assault", r"\b(?:attacks?|assaults?)\s+at\s+(?=(?:the\s+)?(?-i:[A-Z]))", "contested", anchored=True, ground=True),
    # "a counterattack in the city of X", "a counter-offensive on X"
    _t("counterattack|counter-attack|counteroffensive|counter-offensive|counter-assault|counterassault", r"\bcounter-?(?:attacks?|offensives?|assaults?)\s+(?:[\w-]+\s+){0,2}?(?:in|on|against|to\s+retake)\s+"
       r"(?=(?!(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day)(?:the\s+)?(?:(?:[\w-]+\s+){0,4}?(?:city|town|village|district)\s+of\s+)?(?-i:[A-Z]))",
       "contested", anchored=True, ground=True),
    # "X was targeted by militants", "X is under attack by gangs"
    _t("targeted|under attack|under assault", rf"\b{_AUX}(?:targeted|under\s+(?!air\b|drone\b|rocket\b|missile\b)(?:\w+\s+)?(?:attack|assault))\s+by\b(?=\s+(?:the\s+|suspected\s+)?"
       rf"(?:[\w'’()-]+\s+){{0,3}}?(?:{_FORCE_ALT}|terrorists|jihadists|gangs?))", "contested", "before"),
    # "the fighting has moved to X", "battles shifted to the X area"
    _t("fight|clash|battl|combat", r"\b(?:fighting|clashes|battles?|combat)\s+(?:(?:has|have|had|now|then)\s+){0,2}(?:moved|shifted|spread|spilled\s+over)\s+"
       r"(?:in)?to\s+(?=(?:the\s+)?(?-i:[A-Z]))", "contested", anchored=True),
    _t("fight|fought|clash|battl", r"\b(?:fight|fighting|fought|clashes|battles?)\s+(?:\w+\s+)?there\b", "contested", "recent", anchored=True),
    # "fighting continues": where the last change was reported
    _t("fight|clash|battl", r"\b(?:fighting|clashes|battles?)\s+(?:continue[sd]?|(?:is|are)\s+continuing|rage[sd]?|"
       r"(?:is|are)\s+raging|goes\s+on|persists?)(?=\s*[,.;:\"”]|\s*$)", "contested", "recent", anchored=True),
    _t("fighting|clashes|battles", r"\bwhere\s+(?:heavy\s+|fierce\s+)?(?:fighting|clashes|battles)\s+(?:has|have|had|was|were|is|are|continue)",
       "contested", "recent"),
    _t("progress in|progress inside|gaining ground|gained ground|gain ground|gains ground|advancing in|advanced in|advances in",
       r"\b(?:(?:making|made|makes)\s+(?:\w+\s+)?progress|gain(?:ing|ed|s)?\s+ground|advanc(?:ing|ed|es))\s+"
       r"(?:in|inside|into\s+the\s+centre\s+of)\s+(?=(?:the\s+)?(?:(?:key|strategic|embattled|eastern|western|northern|southern)\s+)*"
       r"(?:town|city|village|[A-Z]))", "contested", needs_force=True),
    _t("operat", r"\boperat(?:ing|ed)\s+(?:in|inside|on\s+the\s+outskirts\s+of|around)\s+", "contested",
       needs_force=True, anchored=True),
    _t("positions|foothold", r"\b(?:positions|foothold)\W{0,2}\s+(?:on|in)\s+the\s+(?:outskirts|edge|suburbs)\s+of\s+", "contested", anchored=True),
    # "forces were stationed on the outskirts of X", "have passed the outskirts of X"
    _t("stationed|entrenched|dug in|pass|crossed|breach", r"\b(?:(?:stationed|entrenched|dug\s+in)\s+(?:on|at|in)|pass(?:ed|ing)|crossed|breach(?:ed|ing))\s+"
       r"the\s+(?:\w+\s+)?(?:outskirts|edge|suburbs)\s+of\s+", "contested", needs_force=True, anchored=True),
    # "rebels control parts of X", "hold half of the city": partly held
    _t("parts of|part of|half of|sections of|pockets of|neighbourhoods of|neighborhoods of|districts of", r"(?<![-\w])(?:control(?:s|led)?|hold(?:s|ing)?|held)\s+(?:\w+\s+)?(?:parts?|half|sections?|neighbou?rhoods|districts|pockets)\s+of\s+",
       "contested", needs_force=True),
    _t("reach|advanc|push|moved", r"\b(?:reach(?:ed|ing)|(?:advanc|push|mov)(?:ed|ing)\s+(?:in)?to)\s+the\s+(?:\w+\s+)?"
       r"(?:outskirts|edge|suburbs|centre|center)\s+of\s+", "contested", anchored=True),
    _t("contested|partly|partially", r"\b(?:is|are|was|were|remains?|remained)\s+(?:still\s+)?(?:contested|partly\s+held|partially\s+held)\b", "contested", "before"),
    _t("fallen", r"\bha(?:s|ve|d)\s+not\s+(?:yet\s+)?fallen\b", "contested", "before"),
    # encircled
    _t("surround|encircl|besieg|siege|blockad", r"\b(?:surround(?:ed|s)|encircl(?:e|ed|es|ing)|besieg(?:e|ed|es|ing)|"
       r"blockad(?:e|ed|es|ing)|la(?:id|y|ying)\s+siege\s+to|(?:the\s+)?(?:siege|encirclement|blockade)\s+of)\s+",
       "encircled"),
    # "surrounding" is a verb only where it is not an adjective ("X and surrounding villages")
    # ("the area surrounding X", "villages surrounding X": places near X)
    _t("surrounding", r"(?<!the\s)(?<!and\s)(?<!of\s)(?<!in\s)(?<!its\s)(?<!their\s)(?<!his\s)(?<!her\s)"
       r"(?<!area\s)(?<!areas\s)(?<!region\s)(?<!villages\s)(?<!towns\s)(?<!hills\s)(?<!countryside\s)\bsurrounding\s+", "encircled", anchored=True),
    # an encirclement that was broken or ended: background of the report
    _t("siege|encirclement|blockade", r"\b(?:broke|broken|break|breaking|lifted|lifting|lift|end|ended|ending|relieved|relieving)\s+"
       r"(?:what\s+had\s+been\s+)?(?:the\s+|an?\s+|its\s+|their\s+)?(?:[\w-]+\s+){0,2}?(?:siege|encirclement|blockade)\s+(?:of|on|around)\s+",
       "encircled", ended=True),
    _t("siege|encirclement|blockade", r"\b(?:broke|broken|break|breaking|lifted|lifting|lift|end|ended|ending|relieved|relieving)\s+"
       r"(?:what\s+had\s+been\s+)?(?:the\s+|an?\s+|its\s+|their\s+)?(?:[\w-]+\s+){0,2}?(?:siege|encirclement|blockade)\b"
       r"(?!\s+(?:of|on|around)\b)", "encircled", "recent", ended=True),
    _t("surrounded|encircled|besieged|siege|cut off", rf"\b(?:{_AUX}|remains?\s+|remained\s+)(?:surrounded|encircled|besieged|"
       r"under\s+siege|cut\s+off)\b(?!\s+(?:in|inside)\b)", "encircled", "before"),
    # "Ukrainian troops are encircled in X", "the garrison remained trapped in X"
    _t("surrounded|encircled|besieged|trapped", r"\b(?:surrounded|encircled|besieged|trapped)\s+(?:in|inside)\s+",
       "encircled", needs_force=True, anchored=True),
    # "cut off X", "closed the ring around X", "tightened the siege of X"
    _t("cut off|cutting off|closed the|closing the|close the|closed their|tighten", r"\b(?:cut(?:ting)?\s+off\s+(?!(?:from|by|in|for|at|to|and|as|after|when|since|during|because|amid|until|with)\b)(?!(?:the\s+)?(?:\w+\s+)?(?:roads?|routes?|supply|supplies|access|power|water|"
       r"electricity|network|internet|communications?|retreat|talks|aid|ties|links|the\s+road)\b)|(?:clos(?:ed|ing|e)|tighten(?:ed|ing)?)\s+(?:the|their|its)\s+"
       r"(?:ring|noose|encirclement|siege|blockade)\s+(?:around|on|of)\s+)", "encircled", needs_force=True, anchored=True),
)

# Every word a trigger needs: sentences with none of them cannot hold a territory change.
KEYWORDS: frozenset[str] = frozenset().union(*(t.hints for t in TRIGGERS))
_KEYWORD_PATTERN = keyword_pattern(KEYWORDS)
# Trigger numbers (their order in TRIGGERS) by the keywords that announce them.
_TRIGGERS_BY_HINT: dict[str, list[int]] = {}
for _number, _trigger in enumerate(TRIGGERS):
    for _hint in _trigger.hints:
        _TRIGGERS_BY_HINT.setdefault(_hint, []).append(_number)


@lru_cache(maxsize=4096)
def _hints_of(word: str) -> frozenset[str]:
    """The hints a found keyword implies: those it begins with, and those its later words begin
    with ("troops left" implies "left")."""
    starts = [0] + [k + 1 for k, c in enumerate(word) if c == " "]
    return frozenset(h for h in KEYWORDS for s in starts if word.startswith(h, s))


@lru_cache(maxsize=4096)
def _candidates(present: frozenset[str]) -> tuple[Trigger, ...]:
    """The triggers that the keywords present may announce, in their order in TRIGGERS."""
    return tuple(TRIGGERS[t] for t in sorted({t for h in present for t in _TRIGGERS_BY_HINT.get(h, ())}))


def hints_in(found_keywords) -> set[str]:
    """Trigger keywords implied by keywords found in a text: a keyword pattern reports the
    longest match at a position ("captured"), which implies the shorter ones ("captur")."""
    return set().union(*(_hints_of(k) for k in found_keywords))

# Background fighting ("four days of heavy fighting in X") is not an event of the report.
_BACKGROUND = re.compile(r"\b(?:days|weeks|months|years|decades?)\s+of\s+(?:\w+\s+)?$", re.IGNORECASE | re.ASCII)
# A modal, intent or failure before the trigger: "could fall", "vowed to take", "failed to capture".
_UNREALISED = re.compile(
    r"\b(?:could|would|may|might|will|shall|threaten\w*|plan\w*|aim\w*|attempt\w*|try|trying|tried|"
    r"seek\w*|sought|vow\w*|hop(?:e|es|ed|ing)|want\w*|intend\w*|prepar\w*|ready|bid|order\w*|effort\w*|"
    r"goal|objective|mission|drive|order|so\s+as|aspir\w*|expect\w*|determin\w*|pledg\w*|promis\w*|"
    r"fail\w*|unable|refus\w*|cannot|urg\w*|call\w*|no)\s+(?:to\s+)?(?:\w+\s+)?(?:(?:and|or)\s+(?:\w+\s+)?)?$|"
    r"\b(?:fighting|struggling|battling|working|pushing|striving)\s+to\s+(?:\w+\s+)?(?:(?:and|or)\s+(?:\w+\s+)?)?$|"
    # a purpose: "an offensive to seize", "objectives has been to encircle and", "operations to fully seize"
    r"\b(?:intent\w*|desire\w*|offensives?|campaigns?|operations?|strateg\w+|aims?|objectives?|goals?|plans?|"
    r"ambitions?|bids?|attempts?|efforts?|push|drive|threats?)\b[^.;,]{0,30}?\bto\s+(?:\w+ly\s+)?"
    r"(?:\w+\s+(?:and|or)\s+)?$|"
    # "with the aim of seizing", "could pave the way for reclaiming", "the Vostok units are to capture"
    r"\b(?:aim|intention|goal|purpose|hope|view|threat|prospect)\s+of\s+$|"
    # "they will use tanks and artillery to capture": a future means to an end
    r"\b(?:will|would|shall)\s+(?:[^.;:]{1,40}?\s)?to\s+$|"
    # "sent reinforcements to mount a counterattack": a purpose
    r"\bto\s+(?:mount|launch|stage|begin|start|carry\s+out)\s+(?:a|an|the|their|its)\s+(?:[\w-]+\s+)?$|\bpav\w*\s+the\s+way\s+(?:for|to)\s+$|"
    r"\b(?:is|are|was|were)\s+(?:due\s+|set\s+|about\s+|going\s+|poised\s+)?to\s+(?:\w+ly\s+)?$|"
    # "pleas not to enter the city", "urged them not to take"
    # "2 km away from entering the city", "stopped short of taking it": not there yet
    r"\baway\s+from\s+$|\bshort\s+of\s+$|"
    # "dig in to keep militants from capturing X", "stopped them from taking it": prevented
    r"\b(?:keep\w*|kept|stop\w*|prevent\w*|deter\w*|bar(?:s|red|ring)?)\s+(?:[\w-]+\s+){0,3}from\s+$|"
    r"\bnot\s+to\s+(?:\w+ly\s+)?$|\b(?:hold\w*\s+off|refrain\w*|desist\w*)\s+(?:on\s+|from\s+)?$|\b(?:plea\w*|appeal\w*|warn\w*)\s+(?:\w+\s+){0,3}?(?:not\s+)?to\s+(?:\w+\s+)?$", re.IGNORECASE | re.ASCII)
# "did not capture", "has never taken": a statement that the change did not happen.
_NEGATION = re.compile(r"\b(?:not|never|n't)\s+(?:yet\s+|been\s+|actually\s+|really\s+)?$", re.IGNORECASE | re.ASCII)
_GERUND_SUBJECT = re.compile(r"\W*[A-Z][a-z]+ing\b")
# "For the army, seizing X would be a major achievement": a gerund opening a clause after a comma
_GERUND = re.compile(r"[a-z]+ing\b", re.ASCII)
_CLAUSE_OPENING = re.compile(r",\s*$")
_MODAL_AFTER = re.compile(r"\b(?:would|could|might|will)\s+(?:be|mean|leave|give|deal|open|spell)\b", re.ASCII)
_NOT_YET = re.compile(r"\bnot\s+yet\b", re.IGNORECASE | re.ASCII)
# "no jihadists have entered our town": nobody did it
_NO_SUBJECT = re.compile(r"\bno\s+(?:[\w-]+\s+){0,2}(?:have|has|had|ever)\s+(?:yet\s+|ever\s+)?$", re.IGNORECASE | re.ASCII)
# The subject right before an action that needs an armed actor: "hundreds of people fled the area"
_CIVILIAN_SUBJECT = re.compile(r"\b(?:people|residents|civilians|families|villagers|inhabitants|locals|population|refugees|"
                               r"women|children|journalists|staff|workers|students|traders|patients|IDPs)\s+"
                               r"(?:(?:have|has|had|also|reportedly|then|who|all)\s+){0,2}$", re.IGNORECASE | re.ASCII)
# Words before "tanks" that make them containers, not armour ("dozens of fuel tanks entered the city").
_NOT_ARMOUR = re.compile(r"\b(?:fuel|water|oil|gas|petrol|diesel|storage|septic)\s+$", re.IGNORECASE | re.ASCII)
_LIFTED = re.compile(r"\b(?:broke|broken|break|breaking|lifted|lift|lifting|ended|end|ending|relieved|relieve)\s+"
                     r"(?:the\s+)?(?:[\w-]+\s+){0,2}(?:siege|encirclement|blockade)\b", re.IGNORECASE | re.ASCII)
_CHANGE_EVENTS = frozenset({"captured", "lost", "withdrawn_from", "recaptured"})
_REALISED = re.compile(r"(?:able|managed|forced|began|started|had)\s+to\s+$")
_LEADING_DETERMINER = re.compile(r"^(?:the|its|their|his|our)\s+", re.IGNORECASE | re.ASCII)
_AGENT_WHO = r"(?P<who>(?:the\s+)?[^,.;:]{2,70}?)(?=[,.;:]|\s+(?:on|in|after|as|and|who|which|since|following)\b|$)"
_AGENT = re.compile(rf"\s*(?:\w+\s+){{0,2}}?(?:by|to)\s+{_AGENT_WHO}")
_AGENT_BARE = re.compile(rf"\s+(?:the\s+hands\s+of\s+)?{_AGENT_WHO}")


# "attempted to capture X", "tried to retake X": an attack that happened (not "trying to", "failed to")
_ATTEMPTED = re.compile(r"\b(?:attempted|tried)\s+to\s+(?:\w+ly\s+)?$", re.IGNORECASE | re.ASCII)


@lru_cache(maxsize=64)
def _as_contested(trig: Trigger) -> Trigger:
    """The trigger of a change, read as a fight for the place (an attempt at it)."""
    return Trigger(trig.pattern, "contested", trig.slot, trig.hints, trig.needs_force, trig.anchored,
                   entry=True)


def unrealised_at(sentence: str, position: int) -> bool:
    """A modal, intent or purpose governs the word at ``position`` ("an offensive to seize")."""
    prefix = sentence[max(0, position - 40):position]
    return bool(_UNREALISED.search(prefix)) and not _REALISED.search(prefix)


def _hint_starts(lowered: str, hint: str) -> list[int]:
    """Where a hint begins a word in the lowered sentence."""
    starts = []
    at = lowered.find(hint)
    while at >= 0:
        if at == 0 or not lowered[at - 1].isalnum():
            starts.append(at)
        at = lowered.find(hint, at + 1)
    return starts


def _anchored_matches(trig: Trigger, sentence: str, lowered: str, present: set[str],
                      starts_of: dict[str, list[int]] | None = None) -> list[re.Match]:
    """Matches of a trigger that starts at its keyword, tried only where a keyword begins a word
    (``starts_of``: the word starts of each hint, shared by the triggers of one sentence)."""
    found: dict[int, re.Match] = {}
    for hint in trig.hints & present:
        if starts_of is None:
            starts = _hint_starts(lowered, hint)
        else:
            starts = starts_of.get(hint)
            if starts is None:
                starts = starts_of[hint] = _hint_starts(lowered, hint)
        for at in starts:
            if at not in found:
                m = trig.pattern.match(sentence, at)
                if m:
                    found[at] = m
    return [found[at] for at in sorted(found)] if len(found) > 1 else list(found.values())


def _force_before(sentence: str, start: int) -> bool:
    """An armed actor is named in the 120 characters before ``start`` and the subject is not civilians."""
    if _CIVILIAN_SUBJECT.search(sentence, max(0, start - 60), start):
        return False
    for f in FORCE.finditer(sentence, max(0, start - 120), start):
        if not (f.group().lower() == "tanks" and _NOT_ARMOUR.search(sentence, max(0, f.start() - 12), f.start())):
            return True
    return bool(_MILITARY_VEHICLES.search(sentence, max(0, start - 60), start)
                or _NATION_AS_FORCE.search(sentence, max(0, start - 40), start))


# "the Russians were leaving X": a nation's people named as the belligerent right before the verb
_NATION_AS_FORCE = re.compile(r"\bthe\s+[A-Z][a-z]+(?:ians|ans|ese|is)\s+(?:(?:were|was|are|is|had|have|has)\s+)?(?:\w+ly\s+)?$", re.ASCII)
# Armour stands for the force it carries: "light military vehicles had broken into the city"
_MILITARY_VEHICLES = re.compile(r"(?:military|armou?red|combat)\s+vehicles|APCs?", re.ASCII)


def _inside_a_name(sentence: str, m: re.Match) -> bool:
    """A trigger word written with a capital inside running text is part of a name ("the Front
    for the Liberation of X", "Operation Siege of Y")."""
    word = _FIRST_WORD.search(m.group())
    return bool(word and word.group()[0].isupper() and m.start() + word.start() > 2
                and sentence[:m.start() + word.start()].strip(" \"'“‘(")[-1:] not in ".:!?")


_FIRST_WORD = re.compile(r"\b(?!(?:the|its|their|his|her|this|that)\b)[A-Za-z]+", re.IGNORECASE | re.ASCII)


def trigger_hits(sentence: str, present: set[str] | None = None, lowered: str | None = None,
                 headline: bool = False):
    """Yield (trigger, match, negated) for each trigger phrase in the sentence.

    Unrealised changes ("could take", "failed to capture") are skipped; a negated change
    ("Shusha is not taken", "did not withdraw") is yielded with ``negated`` True, a denial.
    ``present``: the trigger keywords that occur in the sentence, and ``lowered``: the
    sentence lowered with its offsets kept, when the caller has them.
    """
    if lowered is None:
        lowered = sentence.translate(ASCII_LOWER)
    if present is None:
        present = hints_in(_KEYWORD_PATTERN.findall(lowered))
    starts_of: dict[str, list[int]] = {}
    for trig in _candidates(frozenset(present)):
        matches = _anchored_matches(trig, sentence, lowered, present, starts_of) if trig.anchored else \
            trig.pattern.finditer(sentence)
        for m in matches:
            prefix = sentence[max(0, m.start() - 40):m.start()]
            negated = bool(m.groupdict().get("neg") or _NEGATION.search(prefix)
                           or (trig.entry and _NO_SUBJECT.search(prefix)))
            if negated and trig.event == "captured" and _NOT_YET.search(prefix[-14:] + m.group()):
                continue  # "has not yet fallen into their hands": still fought over (see the contested family)
            if trig.holds:
                negated = not negated  # "still in control of X": the capture of X is denied
            if negated and trig.event not in _CHANGE_EVENTS and not trig.entry and not (
                    trig.event == "encircled" and trig.slot == "before"):
                continue  # but "X was never encircled" denies an encirclement
            if not headline and _inside_a_name(sentence, m):
                continue
            if not negated and trig.event in {"captured", "recaptured"} and _ATTEMPTED.search(prefix):
                yield _as_contested(trig), m, negated  # "attempted to capture X": fought over, not taken
                continue
            if not negated and _UNREALISED.search(prefix) and not _REALISED.search(prefix):
                continue
            if ((m.start() < 3 and _GERUND_SUBJECT.match(m.group())) or (_CLAUSE_OPENING.search(prefix) and _GERUND.match(m.group()))) \
                    and _MODAL_AFTER.search(sentence, m.end()):
                continue  # "Losing control of X would be an enormous defeat": a hypothesis
            if trig.event == "contested" and _BACKGROUND.search(prefix):
                continue
            if trig.event == "encircled" and not trig.ended and _LIFTED.search(prefix + m.group()):
                continue  # "broke the siege of X": the encirclement ended (see the ``ended`` triggers)
            if trig.needs_force and not _force_before(sentence, m.start()):
                continue
            if trig.ground and _AIR_ATTACK.search(sentence, max(0, m.start() - 40), m.start()):
                continue  # "drones attacked X", "warplanes struck X": not a fight in the place
            yield trig, m, negated


def actor_before(sentence: str, position: int) -> str | None:
    """The armed actor named last before a position (the subject of an active trigger)."""
    return _tidy_actor(force_phrase_before(sentence, position))


def agent_after(sentence: str, position: int, preposition_done: bool = False) -> str | None:
    """The agent of a passive trigger: "fallen to the RSF", "surrounded by troops from X"."""
    m = (_AGENT_BARE if preposition_done else _AGENT).match(sentence, position)
    return _tidy_actor(m.group("who")) if m else None


# Heads that name no actor: vehicles, abstract nouns ("the offensive", "tanks", "militants' control")
_NOT_ACTOR_HEAD = re.compile(r"(?:^|\s)(?:offensive|advance|tanks|control|hands|assault|attack|push)$", re.IGNORECASE | re.ASCII)
_POSSESSIVE_CONTROL = re.compile(r"['’]s?\s+(?:\w+\s+)?(?:control|hands)$", re.IGNORECASE)


def _tidy_actor(actor: str | None) -> str | None:
    if not actor:
        return None
    actor = _LEADING_DETERMINER.sub("", actor.strip())
    actor = _POSSESSIVE_CONTROL.sub("", actor)  # "fallen into the militants' control": the militants
    if _NOT_ACTOR_HEAD.search(actor):
        return None
    return actor or None
