"""Feed entries -> Article: ids, canonical URLs, text, dates, language; data-driven over the
fixture corpus of feed variants (RSS 0.91/0.92/1.0/2.0, Atom 0.3/1.0, odd encodings...)."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest
import yaml

from connectors.feeds.articles import (FeedParseError, canonical_url, detect_language, html_to_text, parse_feed,
                                       publisher_domain)
from connectors.wire import Article

from .conftest import FIXTURES, Clock, consume, make_config

VARIANTS = FIXTURES / "variants"
EXPECTED = yaml.safe_load((VARIANTS / "expected.yaml").read_text(encoding="utf-8"))
FETCHED = datetime(2025, 1, 1, tzinfo=timezone.utc)
BASE = "http://127.0.0.1:8000"


@pytest.mark.parametrize("url, canonical", [
    ("https://www.Example.COM/a/b?utm_source=rss&utm_medium=x&id=5#comments", "https://www.example.com/a/b?id=5"),
    ("HTTP://example.com:80/a?b=2&a=1&fbclid=zz&gclid=yy", "http://example.com/a?a=1&b=2"),
    ("https://example.com:8443/x?at_medium=RSS&at_campaign=KARANGA", "https://example.com:8443/x"),
    ("https://example.com", "https://example.com/"),
    ("  https://example.com/a b  ", "https://example.com/a b"),
    ("mailto:desk@example.com", None),
    ("tag:example.com,2024:1", None),
    ("", None),
    (None, None),
])
def test_canonical_url(url, canonical):
    assert canonical_url(url) == canonical


def test_publisher_domain():
    assert publisher_domain("https://www.bbc.co.uk/news/world-1") == "bbc.co.uk"
    assert publisher_domain("not a url") is None


def test_html_to_text_keeps_paragraphs_drops_scripts_and_unescapes():
    markup = "<p>First &amp; foremost</p><script>var x=1;</script><p>Second<br/>line</p><style>p{}</style>"
    assert html_to_text(markup) == "First & foremost\nSecond\nline"
    assert html_to_text("plain   text\n\n with  spaces") == "plain text\nwith spaces"
    assert html_to_text("5 < 6 &amp; 7 > 3") == "5 < 6 & 7 > 3"  # text that merely looks like markup


def _parse(name: str, spec: dict):
    body = (VARIANTS / spec.get("file", name)).read_bytes()
    return parse_feed(body, feed_id="variant", language=None, url=f"{BASE}/feeds/{spec.get('file', name)}",
                      content_type=spec.get("content_type"), fetched=FETCHED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_variant_maps_to_expected_articles(name):
    spec = EXPECTED[name]
    parsed = _parse(name, spec)
    assert parsed.version == spec["version"]
    assert bool(parsed.warning) == spec.get("warning", False), parsed.warning
    assert parsed.duplicates == spec.get("duplicates", 0)
    assert len(parsed.errors) == spec.get("skipped", 0)
    if "ttl" in spec:
        assert parsed.ttl == spec["ttl"]
    assert len(parsed.articles) == len(spec["articles"])
    assert len({a.id for a in parsed.articles}) == len(parsed.articles)
    for article, want in zip(parsed.articles, spec["articles"]):
        assert len(article.id) == 24 and article.content_hash
        if "url" in want:
            assert article.url == (want["url"].format(base=BASE) if want["url"] else None)
        for key in ("title", "language"):
            if key in want:
                assert getattr(article, key) == want[key], key
        if "text" in want:
            assert want["text"] in article.text
        if "not_text" in want:
            assert want["not_text"] not in article.text
        if "publisher" in want:
            assert article.source.publisher == want["publisher"]
        if "published" in want:
            expected = FETCHED if want["published"] == "fetched" else datetime.fromisoformat(want["published"])
            assert article.published == expected
        assert Article.from_json_bytes(article.to_json_bytes()) == article  # survives the wire


def test_ids_prefer_url_then_guid_then_content():
    fixture = EXPECTED["rss20_no_link_no_guid.xml"]
    parsed = _parse("rss20_no_link_no_guid.xml", fixture)
    again = _parse("rss20_no_link_no_guid.xml", fixture)
    assert [a.id for a in parsed.articles] == [a.id for a in again.articles]  # stable across parses
    body = (VARIANTS / "rss20_no_link_no_guid.xml").read_bytes()
    other_feed = parse_feed(body, feed_id="other", language=None, url=f"{BASE}/x", content_type=None, fetched=FETCHED)
    assert parsed.articles[2].id != other_feed.articles[2].id  # guid ids are per feed
    tracked = parse_feed(
        b'<rss version="2.0"><channel><item><title>t</title><link>https://a.example/s?utm_source=x</link></item>'
        b'<item><title>u</title><link>https://A.example/s#frag</link><guid>other-guid</guid></item></channel></rss>',
        feed_id="t", language=None, url=f"{BASE}/t", content_type=None, fetched=FETCHED)
    assert tracked.duplicates == 1  # same canonical URL, whatever the guid


@pytest.mark.parametrize("text, language", [
    ("Shelling resumed overnight on the northern edge of the city, the regional governor told reporters.", "en"),
    ("Les bombardements ont repris dans la nuit au nord de la ville, a déclaré le gouverneur de la région.", "fr"),
    ("Der Beschuss im Norden der Stadt ging in der Nacht weiter, sagte der Gouverneur der Region.", "de"),
    ("Los bombardeos se reanudaron durante la noche en el norte de la ciudad, dijo el gobernador regional.", "es"),
    ("Обстрелы северной окраины города возобновились ночью, сообщил губернатор области.", "ru"),
    ("Обстріли північної околиці міста відновилися вночі, повідомив голова обласної адміністрації.", "uk"),
    ("استؤنف القصف خلال الليل على الأطراف الشمالية للمدينة، بحسب ما قال محافظ المنطقة.", "ar"),
    ("ההפגזות על הקצה הצפוני של העיר התחדשו במהלך הלילה, כך אמר מושל המחוז לכתבים.", "he"),  # CLD2 says "iw"
    ("Bombardımanlar gece boyunca şehrin kuzey ucunda yeniden başladı, dedi bölge valisi gazetecilere.", "tr"),
    ("Shelling \x00resumed\x07 overnight on the northern edge of the city, the \x0bgovernor said.", "en"),
    ("Shelling resumed \ud800overnight on the northern edge of the city, the regional governor said.", "en"),
    ("Too short to tell.", None),
    ("1234 5678 9012 3456 7890 1234 5678 9012 3456 7890 1234", None),
])
def test_detect_language(text, language):
    """Own sentences in several scripts; control characters and lone surrogates (which the
    detector refuses as invalid UTF-8) are dropped, not raised; too little text is None."""
    assert detect_language(text) == language


def test_feed_language_beats_detection_and_config_beats_feed():
    body = (VARIANTS / "rss10_rdf.xml").read_bytes()
    declared = parse_feed(body, feed_id="d", language=None, url=BASE, content_type=None, fetched=FETCHED)
    forced = parse_feed(body, feed_id="d", language="fr", url=BASE, content_type=None, fetched=FETCHED)
    assert {a.language for a in declared.articles} == {"de"}
    assert {a.language for a in forced.articles} == {"fr"}


def test_encoded_articles_carry_the_same_records():
    """What parse processes hand back (``encode=True``) is each article's exact wire bytes."""
    body = (VARIANTS / "rss10_rdf.xml").read_bytes()
    kwargs = dict(feed_id="e", language=None, url=BASE, content_type=None, fetched=FETCHED)
    models, encoded = parse_feed(body, **kwargs).articles, parse_feed(body, encode=True, **kwargs).articles
    assert models and [(e.id, e.content_hash, e.url) for e in encoded] == [(a.id, a.content_hash, a.url) for a in models]
    assert [Article.model_validate_json(e.payload) for e in encoded] == models


