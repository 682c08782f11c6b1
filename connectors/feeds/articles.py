"""From feed bytes to ``Article`` records: parse (feedparser), refuse what is not a feed,
and map each entry to the wire contract with a stable id.

``parse_feed`` is a pure function of its arguments (no I/O, no shared state), so the
ingester can run it in the fetching thread or in a process pool.
"""
from __future__ import annotations

import codecs
import functools
import html
import re
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

import feedparser
import feedparser.mixin
import feedparser.urls
import pycld2
from lxml import etree

from connectors.feeds.schedule import parse_ttl_minutes
from connectors.wire import Article, Source, stable_id


class _FlatCopy:
    """feedparser deep-copies an element's content parameters (type, language, base, base64:
    strings and a bool) every time it stores a title, summary or content: an eighth of its
    parse time for what a plain copy does identically. Only its ``mixin`` module sees this."""

    deepcopy = staticmethod(feedparser.FeedParserDict)


feedparser.mixin.copy = _FlatCopy

# feedparser joins the xml:base in scope with the element's own at every start tag, almost
# always the same two strings: a tenth of its parse time. The join is a pure function of
# them, so a bounded memo returns identical results.
feedparser.mixin._urljoin = feedparser.urls._urljoin = functools.lru_cache(maxsize=4096)(feedparser.urls._urljoin)

# Query parameters that identify a campaign or a click, never the article.
TRACKING_PARAMS = frozenset({
    "fbclid", "gclid", "dclid", "gclsrc", "msclkid", "yclid", "twclid", "igshid", "mc_cid", "mc_eid",
    "_ga", "_gl", "_hsenc", "_hsmi", "ref_src", "ref_url", "cmpid", "ncid", "ocid", "smid", "smtyp",
    "at_medium", "at_campaign", "at_custom1", "at_custom2", "at_custom3", "at_custom4", "rss", "partner",
    "mkt_tok", "oly_anon_id", "oly_enc_id", "vero_id", "wt.mc_id", "cid", "src", "feedtype", "ito",
})
TRACKING_PREFIXES = ("utm_", "at_", "pk_", "mtm_")
DEFAULT_PORTS = {"http": 80, "https": 443}

# Entity declarations have no business in a news feed; they are how entity-expansion
# ("billion laughs") bombs work, so a feed that declares any is refused outright.
ENTITY_DECLARATION = re.compile(rb"<!ENTITY", re.IGNORECASE)
MIN_TEXT_FOR_DETECTION = 40  # below this, language identification is mostly noise
DETECTION_SAMPLE = 200  # two sentences tell a language; 80 characters are too few for CLD2 on Cyrillic
# CLD2 refuses C0 control characters as "invalid UTF-8"; they carry no language anyway.
_CONTROL_CHARS = dict.fromkeys(c for c in range(32) if chr(c) not in "\t\n\r")
_CLD2_CODES = {"iw": "he", "jw": "jv"}  # CLD2 keeps two withdrawn ISO 639-1 codes


class FeedParseError(Exception):
    """A body that yields no usable entries; ``outcome`` is a metric/log label."""

    def __init__(self, outcome: str, message: str):
        super().__init__(message)
        self.outcome = outcome

    def __reduce__(self):  # raised in parse processes: must survive pickling back
        return type(self), (self.outcome, str(self))


@dataclass
class ParsedFeed:
    articles: list  # Article, or EncodedArticle when parsed for publishing
    version: str
    ttl: float | None = None  # seconds, from RSS <ttl>
    warning: str | None = None  # set when the XML was ill-formed but entries were usable
    duplicates: int = 0
    errors: list[str] = field(default_factory=list)  # entries that could not be mapped
    cpu_seconds: float = 0.0  # CPU time the parse took, in whichever process ran it


