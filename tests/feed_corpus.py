"""A generated corpus of real-world-style feed files, with what each must yield.

Used by the corpus test (served over local HTTP into the real broker) and by
``bench/bench_connector.py`` (pre-fetched bodies). Good feeds come in the formats and
quirks found in the wild (RSS 0.91/0.92/1.0/2.0, Atom 0.3/1.0, windows-1252 and
undeclared latin-1, xml:base relative links, CDATA HTML, sloppy ampersands, entries
without link or guid, the same story in several feeds under different tracking
parameters); a share of feeds is broken (HTML pages, XML bombs, garbage, HTTP errors,
huge bodies, redirect loops). Everything is deterministic for a seed.
"""
from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from xml.sax.saxutils import escape

PUBLISHERS = ["www.globalwire.example.com", "news.region-desk.example.org", "WWW.DAILY-FRONT.EXAMPLE.NET",
              "monitor.example.org", "radio.example.fr", "www.arabic-news.example.com", "press.example.de",
              "www.wire-agency.example.com", "africa.example.co.za", "europe.example.eu"]
PLACES = ["Damascus", "Aleppo", "Hama", "Homs", "Daraa", "Khartoum", "Omdurman", "Goma", "Kyiv", "Kharkiv",
          "Tripoli", "Sanaa", "Mogadishu", "Bamako", "Juba", "Port-au-Prince"]
ACTORS = ["Rebel forces", "Government troops", "Opposition fighters", "The army", "Militia units", "Insurgents"]
VERBS = ["advanced to within {n} km of", "withdrew from positions near", "captured villages outside",
         "shelled the outskirts of", "deployed reinforcements around", "were reported {n} kilometres from"]
CLAIMS = ["a war monitor said", "the defence ministry said", "according to residents", "a commander told reporters",
          "the government denied", "local officials said"]
FRENCH = ["Les forces rebelles se trouvent à {n} km de {p}, selon un observatoire.",
          "L'armée s'est retirée de plusieurs positions autour de {p} dans la nuit."]
ARABIC = ["قالت فصائل المعارضة إنها أصبحت على بعد {n} كيلومترا من {p}.",
          "انسحبت القوات الحكومية من مواقع قرب {p} خلال الليل."]
TRACKING = ["utm_source=rss", "utm_medium=feed&utm_campaign=world", "fbclid=IwAR{n}", "gclid=Cj0{n}",
            "at_medium=RSS&at_campaign=KARANGA", "ocid=rss{n}"]

GOOD_KINDS = ["rss20", "rss20", "rss20", "rss20_cdata", "rss20_cp1252", "rss20_latin1_header", "rss20_sloppy",
              "rss091", "rss092", "rss10", "atom03", "atom10", "atom10", "atom10_relative"]
BROKEN_KINDS = ["html", "xml_bomb", "garbage", "http_404", "http_500", "empty", "huge", "redirect_loop",
                "undecodable", "truncated_prolog"]
BROKEN_OUTCOMES = {"html": "not_a_feed", "xml_bomb": "xml_entities", "garbage": "malformed", "http_404": "http_4xx",
                   "http_500": "http_5xx", "empty": "empty", "huge": "too_large", "redirect_loop": "too_many_redirects",
                   "undecodable": "undecodable", "truncated_prolog": "malformed"}

BOMB = (b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaaaaaaaa">'
        + b"".join(b'<!ENTITY %s "%s">' % (b"a" + str(i).encode(), (b"&a" + (str(i - 1).encode() if i > 1 else b"") + b";") * 10)
                   for i in range(1, 9))
        + b']><rss version="2.0"><channel><title>&a8;</title><item><title>&a8;</title></item></channel></rss>')


@dataclass
class Entry:
    title: str
    text: str  # HTML or plain
    link: str | None  # as written in the feed (tracking params, odd case, relative...)
    canonical: str | None  # what the connector must publish as the URL
    guid: str | None
    published: datetime | None
    language: str
    serial: int


@dataclass
class CorpusFeed:
    """One feed file and what the connector must make of it."""

    path: str
    kind: str
    body: bytes = b""
    content_type: str | None = "application/rss+xml"
    expected_outcome: str = "ok"
    entries: list[Entry] = field(default_factory=list)
    language: str | None = None  # declared in the feed

    @property
    def broken(self) -> bool:
        return self.expected_outcome != "ok"


def _sentence(rng: random.Random, language: str) -> str:
    n, place = rng.randint(2, 120), rng.choice(PLACES)
    if language == "fr":
        return rng.choice(FRENCH).format(n=n, p=place)
    if language == "ar":
        return rng.choice(ARABIC).format(n=n, p=place)
    return f"{rng.choice(ACTORS)} {rng.choice(VERBS).format(n=n)} {place}, {rng.choice(CLAIMS)}."


