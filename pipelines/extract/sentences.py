"""Sentence splitting with character offsets, and the quoted speech that spans sentences."""
from __future__ import annotations

import re
from typing import NamedTuple

ABBREVIATIONS = (
    "Mr Mrs Ms Dr Gen Lt Col Maj Capt Sgt Cpl Pvt Brig Adm Gov Sen Rep Rev Prof St Jr Sr No Vol "
    "Jan Feb Mar Apr Jun Jul Aug Sep Sept Oct Nov Dec approx est vs etc Mt Ft").split()
# A boundary: terminal punctuation (and closing quotes) then space and a capital, digit or
# opening quote; or a line break. A period after an abbreviation or an initial ("Gen.",
# "U.S.", "J.") is not one; the look-behinds run only at punctuation, so this stays fast.
_BOUNDARY = re.compile(r"[.!?][\"”’')\]]*(?=\s+[\"“‘'(\[]?[A-Z0-9])")
_ABBREVIATION_SET = frozenset(ABBREVIATIONS)
_WORD_BEFORE = re.compile(r"(?<!\w)\w{1,6}$")


def _is_abbreviation(text: str, dot: int) -> bool:
    """The period at ``dot`` ends an abbreviation ("Gen.") or an initial ("J.", "U.S.")."""
    word = _WORD_BEFORE.search(text, max(0, dot - 7), dot)
    if not word:
        return False
    w = word.group()
    return (len(w) == 1 and "A" <= w <= "Z") or w in _ABBREVIATION_SET
# A line: a line break ends a sentence unless the line stops mid-sentence (after a comma, or with
# the next line going on in lowercase or with a number: text wrapped by a web page).
# (Runs of non-breaks are taken whole: one step per run, not per character, half the time.)
_LINE = re.compile(r"(?:[^\n]+|\n(?=[ \t]*[a-z0-9(])(?<=[^.!?:\"”\n]\n)|(?<=,)\n)+")


class Sentence(NamedTuple):
    """A sentence and its character span in the article (a tuple: cheap to make by the dozen)."""

    index: int
    start: int
    end: int
    text: str


# Hard-wrapped text (archive copy broken every ~70 characters): lines that end mid-sentence and go
# on in lowercase are common; then a line break ends a sentence only after terminal punctuation
# or before a blank line.
_WRAPPED_BREAK = re.compile(r"[a-z,]\n[a-z]")
_WRAP_JOIN = re.compile(r"(?<![.!?:\"”\n])\n(?=[ \t]*[^\s])")


def _unwrapped(text: str) -> str:
    """The text with the line breaks of hard wrapping made spaces (same length, same offsets)."""
    if text.count("\n") < 8 or len(_WRAPPED_BREAK.findall(text)) < 4:
        return text
    return _WRAP_JOIN.sub(" ", text)


def split_sentences(text: str) -> list[Sentence]:
    """Split text into sentences, keeping offsets; abbreviations ("Gen.", "U.S.") do not end one."""
    text = _unwrapped(text)
    sentences: list[Sentence] = []
    for line in _LINE.finditer(text):  # a line break always ends a sentence
        start, end = line.span()
        for m in _BOUNDARY.finditer(text, start, end):
            if text[m.start()] == "." and _is_abbreviation(text, m.start()):
                continue
            _add(sentences, text, start, m.end())
            start = m.end()
        _add(sentences, text, start, end)
    return sentences


def _add(sentences: list[Sentence], text: str, start: int, end: int) -> None:
    chunk = text[start:end]
    stripped = chunk.strip()
    if stripped:
        start += len(chunk) - len(chunk.lstrip())
        sentences.append(Sentence(len(sentences), start, start + len(stripped), stripped))