def canonical_url(url: str | None) -> str | None:
    """The URL that identifies an article: lowercase scheme/host, no default port, no
    fragment, no tracking parameters, remaining parameters sorted. None if not http(s)."""
    if not url:
        return None
    try:
        parts = urlsplit(url.strip())
        scheme = parts.scheme.lower()
        if scheme not in DEFAULT_PORTS or not parts.hostname:
            return None
        host = parts.hostname.lower().rstrip(".")
        port = parts.port
    except ValueError:
        return None
    netloc = host if port in (None, DEFAULT_PORTS[scheme]) else f"{host}:{port}"
    query = urlencode(sorted((k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
                             if not _is_tracking(k))) if parts.query else ""
    return urlunsplit((scheme, netloc, parts.path or "/", query, ""))


def _is_tracking(name: str) -> bool:
    lowered = name.lower()
    return lowered in TRACKING_PARAMS or lowered.startswith(TRACKING_PREFIXES)


def publisher_domain(url: str | None) -> str | None:
    """``https://www.bbc.co.uk/news/x`` -> ``bbc.co.uk``."""
    if not url:
        return None
    try:
        host = urlsplit(url).hostname
    except ValueError:
        return None
    if not host:
        return None
    return host.lower().removeprefix("www.")


_BLOCK_TAGS = ("p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote",
               "pre", "section", "article", "figure", "figcaption", "header", "footer", "table", "ul", "ol")
_TAG = re.compile(r"<[^>]*>")
_HTML_PARSER = etree.HTMLParser(remove_comments=True, remove_pis=True)
_HAS_SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")


def html_to_text(markup: str | None) -> str:
    """Readable text from an HTML fragment: scripts dropped, blocks on their own lines."""
    if not markup:
        return ""
    if "<" not in markup and "&" not in markup:
        return _tidy(markup)
    try:
        root = etree.fromstring(f"<div>{markup}</div>", _HTML_PARSER)  # a third of lxml.html's fragment API
        etree.strip_elements(root, "script", "style", "noscript", "iframe", with_tail=False)
        for element in root.iter(*_BLOCK_TAGS):
            element.tail = "\n" + (element.tail or "")
        text = etree.tostring(root, method="text", encoding=str)
    except (etree.ParserError, ValueError):  # not parseable as HTML: strip tags the blunt way
        text = html.unescape(_TAG.sub(" ", markup))
    return _tidy(text)


def _tidy(text: str) -> str:
    """Collapse whitespace within lines and drop blank lines (str.split: no regex backtracking)."""
    return "\n".join(filter(None, (" ".join(line.split()) for line in text.splitlines())))


def detect_language(text: str) -> str | None:
    """ISO 639-1 code of ``text`` (Google's CLD2), or None when the text is too short or
    CLD2 cannot tell. CLD2 is compiled code: an eighth of the CPU of py3langid, whose
    per-byte Python loop was the largest cost of mapping an entry."""
    if len(text) < MIN_TEXT_FOR_DETECTION:
        return None
    sample = text[:DETECTION_SAMPLE].translate(_CONTROL_CHARS).encode("utf-8", "ignore")
    try:
        code = pycld2.detect(sample, bestEffort=True)[2][0][1]
    except pycld2.error:
        return None
    code = code.split("-")[0]  # zh-Hant -> zh
    return None if code in ("un", "xx") else _CLD2_CODES.get(code, code)


def _declared_language(value: str | None) -> str | None:
    if not value:
        return None
    code = value.strip().lower().replace("_", "-").split("-")[0]
    return code if re.fullmatch(r"[a-z]{2,3}", code) else None


def _utc(parsed) -> datetime | None:
    if not parsed:
        return None
    try:
        return datetime(*parsed[:6], tzinfo=timezone.utc)
    except (TypeError, ValueError):
        return None


# FeedParserDict.get resolves legacy key aliases on every call; the keys read here are the
# stored ones, so a plain dict lookup gives the same answer at a fraction of the cost.
_field = dict.get


def _entry_text(entry) -> str:
    """The longest of the entry's content blocks and summary, as plain text."""
    candidates = [c.get("value", "") for c in _field(entry, "content") or ()]
    candidates.append(_field(entry, "summary", ""))
    best = max(candidates, key=len) if candidates else ""
    return html_to_text(best)


def content_hash(title: str, text: str) -> str:
    """What "changed" means for an article: its title or text as the feed gives them."""
    return stable_id("content", title, text, length=32)


@dataclass(frozen=True, slots=True)
class EncodedArticle:
    """An article as the bytes published on the topic, with the fields the ingester decides
    on. Handing these back from a parse process costs a tenth of pickling the models."""

    id: str
    content_hash: str
    url: str | None
    payload: bytes


def parse_feed(body: bytes, *, feed_id: str, language: str | None, url: str,
               content_type: str | None, fetched: datetime, encode: bool = False) -> ParsedFeed:
    """Parse one feed body into articles (as ``EncodedArticle`` with ``encode``); raises
    ``FeedParseError`` when nothing is usable."""
    started = time.thread_time()
    result = _parse_feed(body, feed_id=feed_id, language=language, url=url, content_type=content_type,
                         fetched=fetched)
    if encode:
        result.articles = [EncodedArticle(a.id, a.content_hash, a.url, a.to_json_bytes()) for a in result.articles]
    result.cpu_seconds = time.thread_time() - started
    return result


def _parse_feed(body: bytes, *, feed_id: str, language: str | None, url: str,
                content_type: str | None, fetched: datetime) -> ParsedFeed:
    if not body.strip():
        raise FeedParseError("empty", "empty body")
    if ENTITY_DECLARATION.search(body, 0, 64 * 1024):
        raise FeedParseError("xml_entities", "refused: the document declares XML entities "
                                             "(entity-expansion bomb protection)")
    # No content-location: feedparser would then urljoin at every element (a quarter of its
    # time); links it leaves relative are resolved against the feed URL in ``map_entry``.
    headers = {"content-type": content_type} if content_type else {}
    parsed = feedparser.parse(body, response_headers=headers, sanitize_html=False, resolve_relative_uris=False)
    problem = parsed.get("bozo_exception") if parsed.get("bozo") else None
    if isinstance(problem, feedparser.NonXMLContentType):  # servers mislabel feeds all the time
        problem = None
    if problem is not None and "amplification" in str(problem):
        raise FeedParseError("xml_entities", f"refused: {problem}")
    if not parsed.entries and (problem is not None or not parsed.version):
        raise _unusable(body, content_type, problem, parsed.get("encoding"))
    feed_meta = parsed.get("feed", {})
    feed_language = language or _declared_language(feed_meta.get("language"))
    fallback_publisher = publisher_domain(canonical_url(urljoin(url, feed_meta.get("link") or "")))
    result = ParsedFeed(articles=[], version=parsed.version or "unknown", ttl=parse_ttl_minutes(feed_meta.get("ttl")),
                        warning=f"ill-formed feed, entries recovered: {problem}" if problem is not None else None)
    ids: set[str] = set()
    for entry in parsed.entries:
        if not (_field(entry, "title") or _field(entry, "summary") or _field(entry, "content") or _field(entry, "link")
                or _field(entry, "id")):
            result.errors.append("empty entry (no title, text, link or guid)")
            continue
        try:
            article = map_entry(entry, feed_id=feed_id, language=feed_language, base_url=url,
                                fallback_publisher=fallback_publisher, fetched=fetched)
        except ValueError as exc:  # pydantic rejects the record: report it, keep the others
            result.errors.append(f"{entry.get('id') or entry.get('link') or entry.get('title')}: {exc}")
            continue
        if article.id in ids:
            result.duplicates += 1
            continue
        ids.add(article.id)
        result.articles.append(article)
    return result


def map_entry(entry, *, feed_id: str, language: str | None, base_url: str, fallback_publisher: str | None,
              fetched: datetime) -> Article:
    """One feed entry as an ``Article``; id from canonical URL, else feed+guid, else content."""
    title = html_to_text(_field(entry, "title", ""))
    text = _entry_text(entry)
    digest = content_hash(title, text)
    url = canonical_url(_absolute(base_url, _field(entry, "link")))
    guid = (_field(entry, "id") or "").strip()
    if url:
        article_id = stable_id("url", url)
    elif guid:
        article_id = stable_id("guid", feed_id, guid)
    else:
        article_id = stable_id("content", feed_id, digest)
    source_href = (_field(entry, "source") or {}).get("href")  # aggregators name the real publisher
    publisher = publisher_domain(source_href) or publisher_domain(url) or fallback_publisher
    published = (_utc(_field(entry, "published_parsed")) or _utc(_field(entry, "updated_parsed"))
                 or _utc(_field(entry, "created_parsed")) or fetched)
    published = min(published, fetched)  # a feed's clock running ahead must not date news in the future
    return Article(
        id=article_id, url=url, title=title, text=text or title,
        published=published, fetched=fetched, source=Source(feed_id=feed_id, publisher=publisher),
        language=language or detect_language(f"{title}\n{text}"), content_hash=digest)


def _absolute(base_url: str, link: str | None) -> str | None:
    """Resolve a link that is still relative (feedparser already applied any xml:base)."""
    if not link or _HAS_SCHEME.match(link):
        return link
    return urljoin(base_url, link)


_XML_ENCODING = re.compile(rb"""^\s*<\?xml[^>]*\bencoding\s*=\s*["']([A-Za-z0-9._:-]+)""")
_CHARSET = re.compile(r"charset\s*=\s*\"?([A-Za-z0-9._:-]+)", re.IGNORECASE)


def _declared_encoding(body: bytes, content_type: str | None) -> str | None:
    match = _CHARSET.search(content_type or "") or _XML_ENCODING.match(body[:200])
    if not match:
        return None
    name = match.group(1)
    return _codec_name(name.decode("ascii") if isinstance(name, bytes) else name)


def _codec_name(name: str) -> str:
    try:
        return codecs.lookup(name).name
    except LookupError:
        return name.lower()


def _unusable(body: bytes, content_type: str | None, problem: Exception | None,
              used_encoding: str | None) -> FeedParseError:
    head = body[:2048].lower()
    if (content_type and "html" in content_type.lower()) or b"<html" in head or b"<!doctype html" in head:
        return FeedParseError("not_a_feed", "an HTML page, not a feed")
    declared = _declared_encoding(body, content_type)
    if declared and used_encoding and _codec_name(used_encoding) != declared:
        return FeedParseError("undecodable", f"body is not valid {declared} (decoding fell back to "
                                             f"{used_encoding} and found no feed): {problem}")
    if problem is not None:
        return FeedParseError("malformed", f"not a well-formed feed: {problem}")
    return FeedParseError("not_a_feed", "no feed elements (RSS/Atom/RDF) found")
