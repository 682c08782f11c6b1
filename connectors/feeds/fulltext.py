"""Optional full-text fetch: the article page through the bounded fetcher, text by trafilatura.

Used only for feeds with ``full_text: true`` and only for articles about to be published,
so an unchanged article never costs a page fetch.
"""
from __future__ import annotations

import logging
from datetime import datetime

from connectors.feeds.config import FeedSettings
from connectors.feeds.fetch import PAGE_ACCEPT, FetchError, Fetcher

log = logging.getLogger(__name__)


def fetch_full_text(fetcher: Fetcher, url: str, settings: FeedSettings, now: datetime) -> str | None:
    """The article's main text, or None (then the feed's summary stands)."""
    try:
        page = fetcher.fetch(url, now=now, connect_timeout=settings.connect_timeout,
                             read_timeout=settings.full_text_timeout, total_timeout=settings.full_text_timeout,
                             max_bytes=settings.full_text_max_bytes, accept=PAGE_ACCEPT)
    except FetchError as exc:
        log.info("full text unavailable url=%s outcome=%s error=%s", url, exc.outcome, exc)
        return None
    import trafilatura  # heavy import, only for feeds that ask for full text

    text = trafilatura.extract(page.body, url=page.url, include_comments=False, include_tables=False)
    return text.strip() if text and text.strip() else None
