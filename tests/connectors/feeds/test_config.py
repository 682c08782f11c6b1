"""The feed config: the shipped seeds file is valid, defaults merge, errors name the culprit."""
from __future__ import annotations

from pathlib import Path

import pytest

from connectors.feeds.config import ConfigError, config_from_dict, load_config, parse_duration, parse_size

REPO = Path(__file__).resolve().parents[3]


def test_shipped_feed_list_is_valid_and_covers_the_regions():
    config = load_config(REPO / "seeds" / "feeds.yaml", environ={})
    assert len(config.feeds) >= 30
    tags = {t for f in config.feeds for t in f.tags}
    assert {"world", "middle-east", "africa", "europe", "search"} <= tags
    assert all(f.url.startswith("https://") for f in config.feeds)
    assert any("news.google.com/rss/search" in f.url for f in config.feeds)
    assert {f.language for f in config.feeds} >= {"en", "ar", "fr"}


def test_defaults_merge_and_feeds_override():
    config = config_from_dict({
        "defaults": {"poll_interval": "10m", "tags": ["x"]},
        "feeds": [{"id": "a", "url": "https://a.example/rss"},
                  {"id": "b", "url": "https://b.example/rss", "poll_interval": 90, "full_text": True}],
    }, environ={})
    a, b = config.feeds
    assert (a.poll_interval, a.tags, a.full_text) == (600, ["x"], False)
    assert (b.poll_interval, b.full_text) == (90, True)
    assert a.max_bytes == 10 * 1024**2


def test_environment_overrides_top_level_settings():
    config = config_from_dict({"feeds": []}, environ={"FRONTWATCH_FEEDS_WORKERS": "16",
                                                      "FRONTWATCH_FEEDS_TOPIC": "articles-eu",
                                                      "FRONTWATCH_FEEDS_UNRELATED": "x"})
    assert (config.workers, config.topic) == (16, "articles-eu")


@pytest.mark.parametrize("data, message", [
    ({"feeds": [{"id": "ok", "url": "ftp://x/feed"}]}, "feeds[0] (id=ok).url: 'ftp://x/feed' is not an http(s) URL"),
    ({"feeds": [{"id": "Bad Id", "url": "https://x/feed"}]}, "feeds[0] (id=Bad Id).id: String should match pattern"),
    ({"feeds": [{"id": "a", "url": "https://x/1"}, {"id": "a", "url": "https://x/2"}]}, "duplicate feed ids: a"),
    ({"feeds": [{"id": "a", "url": "https://x/1", "poll_interval": "soon"}]}, "'soon' is not a duration"),
    ({"feeds": [{"id": "a", "url": "https://x/1", "polling": 5}]}, "feeds[0] (id=a).polling: Extra inputs"),
    ({"feeds": [{"id": "a", "url": "https://x/1", "language": "english!"}]}, "is not a language code"),
    ({"defaults": {"max_bytes": "huge"}, "feeds": []}, "'huge' is not a size"),
    ({"feeds": {"id": "a"}}, "'feeds' must be a list"),
])
def test_invalid_config_gets_a_clear_error(data, message):
    with pytest.raises(ConfigError) as err:
        config_from_dict(data, source="feeds.yaml", environ={})
    assert str(err.value).startswith("feeds.yaml: ")
    assert message in str(err.value)


def test_unreadable_and_non_yaml_files(tmp_path):
    with pytest.raises(ConfigError, match="cannot read"):
        load_config(tmp_path / "missing.yaml")
    broken = tmp_path / "broken.yaml"
    broken.write_text("feeds: [unclosed")
    with pytest.raises(ConfigError, match="not valid YAML"):
        load_config(broken)


def test_durations_and_sizes():
    assert [parse_duration(v) for v in (5, "90s", "10m", "2h", "1d", "250ms")] == [5, 90, 600, 7200, 86400, 0.25]
    assert [parse_size(v) for v in (100, "512KB", "10MB", "1gb")] == [100, 512 * 1024, 10 * 1024**2, 1024**3]
    with pytest.raises(ValueError):
        parse_duration(-1)