def _entry(rng: random.Random, serial: int, shared: list[str], with_html: bool, base: str | None) -> Entry:
    language = rng.choices(["en", "fr", "ar"], weights=[85, 10, 5])[0]
    sentences = [_sentence(rng, language) for _ in range(rng.randint(1, 5))]  # summary-sized, as most feeds
    text = ("".join(f"<p>{escape(s)}</p>" for s in sentences) if with_html else " ".join(sentences))
    title = f"{_sentence(rng, language)[:70]} #{serial}"
    published = (datetime(2025, 3, 1, tzinfo=timezone.utc) - timedelta(minutes=rng.randint(0, 10000))
                 if rng.random() < 0.9 else None)
    shape = rng.random()
    if shape < 0.08:  # neither link nor guid: identified by content
        return Entry(title, text, None, None, None, published, language, serial)
    if shape < 0.16:  # guid only
        return Entry(title, text, None, None, f"urn:story:{serial}", published, language, serial)
    if shared and rng.random() < 0.05:  # the same story as in an earlier feed, other tracking
        canonical = rng.choice(shared)
    else:
        host = rng.choice(PUBLISHERS)
        canonical = f"https://{host.lower()}/news/{serial}/{rng.choice(PLACES).lower()}"
        shared.append(canonical)
    host = canonical.split("/")[2]
    link = canonical.replace(host, host.upper() if rng.random() < 0.2 else host, 1)
    if rng.random() < 0.5:
        link += "?" + rng.choice(TRACKING).format(n=serial)
    if rng.random() < 0.2:
        link += "#comments"
    if base and rng.random() < 0.5 and canonical.startswith(base):
        link = canonical[len(base):]
    guid = link if rng.random() < 0.5 else f"{serial}@{host.lower()}"
    return Entry(title, text, link, canonical, guid, published, language, serial)


def _rfc822(when: datetime) -> str:
    return when.strftime("%a, %d %b %Y %H:%M:%S +0000")


def _rss(feed: CorpusFeed, version: str, encoding: str | None, cdata: bool) -> bytes:
    declaration = f'<?xml version="1.0" encoding="{encoding}"?>' if encoding else '<?xml version="1.0"?>'
    lang = f"<language>{feed.language}</language>" if feed.language else ""
    out = [f'{declaration}\n<rss version="{version}" xmlns:content="http://purl.org/rss/1.0/modules/content/">'
           f"<channel><title>Feed {feed.path}</title><link>https://publisher.example.com/</link>"
           f"<description>generated</description>{lang}<ttl>{15 if version == '2.0' else 0}</ttl>"]
    for e in feed.entries:
        parts = [f"<title>{escape(e.title)}</title>"]
        if e.link:
            parts.append(f"<link>{escape(e.link)}</link>")
        if e.guid and version == "2.0":
            permalink = "true" if e.guid == e.link else "false"
            parts.append(f'<guid isPermaLink="{permalink}">{escape(e.guid)}</guid>')
        if e.published and version != "0.91":
            parts.append(f"<pubDate>{_rfc822(e.published)}</pubDate>")
        if cdata:
            parts.append(f"<description><![CDATA[{e.text[:200]}]]></description>"
                         f"<content:encoded><![CDATA[{e.text}]]></content:encoded>")
        else:
            parts.append(f"<description>{escape(e.text)}</description>")
        out.append("<item>" + "".join(parts) + "</item>")
    out.append("</channel></rss>\n")
    text = "".join(out)
    return text.encode(encoding or "utf-8", errors="xmlcharrefreplace") if encoding else text.encode("latin-1", "xmlcharrefreplace")


def _rdf(feed: CorpusFeed) -> bytes:
    items = []
    for e in feed.entries:
        about = e.link or e.guid or f"urn:rdf:{e.serial}"
        date = f"<dc:date>{e.published.isoformat()}</dc:date>" if e.published else ""
        link = f"<link>{escape(e.link)}</link>" if e.link else ""
        items.append(f'<item rdf:about="{escape(about)}"><title>{escape(e.title)}</title>{link}'
                     f"<description>{escape(e.text)}</description>{date}</item>")
    return ('<?xml version="1.0" encoding="utf-8"?><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
            'xmlns="http://purl.org/rss/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/">'
            '<channel rdf:about="https://rdf.example.net/"><title>RDF</title><link>https://rdf.example.net/</link>'
            "<description>generated</description></channel>" + "".join(items) + "</rdf:RDF>").encode()