def test_content_params_stay_per_element_after_the_flat_copy():
    """articles.py lets feedparser copy content parameters flat instead of deep: every
    title/content must still carry its own type, language and base, in its own dict."""
    import feedparser

    parsed = feedparser.parse(
        b'<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="fr" xml:base="http://a.example/">'
        b'<entry><title type="html">un &lt;b&gt;</title><content type="html">x</content></entry>'
        b'<entry xml:lang="de"><title>zwei</title><content>y</content></entry></feed>')
    first, second = parsed.entries
    assert dict(first.title_detail) == {"type": "text/html", "language": "fr", "base": "http://a.example/",
                                        "value": "un <b>"}
    assert dict(second.content[0]) == {"type": "text/plain", "language": "de", "base": "http://a.example/",
                                       "value": "y"}
    first.content[0]["type"] = "changed"
    assert second.content[0]["type"] == "text/plain" and first.title_detail["type"] == "text/html"


@pytest.mark.parametrize("body, outcome", [
    (b"", "empty"),
    (b"<html><body><h1>Not found</h1></body></html>", "not_a_feed"),
    (b'<?xml version="1.0"?><catalog><book>x</book></catalog>', "not_a_feed"),
    (b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaa">]><rss version="2.0"><channel/></rss>', "xml_entities"),
    (b"\x00\x01\x02garbage\xff\xfe", "malformed"),
    (b'<?xml version="1.0" encoding="utf-8"?><feed>\xff\xfe\xfd</feed>', "undecodable"),
])
def test_unusable_bodies_raise_with_an_outcome(body, outcome):
    with pytest.raises(FeedParseError) as err:
        parse_feed(body, feed_id="x", language=None, url=BASE, content_type=None, fetched=FETCHED)
    assert err.value.outcome == outcome


def test_all_variants_served_over_http_reach_kafka(feed_server, ingester_factory, kafka, topic_name):
    topic = topic_name("articles")
    feeds = []
    for index, (name, spec) in enumerate(sorted(EXPECTED.items())):
        path = f"/feeds/{index}/{spec.get('file', name)}"
        feed_server.route(path, (VARIANTS / spec.get("file", name)).read_bytes(), content_type=spec.get("content_type"))
        feeds.append({"id": f"variant-{index}", "url": feed_server.url(path)})
    ingester = ingester_factory(make_config(feeds), topic, clock=Clock())
    summary = ingester.poll_due()
    assert summary.by_outcome() == {"ok": len(feeds)}
    # the two latin-1 entries share one URL, so one of them is a cross-feed duplicate
    expected_urls = {a["url"] for spec in EXPECTED.values() for a in spec["articles"] if a.get("url")}
    content_only = sum(1 for spec in EXPECTED.values() for a in spec["articles"] if not a.get("url"))
    expected = len(expected_urls) + content_only
    assert summary.publish.acknowledged == expected
    records = consume(kafka.bootstrap, topic, expect=expected)
    assert len(records) == expected == len({key for key, _ in records})
