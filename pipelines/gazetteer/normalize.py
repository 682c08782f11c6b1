"""Folding of place names into lookup keys, so transliteration variants meet.

News transliterates Arabic, Cyrillic and other names inconsistently ("Saasaa" / "Sa'sa'",
"Daraa" / "Dar'a", "Al-Raqqa" / "Raqqa"). Both the gazetteer index and text mentions are
folded with the same function, so a single dict lookup finds every variant.
"""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# Arabic definite-article prefixes as transliterated in English-language news.
_ARTICLE_PREFIX = re.compile(r"^(?:al|el|as|ad|ar|ash|an|az|at|ath|ed|es|et|ez|en|er|ul)[\s-]+(?=\w)")
_APOSTROPHES = re.compile(r"['`\u2018\u2019\u02bb\u02bc\u02be\u02bf\u00b4]")
_SEPARATORS = re.compile(r"[-_/.,()\u2010-\u2015]+|\s+")
_DOUBLED = re.compile(r"(\w)\1+")


@lru_cache(maxsize=65536)
def fold_name(name: str) -> str:
    """Return the lookup key of a place name.

    Folds accents and case, drops apostrophes and ayn/hamza marks, turns hyphens into
    spaces, strips a leading Arabic article and collapses doubled letters.
    """
    decomposed = unicodedata.normalize("NFKD", name)
    s = "".join(c for c in decomposed if not unicodedata.combining(c)).lower()
    s = _APOSTROPHES.sub("", s)
    s = _SEPARATORS.sub(" ", s).strip()
    s = _ARTICLE_PREFIX.sub("", s)
    return _DOUBLED.sub(r"\1", s)


def is_latin(name: str) -> bool:
    """True when the name is written in Latin script (after removing accents)."""
    decomposed = unicodedata.normalize("NFKD", name)
    return all(c.isascii() or unicodedata.combining(c) or c in "\u2018\u2019\u02bb\u02bc\u02be\u02bf"
               for c in decomposed)