def _atom(feed: CorpusFeed, version: str, base: str | None) -> bytes:
    ns = "http://www.w3.org/2005/Atom" if version == "1.0" else "http://purl.org/atom/ns#"
    head = f'<feed xmlns="{ns}"' + (' version="0.3"' if version == "0.3" else "")
    head += f' xml:base="{base}"' if base else ""
    if feed.language:
        head += f' xml:lang="{feed.language}"'
    out = [f'<?xml version="1.0" encoding="utf-8"?>{head}><title>Atom {feed.path}</title>'
           '<link rel="alternate" href="https://atom.example.com/"/>']
    updated, issued = ("updated", "published") if version == "1.0" else ("modified", "issued")
    for e in feed.entries:
        parts = [f'<title type="html">{escape(e.title)}</title>']
        if e.link:
            parts.append(f'<link rel="alternate" href="{escape(e.link)}"/>')
        if e.guid:
            parts.append(f"<id>{escape(e.guid)}</id>")
        if e.published:
            parts.append(f"<{issued}>{e.published.isoformat()}</{issued}><{updated}>{e.published.isoformat()}</{updated}>")
        parts.append(f'<summary type="html">{escape(e.text)}</summary>')
        out.append("<entry>" + "".join(parts) + "</entry>")
    out.append("</feed>")
    return "".join(out).encode()


def _good(feed: CorpusFeed, rng: random.Random) -> None:
    kind = feed.kind
    if kind in ("rss20", "rss20_cdata", "rss20_sloppy"):
        feed.body = _rss(feed, "2.0", "utf-8", cdata=kind == "rss20_cdata")
        if kind == "rss20_sloppy":  # a CMS that forgets to escape ampersands in text
            feed.body = feed.body.replace(b"</description>", b" Q&A</description>", 1)
    elif kind == "rss20_cp1252":
        for e in feed.entries:
            e.title = e.title.replace(" #", " \u2013 \u201cupdate\u201d #")
        feed.body = _rss(feed, "2.0", "windows-1252", cdata=False)
    elif kind == "rss20_latin1_header":
        feed.body = _rss(feed, "2.0", None, cdata=False)
        feed.content_type = "application/rss+xml; charset=iso-8859-1"
    elif kind in ("rss091", "rss092"):
        feed.body = _rss(feed, "0.91" if kind == "rss091" else "0.92", "utf-8", cdata=False)
    elif kind == "rss10":
        feed.body = _rdf(feed)
    elif kind == "atom03":
        feed.body = _atom(feed, "0.3", None)
    else:
        feed.body = _atom(feed, "1.0", "https://www.globalwire.example.com/" if kind == "atom10_relative" else None)
        feed.content_type = "application/atom+xml"


def _broken(feed: CorpusFeed, rng: random.Random) -> None:
    kind = feed.kind
    feed.content_type = "application/xml"
    if kind == "html":
        feed.content_type = "text/html; charset=utf-8"
        feed.body = b"<!DOCTYPE html><html><head><title>News</title></head><body><h1>Latest</h1><p>Hello</p></body></html>"
    elif kind == "xml_bomb":
        feed.body = BOMB
    elif kind == "garbage":
        feed.body = bytes(rng.getrandbits(8) for _ in range(4096)).replace(b"<", b"\x00")
    elif kind == "undecodable":
        feed.body = b'<?xml version="1.0" encoding="utf-16"?>' + bytes(rng.getrandbits(8) for _ in range(2048))
    elif kind == "truncated_prolog":
        feed.body = b'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><chan'
    # http_404, http_500, empty, huge and redirect_loop are served by the HTTP side


def generate_corpus(count: int = 2000, seed: int = 2025, broken_share: float = 0.08,
                    entries: tuple[int, int] = (5, 40)) -> list[CorpusFeed]:
    """``count`` feeds; about ``broken_share`` of them broken, the rest with ``entries`` items."""
    rng = random.Random(seed)
    shared: list[str] = []
    feeds: list[CorpusFeed] = []
    serial = 0
    for index in range(count):
        if rng.random() < broken_share:
            feed = CorpusFeed(path=f"/corpus/{index}.xml", kind=BROKEN_KINDS[index % len(BROKEN_KINDS)])
            feed.expected_outcome = BROKEN_OUTCOMES[feed.kind]
            _broken(feed, rng)
            feeds.append(feed)
            continue
        kind = rng.choice(GOOD_KINDS)
        feed = CorpusFeed(path=f"/corpus/{index}.xml", kind=kind,
                          language=rng.choice([None, "en"]) if kind != "rss091" else "en")
        base = "https://www.globalwire.example.com/" if kind == "atom10_relative" else None
        for _ in range(rng.randint(*entries)):
            serial += 1
            feed.entries.append(_entry(rng, serial, shared, with_html=rng.random() < 0.6, base=base))
        _good(feed, rng)
        feeds.append(feed)
    return feeds


def expected_ids(feeds: list[CorpusFeed]) -> tuple[set[str], int]:
    """Canonical URLs that must be published once each, and the count of link-less entries."""
    urls = {e.canonical for f in feeds if not f.broken for e in f.entries if e.canonical}
    linkless = sum(1 for f in feeds if not f.broken for e in f.entries if not e.canonical)
    return urls, linkless
