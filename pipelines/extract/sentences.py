"""Sentence splitting with character offsets, and the quoted speech that spans sentences."""
from __future__ import annotations

import re
from dataclasses import dataclass

# Candidate boundary: terminal punctuation (and closing quotes) then space and a capital,
# digit or opening quote; or a line break.
_BOUNDARY = re.compile(r"[.!?][\"”’')\]]*\s+(?=[\"“‘'(\[]?[A-Z0-9])|\n\s*")
_ABBREVIATION = re.compile(
    r"(?:\b(?:Mr|Mrs|Ms|Dr|Gen|Lt|Col|Maj|Capt|Sgt|Cpl|Pvt|Brig|Adm|Gov|Sen|Rep|Rev|Prof|St|"
    r"Jr|Sr|No|Vol|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec|approx|est|vs|etc|Mt|Ft)"
    r"|\b[A-Z]|\b(?:[A-Z]\.)+[A-Z])\.$")


@dataclass(frozen=True, slots=True)
class Sentence:
    index: int
    start: int
    end: int
    text: str


def split_sentences(text: str) -> list[Sentence]:
    """Split text into sentences, keeping offsets; abbreviations ("Gen.", "U.S.") do not end one."""
    sentences: list[Sentence] = []
    start = len(text) - len(text.lstrip())
    for m in _BOUNDARY.finditer(text):
        if m.group()[0] == "." and _ABBREVIATION.search(text, max(0, m.start() - 8), m.start() + 1):
            continue
        cut = m.start() + len(m.group().rstrip())
        if cut > start:
            sentences.append(Sentence(len(sentences), start, cut, text[start:cut]))
        start = m.end()
    end = len(text.rstrip())
    if end > start:
        sentences.append(Sentence(len(sentences), start, end, text[start:end]))
    return sentences
