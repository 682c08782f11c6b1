"""Article deduplication: the same story counts once for extraction, every distinct
publisher counts for corroboration.

Articles are grouped by a fingerprint of their normalised text, so the same wire copy
run by several outlets (or fetched from several feeds) shares one fingerprint. Pure logic;
the Beam job keeps one ``StoryRecord`` per fingerprint in keyed state.
"""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from enum import Enum

from typing import Callable

from connectors.wire import Article, Signal, stable_id

_SPACE = re.compile(r"\s+")
_PUNCT = re.compile(r"[^\w\s]", re.UNICODE)


def fingerprint(article: Article) -> str:
    """Hash of the body text folded to lowercase words (punctuation, quotes and spacing
    differ between copies of the same wire story; the words do not)."""
    text = article.text or article.title
    words = _SPACE.sub(" ", _PUNCT.sub(" ", text.lower())).strip()
    return hashlib.sha256(words.encode("utf-8")).hexdigest()[:32]


class Sighting(str, Enum):
    FIRST = "first"          # a new story: extract it
    COPY = "copy"            # the same story from another publisher: corroboration only
    DUPLICATE = "duplicate"  # the same story from the same publisher again: nothing to do


@dataclass
class StoryRecord:
    """What the job remembers about one story (one fingerprint)."""

    publishers: set[str] = field(default_factory=set)
    signals_json: list[bytes] = field(default_factory=list)  # the extraction, for copies

    def sight(self, article: Article) -> Sighting:
        publisher = article.publisher
        if not self.publishers:
            kind = Sighting.FIRST
        elif publisher in self.publishers:
            kind = Sighting.DUPLICATE
        else:
            kind = Sighting.COPY
        self.publishers.add(publisher)
        return kind

    def signals_for(self, article: Article, extract: Callable[[], list[Signal]]) -> tuple[Sighting, list[Signal]]:
        """The signals ``article`` contributes: extracted for a new story, the story's
        signals re-attributed to this publisher for a copy, none for a duplicate.
        If ``extract`` raises, the story is remembered (with no signals) and it re-raises."""
        sighting = self.sight(article)
        if sighting is Sighting.FIRST:
            signals = extract()
            self.signals_json = [s.to_json_bytes() for s in signals]
            return sighting, signals
        if sighting is Sighting.COPY:
            return sighting, [as_reported_by(Signal.from_json_bytes(raw), article) for raw in self.signals_json]
        return sighting, []


def as_reported_by(signal: Signal, article: Article) -> Signal:
    """The same fact, as carried by another publisher's copy of the story."""
    ref = signal.article.model_copy(update={"id": article.id, "url": article.url,
                                            "publisher": article.publisher, "published": article.published})
    return signal.model_copy(update={"article": ref, "id": stable_id(signal.id, article.id)})
