"""Politeness and backoff rules on an injected clock: pure functions, then through the ingester."""
from __future__ import annotations

import random
from datetime import timedelta

import pytest

from connectors.feeds.config import FeedSettings
from connectors.feeds.schedule import (backoff_delay, interval_after_success, parse_max_age, parse_retry_after,
                                       parse_ttl_minutes)

from .conftest import Clock, T0, make_config, rss, story_items

SETTINGS = FeedSettings(poll_interval=300, max_interval=7200, backoff_base=60, backoff_max=3600)


@pytest.mark.parametrize("header, expected", [
    ("120", 120.0),
    ("Sat, 01 Mar 2025 12:05:00 GMT", 300.0),
    ("Sat, 01 Mar 2025 11:00:00 GMT", 0.0),  # in the past: no wait
    ("999999999", 86400.0),  # capped at a day
    ("soon", None),
    (None, None),
])
def test_retry_after_seconds_or_http_date(header, expected):
    assert parse_retry_after(header, T0) == expected


@pytest.mark.parametrize("header, expected", [
    ("public, max-age=900", 900.0),
    ("s-maxage=60, max-age=30", 30.0),  # s-maxage is for shared caches, not us
    ("max-age=600, no-cache", None),
    ("no-store", None),
    ("private", None),
    (None, None),
])
def test_cache_control_max_age(header, expected):
    assert parse_max_age(header) == expected


def test_ttl_is_minutes():
    assert parse_ttl_minutes("15") == 900.0
    assert parse_ttl_minutes(" 0 ") is None
    assert parse_ttl_minutes("soon") is None


def test_success_interval_honours_freshness_hints_up_to_the_cap():
    assert interval_after_success(SETTINGS) == 300
    assert interval_after_success(SETTINGS, ttl=60) == 300  # never poll faster than configured
    assert interval_after_success(SETTINGS, ttl=1800) == 1800
    assert interval_after_success(SETTINGS, max_age=900, ttl=600) == 900
    assert interval_after_success(SETTINGS, ttl=86400) == 7200  # max_interval caps freshness hints
    assert interval_after_success(SETTINGS, retry_after=10800) == 10800  # an explicit request is honoured


def test_backoff_doubles_is_capped_and_jittered():
    rng = random.Random(1)
    for errors, ceiling in [(1, 60), (2, 120), (3, 240), (7, 3600), (60, 3600)]:
        delays = [backoff_delay(SETTINGS, errors, rng) for _ in range(200)]
        assert all(ceiling / 2 <= d <= ceiling for d in delays)
        assert len({round(d, 3) for d in delays}) > 100  # jitter actually spreads retries


def test_retry_after_is_a_floor_for_backoff():
    assert backoff_delay(SETTINGS, 1, random.Random(1), retry_after=900) == 900
    assert 30 <= backoff_delay(SETTINGS, 1, random.Random(1), retry_after=5) <= 60


def _checks(feed_server, ingester_factory, topic_name, route_kwargs, feed=None):
    url = feed_server.route("/f.xml", **route_kwargs)
    clock = Clock()
    ingester = ingester_factory(make_config([{"id": "f", "url": url, **(feed or {})}], defaults={"backoff_base": 10}),
                                topic_name("articles"), clock=clock)
    ingester.poll_due()
    return ingester, clock, (ingester.store.feed_state("f").next_check - T0).total_seconds()


def test_retry_after_on_503_postpones_the_next_fetch(feed_server, ingester_factory, topic_name):
    ingester, clock, delay = _checks(feed_server, ingester_factory, topic_name,
                                     dict(body="busy", status=503, headers={"Retry-After": "120"}))
    assert delay == 120
    clock.advance(60)
    assert ingester.poll_due().outcomes == []
    clock.advance(61)
    assert ingester.poll_due().by_outcome() == {"http_5xx": 1}
    assert feed_server.hits["/f.xml"] == 2


def test_429_with_http_date_retry_after(feed_server, ingester_factory, topic_name):
    when = (T0 + timedelta(minutes=30)).strftime("%a, %d %b %Y %H:%M:%S GMT")
    _, _, delay = _checks(feed_server, ingester_factory, topic_name,
                          dict(body="slow down", status=429, headers={"Retry-After": when}))
    assert delay == 1800


def test_rss_ttl_sets_the_next_check(feed_server, ingester_factory, topic_name):
    _, _, delay = _checks(feed_server, ingester_factory, topic_name, dict(body=rss(story_items("t", 1), ttl=30)))
    assert delay == 1800


def test_cache_control_max_age_sets_the_next_check(feed_server, ingester_factory, topic_name):
    ingester, clock, delay = _checks(feed_server, ingester_factory, topic_name,
                                     dict(body=rss(story_items("c", 1)), headers={"Cache-Control": "max-age=900"}))
    assert delay == 900
    clock.advance(899)
    assert ingester.poll_due().outcomes == []
    assert feed_server.hits["/f.xml"] == 1


def test_long_ttl_is_capped_by_max_interval(feed_server, ingester_factory, topic_name):
    _, _, delay = _checks(feed_server, ingester_factory, topic_name, dict(body=rss(story_items("t", 1), ttl=1440)),
                          feed={"max_interval": "2h"})
    assert delay == 7200
