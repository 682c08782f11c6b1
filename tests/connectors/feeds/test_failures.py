"""Every failure mode on its own feed, next to a good feed that must keep publishing."""
from __future__ import annotations

import gzip
import os
import time

import pytest

from .conftest import Clock, T0, consume, make_config, rss, story_items

BOMB = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<rss version="2.0"><channel><title>&lol9;</title><item><title>&lol9;</title><link>https://bomb.example/1</link></item></channel></rss>"""

FIFTY_MB = 50 * 1024 * 1024


def _stream_huge(handler, declare_length: bool):
    handler.send_response(200)
    handler.send_header("Content-Type", "application/rss+xml")
    if declare_length:
        handler.send_header("Content-Length", str(FIFTY_MB))
    handler.end_headers()
    chunk = b"<rss>" + b"x" * (1024 * 1024 - 5)
    try:
        for _ in range(50):
            handler.wfile.write(chunk)
    except (BrokenPipeError, ConnectionResetError):
        pass


def _slow(handler):
    time.sleep(3.5)  # past the 2 s read timeout
    try:
        handler.send_response(200)
        handler.end_headers()
    except (BrokenPipeError, ConnectionResetError):
        pass


def _redirect_to_self(handler):
    handler.send_response(302)
    handler.send_header("Location", handler.path)
    handler.send_header("Content-Length", "0")
    handler.end_headers()


def _gzip_bomb(handler):
    body = gzip.compress(b"<rss>" + b" " * (30 * 1024 * 1024), compresslevel=9)  # ~30 KB -> 30 MB
    handler.send_response(200)
    handler.send_header("Content-Type", "application/rss+xml")
    handler.send_header("Content-Encoding", "gzip")
    handler.send_header("Content-Length", str(len(body)))
    handler.end_headers()
    handler.wfile.write(body)


def _undecodable():
    return b'<?xml version="1.0" encoding="utf-16"?>' + os.urandom(4096)


# name -> (route kwargs, url override, expected outcome, permanent)
FAILURES = {
    "http_404": (dict(body="gone", status=404, content_type="text/plain"), None, "http_4xx", True),
    "http_410": (dict(body="gone", status=410, content_type="text/plain"), None, "http_4xx", True),
    "http_500": (dict(body="oops", status=500, content_type="text/plain"), None, "http_5xx", False),
    "read_timeout": (dict(handler=_slow), None, "timeout", False),
    "xml_bomb": (dict(body=BOMB), None, "xml_entities", False),
    "fifty_mb_body": (dict(handler=lambda h: _stream_huge(h, declare_length=False)), None, "too_large", False),
    "fifty_mb_declared": (dict(handler=lambda h: _stream_huge(h, declare_length=True)), None, "too_large", False),
    "gzip_bomb": (dict(handler=_gzip_bomb), None, "too_large", False),
    "undecodable_body": (dict(body=_undecodable(), content_type="application/xml"), None, "undecodable", False),
    "html_instead_of_feed": (dict(body="<!DOCTYPE html><html><head><title>Home</title></head><body><p>Welcome</p>"
                                       "</body></html>", content_type="text/html"), None, "not_a_feed", False),
    "endless_redirect": (dict(handler=_redirect_to_self), None, "too_many_redirects", False),
    "empty_body": (dict(body=b""), None, "empty", False),
    "dns_failure": (None, "http://feed.does-not-exist.invalid/rss.xml", "dns", True),
    "connection_refused": (None, "http://127.0.0.1:9/rss.xml", "connect", False),
}


