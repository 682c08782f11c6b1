"""Fast keyword pre-tests: is any of a set of words (or word beginnings) in a text?

Python's regex engine tries every branch of an alternation at every position; a pattern
built as a trie of the keywords ("with(?:dr|drawal)") tries each character once, which makes
a pass over a whole article cheap enough to run before any real parsing. The keywords are
ASCII, so word boundaries are tested the (faster) ASCII way.
"""
from __future__ import annotations

import re

# Lowercasing that keeps every offset (str.lower() may lengthen some characters).
ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


def _trie_regex(words: list[str]) -> str:
    trie: dict = {}
    for word in words:
        node = trie
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = {}

    def emit(node: dict) -> str:
        if "" in node and len(node) == 1:
            return ""
        branches = [re.escape(ch) + emit(child) for ch, child in sorted(node.items()) if ch]
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        return f"(?:{body})?" if "" in node else body
    return emit(trie)


def words_pattern(words, flags: int = 0) -> re.Pattern:
    """A pattern matching any of ``words`` as whole words (a trie, so it scans fast)."""
    return re.compile(r"\b(?:" + _trie_regex(sorted(set(words))) + r")\b", flags | re.ASCII)


def keyword_pattern(words, word_start: bool = True) -> re.Pattern:
    """A case-sensitive pattern matching any of ``words`` (run it on lowercased text).

    With ``word_start`` the keywords only match at the beginning of a word, so "sent" does
    not fire inside "present".
    """
    unique = sorted({w.lower() for w in words if w})
    # the first letters as a look-ahead: most positions fail on one character test (faster)
    firsts = "[" + "".join(sorted({re.escape(w[0]) for w in unique})) + "]"
    # (after a word boundary only: a pattern that starts with its letters is already scanned that way)
    return re.compile((rf"\b(?={firsts})" if word_start else "") + "(?:" + _trie_regex(unique) + ")", re.ASCII)
