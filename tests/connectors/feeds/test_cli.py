"""``frontwatch connectors ...`` as an operator runs it: a real process, real HTTP, real broker."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.request

import yaml

from connectors.localkafka import free_port

from .conftest import consume, rss, story_items

FRONTWATCH = [sys.executable, "-m", "pipelines.cli"]


def _write_config(path, feeds, **settings):
    path.write_text(yaml.safe_dump({"workers": 2, **settings, "defaults": {"connect_timeout": 2, "read_timeout": 2},
                                    "feeds": feeds}))
    return path


def _frontwatch(*args, timeout=120):
    return subprocess.run([*FRONTWATCH, *args], capture_output=True, text=True, timeout=timeout,
                          env={**os.environ, "FRONTWATCH_LOG_LEVEL": "INFO"})


def test_run_once_then_status(feed_server, kafka, topic_name, tmp_path):
    topic = topic_name("articles")
    good = feed_server.route("/good.xml", rss(story_items("cli", 3)))
    broken = feed_server.route("/broken.xml", "<html><body>oops</body></html>", content_type="text/html")
    config = _write_config(tmp_path / "feeds.yaml", [{"id": "good", "url": good}, {"id": "broken", "url": broken}])
    state = tmp_path / "state.sqlite"

    run = _frontwatch("connectors", "run", "--config", str(config), "--bootstrap", kafka.bootstrap,
                      "--topic", topic, "--state", str(state), "--once")
    assert run.returncode == 1, run.stderr  # one feed failed: --once says so in its exit status
    assert "poll done feeds=2" in run.stderr and "published=3" in run.stderr
    assert "feed failed feed=broken outcome=not_a_feed" in run.stderr
    assert len(consume(kafka.bootstrap, topic, expect=3)) == 3

    status = _frontwatch("connectors", "status", "--state", str(state))
    assert status.returncode == 0, status.stderr
    lines = {line.split()[0]: line for line in status.stdout.splitlines() if line.strip()}
    assert "not_a_feed: an HTML page, not a feed" in lines["broken"]
    good_cells = lines["good"].split()
    assert good_cells[2:6] == ["ago", "in", "10m", "0"]  # last success, next check, consecutive errors
    assert good_cells[6:8] == ["3", "0"]  # published, updates
    assert "2 feeds, 0 disabled, 3 article ids remembered, 0 articles waiting" in status.stdout

    as_json = _frontwatch("connectors", "status", "--state", str(state), "--json")
    rows = {r["feed_id"]: r for r in map(json.loads, as_json.stdout.splitlines())}
    assert rows["good"]["articles_published"] == 3 and rows["good"]["last_success"]
    assert rows["broken"]["consecutive_errors"] == 1 and rows["broken"]["next_check"]


def test_invalid_config_is_a_clear_error(tmp_path):
    config = _write_config(tmp_path / "feeds.yaml", [{"id": "x", "url": "not-a-url"}])
    run = _frontwatch("connectors", "run", "--config", str(config), "--once", "--state", str(tmp_path / "s.sqlite"))
    assert run.returncode != 0
    assert "feeds[0] (id=x).url: 'not-a-url' is not an http(s) URL" in run.stderr


def test_enable_clears_a_disabled_feed(feed_server, kafka, topic_name, tmp_path):
    url = feed_server.route("/gone.xml", "gone", status=404, content_type="text/plain")
    config = _write_config(tmp_path / "feeds.yaml", [{"id": "gone", "url": url, "disable_after": 1}])
    state = tmp_path / "state.sqlite"
    _frontwatch("connectors", "run", "--config", str(config), "--bootstrap", kafka.bootstrap,
                "--topic", topic_name("articles"), "--state", str(state), "--once")
    assert "DISABLED: http_4xx on 1 consecutive polls" in _frontwatch("connectors", "status", "--state", str(state)).stdout
    assert _frontwatch("connectors", "enable", "gone", "--state", str(state)).returncode == 0
    status = _frontwatch("connectors", "status", "--state", str(state)).stdout
    assert "DISABLED:" not in status and "0 disabled" in status


def _get(url):
    with urllib.request.urlopen(url, timeout=5) as response:
        return response.status, response.read().decode()


def test_long_running_serves_metrics_and_stops_cleanly_on_sigterm(feed_server, kafka, topic_name, tmp_path):
    topic = topic_name("articles")
    url = feed_server.route("/live.xml", rss(story_items("live", 4)), etag='"e1"')
    slow = feed_server.route("/slow.xml", handler=lambda handler: time.sleep(20))  # in flight at SIGTERM
    config = _write_config(tmp_path / "feeds.yaml", [{"id": "live", "url": url, "poll_interval": 1},
                                                     {"id": "slow", "url": slow, "read_timeout": 30,
                                                      "total_timeout": 60}])
    port = free_port()
    proc = subprocess.Popen([*FRONTWATCH, "connectors", "run", "--config", str(config), "--bootstrap", kafka.bootstrap,
                             "--topic", topic, "--state", str(tmp_path / "state.sqlite"), "--metrics-port", str(port),
                             "--summary-every", "1"],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + 60
        metrics = ""
        while time.monotonic() < deadline:
            try:
                _, metrics = _get(f"http://127.0.0.1:{port}/metrics")
                if 'frontwatch_feed_articles_published_total{feed="live",kind="new"} 4.0' in metrics \
                        and 'outcome="not_modified"' in metrics:
                    break
            except OSError:
                pass
            time.sleep(0.3)
        assert 'frontwatch_feed_fetches_total{feed="live",outcome="ok"} 1.0' in metrics
        assert 'outcome="not_modified"' in metrics  # it kept polling, conditionally
        assert "frontwatch_feed_fetch_seconds_bucket" in metrics
        status, health = _get(f"http://127.0.0.1:{port}/healthz")
        assert status == 200 and json.loads(health)["status"] == "ok"

        started = time.monotonic()
        proc.send_signal(signal.SIGTERM)
        output, _ = proc.communicate(timeout=15)
        assert time.monotonic() - started < 10
        assert proc.returncode == 0
        assert "stopped in" in output and "summary polls=" in output
        assert "abandoning 1 fetches still waiting on slow servers" in output
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert len(consume(kafka.bootstrap, topic, expect=4)) == 4
