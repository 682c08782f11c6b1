"""Numbers as news writes them: numerals ("2,000", "1.5"), words ("five", "twenty-seven",
"a dozen", "two hundred") and scaled forms ("3 million").

A small in-house table rather than word2number/number-parser: extraction needs the number
*inside* a larger regular expression (units, ranges, "at least"), those libraries only parse
a string already isolated and raise or guess on anything else, and a table this size is
cheaper than a call into them on the hot path.
"""
from __future__ import annotations

import re

_ONES = ("zero one two three four five six seven eight nine ten eleven twelve thirteen "
         "fourteen fifteen sixteen seventeen eighteen nineteen").split()
_TENS = "twenty thirty forty fifty sixty seventy eighty ninety".split()
WORD_VALUES: dict[str, int] = {w: i for i, w in enumerate(_ONES)}
WORD_VALUES.update({w: 20 + 10 * i for i, w in enumerate(_TENS)})
WORD_VALUES["dozen"] = 12
SCALES = {"hundred": 100, "thousand": 1_000, "million": 1_000_000}

_SIMPLE_WORD = "|".join(sorted(set(WORD_VALUES) - {"dozen", "zero"}, key=len, reverse=True))
_WORD_NUMBER = (rf"(?:(?:a|one|two|three|four|five|six|seven|eight|nine|ten|a\s+few)\s+dozen|a\s+dozen|"
                rf"(?:{_SIMPLE_WORD}|a)(?:[\s-]+(?:and\s+)?(?:{_SIMPLE_WORD}|hundred|thousand))*"
                rf"(?<!\ba))")
_NUMERAL = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
# A number in text: numeral or words, optionally scaled ("1.5 million", "two thousand").
NUMBER = rf"(?:{_NUMERAL}|\b(?i:{_WORD_NUMBER}))(?:\s+(?i:million|thousand|hundred)\b)?"

_TOKEN = re.compile(r"[a-z]+|\d[\d,]*(?:\.\d+)?")


def parse_number(text: str) -> float | None:
    """Value of a number written as a numeral or in words; None when it is not one.

    "2,000" -> 2000, "twenty-seven" -> 27, "a dozen" -> 12, "1.5 million" -> 1500000,
    "two hundred and fifty" -> 250. Vague quantities ("a few dozen") give None.
    """
    tokens = _TOKEN.findall(text.lower())
    if not tokens or "few" in tokens:
        return None
    total, current, seen = 0.0, 0.0, False
    for tok in tokens:
        if tok[0].isdigit():
            current += float(tok.replace(",", ""))
            seen = True
        elif tok in WORD_VALUES:
            value = WORD_VALUES[tok]
            current = current * value if tok == "dozen" and current else current + value
            seen = True
        elif tok == "a":
            current += 1
        elif tok in SCALES:
            scale = SCALES[tok]
            if scale == 100:
                current = (current or 1) * 100
            else:
                total += (current or 1) * scale
                current = 0
            seen = True
        elif tok != "and":
            return None
    return total + current if seen else None