@pytest.mark.parametrize("mode", sorted(FAILURES))
def test_failure_is_isolated_recorded_and_backed_off(mode, feed_server, ingester_factory, kafka, topic_name):
    route, url_override, outcome, permanent = FAILURES[mode]
    topic = topic_name("articles")
    good = feed_server.route("/good.xml", rss(story_items("good", 3)))
    bad = url_override or feed_server.route("/bad.xml", **route)
    config = make_config([{"id": "good", "url": good}, {"id": "bad", "url": bad}],
                         defaults={"max_bytes": "10MB", "backoff_base": 60})
    ingester = ingester_factory(config, topic, clock=Clock())

    summary = ingester.poll_due()

    outcomes = {o.feed_id: o for o in summary.outcomes}
    assert outcomes["good"].outcome == "ok" and outcomes["good"].queued_new == 3
    assert outcomes["bad"].outcome == outcome, outcomes["bad"].error
    assert summary.publish.acknowledged == 3
    state = ingester.store.feed_state("bad")
    assert state.consecutive_errors == 1
    assert state.last_error.startswith(outcome)
    assert state.permanent_errors == (1 if permanent else 0)
    assert state.disabled_reason is None  # one failure never disables
    delay = (state.next_check - T0).total_seconds()
    assert 30 <= delay <= 60  # first backoff: equal jitter in [base/2, base]
    assert ingester.metrics.registry.get_sample_value(
        "frontwatch_feed_fetches_total", {"feed": "bad", "outcome": outcome}) == 1
    assert {a.source.feed_id for _, a in consume(kafka.bootstrap, topic, expect=3)} == {"good"}


def test_permanent_failures_disable_the_feed_after_n_tries(feed_server, ingester_factory, topic_name):
    url = feed_server.route("/moved.xml", "gone", status=410, content_type="text/plain")
    clock = Clock()
    ingester = ingester_factory(make_config([{"id": "moved", "url": url, "disable_after": 3}]),
                                topic_name("articles"), clock=clock)
    for attempt in range(1, 4):
        assert ingester.poll_due().by_outcome() == {"http_4xx": 1}
        clock.advance(7200)
    state = ingester.store.feed_state("moved")
    assert state.disabled_reason.startswith("http_4xx on 3 consecutive polls")
    assert "410" in state.disabled_reason
    assert ingester.poll_due().outcomes == []  # disabled feeds are not due
    assert feed_server.hits["/moved.xml"] == 3


def test_backoff_grows_then_resets_on_success(feed_server, ingester_factory, topic_name):
    url = feed_server.route("/flaky.xml", "down", status=503, content_type="text/plain")
    clock = Clock()
    ingester = ingester_factory(make_config([{"id": "flaky", "url": url}], defaults={"backoff_base": 60}),
                                topic_name("articles"), clock=clock)
    delays = []
    for _ in range(4):
        ingester.poll_due()
        state = ingester.store.feed_state("flaky")
        delays.append((state.next_check - clock.now).total_seconds())
        clock.now = state.next_check
    for n, delay in enumerate(delays):
        assert 60 * 2**n / 2 <= delay <= 60 * 2**n
    feed_server.route("/flaky.xml", rss(story_items("flaky", 1)))
    assert ingester.poll_due().by_outcome() == {"ok": 1}
    state = ingester.store.feed_state("flaky")
    assert state.consecutive_errors == 0
    assert (state.next_check - clock.now).total_seconds() == 300


def test_ill_formed_feed_with_usable_entries_is_a_warning(feed_server, ingester_factory, kafka, topic_name):
    topic = topic_name("articles")
    sloppy = rss([{"title": "Fighting & displacement", "link": "https://sloppy.example.com/a",
                   "description": "Thousands fled & more"}])
    url = feed_server.route("/sloppy.xml", sloppy)
    ingester = ingester_factory(make_config([{"id": "sloppy", "url": url}]), topic, clock=Clock())
    summary = ingester.poll_due()
    assert summary.by_outcome() == {"ok": 1}
    assert "ill-formed" in summary.outcomes[0].warning
    assert ingester.metrics.registry.get_sample_value("frontwatch_feed_parse_warnings_total", {"feed": "sloppy"}) == 1
    [(_, article)] = consume(kafka.bootstrap, topic, expect=1)
    assert article.title == "Fighting & displacement"
