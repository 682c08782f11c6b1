"""The long-running loop through the Python API, and the optional full-text fetch."""
from __future__ import annotations

import threading
import time

from .conftest import consume, make_config, rss

ARTICLE_PAGE = """<!DOCTYPE html><html><head><title>Rebels near the capital</title></head><body>
<nav><a href="/">Home</a> | <a href="/world">World</a> | <a href="/subscribe">Subscribe</a></nav>
<article><h1>Rebels near the capital</h1>
<p>Rebel forces said on Saturday that they had reached the outskirts of the capital after a rapid advance
through the southern province, a claim the government denied in a statement broadcast on state television.</p>
<p>A war monitor said opposition fighters were within 20 kilometres of the city centre, and that government
troops had withdrawn from several positions along the main highway overnight without a fight.</p>
<p>Residents reported heavy traffic leaving the city as shops closed early and queues formed at petrol stations.</p>
</article>
<footer>Copyright Example News. All rights reserved. Cookie settings. Privacy policy.</footer>
</body></html>"""


def test_full_text_is_fetched_once_for_new_articles_and_falls_back_to_the_summary(
        feed_server, ingester_factory, kafka, topic_name):
    topic = topic_name("articles")
    page = feed_server.route("/articles/1", ARTICLE_PAGE, content_type="text/html; charset=utf-8")
    missing = feed_server.url("/articles/missing")
    huge = feed_server.route("/articles/huge", "<html><body>" + "<p>word</p>" * 20000 + "</body></html>",
                             content_type="text/html")
    items = [{"title": "Rebels near the capital", "link": page, "description": "Short summary one."},
             {"title": "Missing page", "link": missing, "description": "Short summary two."},
             {"title": "Huge page", "link": huge, "description": "Short summary three."}]
    url = feed_server.route("/full.xml", rss(items))
    config = make_config([{"id": "full", "url": url, "full_text": True, "full_text_max_bytes": "100KB"}])
    ingester = ingester_factory(config, topic)
    assert ingester.poll_due().publish.acknowledged == 3
    texts = {a.title: a.text for _, a in consume(kafka.bootstrap, topic, expect=3)}
    assert "within 20 kilometres of the city centre" in texts["Rebels near the capital"]
    assert "Cookie settings" not in texts["Rebels near the capital"]  # boilerplate stripped
    assert texts["Missing page"] == "Short summary two."
    assert texts["Huge page"] == "Short summary three."  # over the page size limit: summary stands

    ingester.clock.advance(301)
    ingester.poll_due()
    assert feed_server.hits["/articles/1"] == 1  # already published: its page is not fetched again


def test_run_loop_polls_as_feeds_come_due_and_stops_promptly(feed_server, ingester_factory, kafka, topic_name):
    from connectors.wire import utc_now

    topic = topic_name("articles")
    url = feed_server.route("/loop.xml", rss([{"title": "Loop story", "link": "https://loop.example/1",
                                               "description": "Fighting continued overnight."}]), etag='"loop"')
    ingester = ingester_factory(make_config([{"id": "loop", "url": url, "poll_interval": 1}]), topic, clock=utc_now)
    stop = threading.Event()
    runner = threading.Thread(target=ingester.run, args=(stop,), kwargs={"summary_every": 1, "tick": 0.2})
    runner.start()
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and feed_server.statuses[("/loop.xml", 304)] < 2:
        time.sleep(0.1)
    stop.set()
    runner.join(timeout=5)
    assert not runner.is_alive()
    assert feed_server.statuses[("/loop.xml", 200)] == 1
    assert feed_server.statuses[("/loop.xml", 304)] >= 2
    assert ingester.heartbeat is not None
    assert [a.url for _, a in consume(kafka.bootstrap, topic, expect=1)] == ["https://loop.example/1"]
