"""The feed list and connector settings (``seeds/feeds.yaml``), validated with pydantic.

Every feed inherits the file's ``defaults`` and overrides what it needs, so a feed entry
can be as short as ``{id, url}``. Durations are seconds or strings such as ``"90s"``,
``"10m"``, ``"2h"``, ``"1d"``. Top-level settings can be overridden from the environment
as ``FRONTWATCH_FEEDS_<SETTING>`` (e.g. ``FRONTWATCH_FEEDS_WORKERS=16``), which is how a
deployment tunes the same file without editing it.
"""
from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Annotated, Any

import yaml
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError, field_validator, model_validator

ENV_PREFIX = "FRONTWATCH_FEEDS_"
DEFAULT_USER_AGENT = "frontwatch-feeds/0.1 (+https://github.com/frontwatch/frontwatch; news monitor)"

_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?\s*$")
_UNIT_SECONDS = {"ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400, None: 1}


def parse_duration(value: Any) -> float:
    """Seconds from a number or a string like ``"10m"``; rejects negative or unknown units."""
    if isinstance(value, bool):
        raise ValueError("a duration must be a number of seconds or a string like '10m'")
    if isinstance(value, (int, float)):
        seconds = float(value)
    else:
        match = _DURATION.match(str(value))
        if not match:
            raise ValueError(f"{value!r} is not a duration (use seconds or e.g. '90s', '10m', '2h', '1d')")
        seconds = float(match.group(1)) * _UNIT_SECONDS[match.group(2)]
    if seconds < 0:
        raise ValueError("a duration cannot be negative")
    return seconds


Seconds = Annotated[float, BeforeValidator(parse_duration)]

_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(b|kb|mb|gb)?\s*$", re.IGNORECASE)
_UNIT_BYTES = {"b": 1, "kb": 1024, "mb": 1024**2, "gb": 1024**3, None: 1}


def parse_size(value: Any) -> int:
    """Bytes from a number or a string like ``"10MB"``."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    match = _SIZE.match(str(value))
    if not match:
        raise ValueError(f"{value!r} is not a size (use bytes or e.g. '512KB', '10MB')")
    unit = match.group(2).lower() if match.group(2) else None
    return int(float(match.group(1)) * _UNIT_BYTES[unit])


Bytes = Annotated[int, BeforeValidator(parse_size)]


class FeedSettings(BaseModel):
    """Per-feed behaviour; the file's ``defaults`` and each feed entry both use these fields."""

    model_config = ConfigDict(extra="forbid")

    poll_interval: Seconds = Field(600.0, gt=0, description="normal time between two checks")
    max_interval: Seconds = Field(4 * 3600.0, gt=0, description="cap on intervals that ttl/max-age ask for")
    language: str | None = Field(None, description="ISO 639-1 code; detected per article when unset")
    tags: list[str] = Field(default_factory=list)
    full_text: bool = Field(False, description="fetch each new article's page and extract its text")
    enabled: bool = True
    connect_timeout: Seconds = Field(10.0, gt=0)
    read_timeout: Seconds = Field(30.0, gt=0)
    total_timeout: Seconds = Field(60.0, gt=0, description="whole request including a slow body")
    max_bytes: Bytes = Field(10 * 1024**2, gt=0, description="largest feed body accepted (decoded)")
    backoff_base: Seconds = Field(60.0, gt=0, description="delay after the first error, doubled per error")
    backoff_max: Seconds = Field(6 * 3600.0, gt=0)
    disable_after: int = Field(5, ge=1, description="consecutive permanent failures (404/410/DNS) before disabling")
    full_text_timeout: Seconds = Field(15.0, gt=0)
    full_text_max_bytes: Bytes = Field(5 * 1024**2, gt=0)

    @field_validator("language")
    @classmethod
    def _language_code(cls, value: str | None) -> str | None:
        if value is None:
            return None
        code = value.strip().lower().replace("_", "-").split("-")[0]
        if not re.fullmatch(r"[a-z]{2,3}", code):
            raise ValueError(f"{value!r} is not a language code (use e.g. 'en', 'ar', 'fr')")
        return code


class FeedConfig(FeedSettings):
    """One feed: an id that names it in state, metrics and articles, and its URL."""

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9._-]{0,79}$",
                    description="lowercase letters, digits, '.', '_', '-'")
    url: str

    @field_validator("url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        if not re.match(r"^https?://[^/\s]+", value.strip()):
            raise ValueError(f"{value!r} is not an http(s) URL")
        return value.strip()


class ConnectorConfig(BaseModel):
    """The whole file: connector-wide settings, per-feed defaults and the feeds."""

    model_config = ConfigDict(extra="forbid")

    user_agent: str = DEFAULT_USER_AGENT
    workers: int = Field(8, ge=1, le=256, description="feeds fetched at the same time")
    parse_processes: int = Field(0, ge=0, le=64, description="processes that parse feeds; 0 = in the fetching thread")
    topic: str = "articles"
    max_redirects: int = Field(5, ge=0, le=30)
    publish_timeout: Seconds = Field(30.0, gt=0, description="longest wait for the broker to acknowledge a batch")
    seen_retention: Seconds = Field(90 * 86400.0, gt=0, description="how long published ids are remembered")
    defaults: FeedSettings = Field(default_factory=FeedSettings)
    feeds: list[FeedConfig] = Field(default_factory=list)

    @model_validator(mode="before")
    @classmethod
    def _apply_defaults(cls, data: Any) -> Any:
        """Merge ``defaults`` into every feed entry before the entries are validated."""
        if not isinstance(data, dict):
            raise ValueError("the feed config must be a mapping with 'feeds' (and optionally 'defaults')")
        defaults = data.get("defaults") or {}
        if not isinstance(defaults, dict):
            raise ValueError("'defaults' must be a mapping")
        feeds = data.get("feeds") or []
        if not isinstance(feeds, list):
            raise ValueError("'feeds' must be a list")
        merged = [{**defaults, **feed} if isinstance(feed, dict) else feed for feed in feeds]
        return {**data, "defaults": defaults, "feeds": merged}

    @model_validator(mode="after")
    def _unique_ids(self) -> "ConnectorConfig":
        seen: set[str] = set()
        duplicates = sorted({f.id for f in self.feeds if f.id in seen or seen.add(f.id)})
        if duplicates:
            raise ValueError(f"duplicate feed ids: {', '.join(duplicates)}")
        return self


class ConfigError(ValueError):
    """The feed config cannot be used; the message names the file, the feed and the field."""


def load_config(path: str | Path, environ: dict[str, str] | None = None) -> ConnectorConfig:
    """Read, merge and validate a feed config file (plus ``FRONTWATCH_FEEDS_*`` overrides)."""
    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror or exc}") from exc
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: not valid YAML: {exc}") from exc
    return config_from_dict(data if data is not None else {}, source=str(path), environ=environ)


def config_from_dict(data: Any, source: str = "config", environ: dict[str, str] | None = None) -> ConnectorConfig:
    if isinstance(data, dict):
        data = {**data, **_env_overrides(os.environ if environ is None else environ)}
    try:
        return ConnectorConfig.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(f"{source}: {_describe(exc, data)}") from None


def _env_overrides(environ: dict[str, str]) -> dict[str, str]:
    scalars = {name for name, field in ConnectorConfig.model_fields.items() if name not in ("defaults", "feeds")}
    overrides = {}
    for key, value in environ.items():
        if key.startswith(ENV_PREFIX):
            name = key[len(ENV_PREFIX):].lower()
            if name in scalars:
                overrides[name] = value
    return overrides


def _describe(exc: ValidationError, data: Any) -> str:
    """One line per problem, naming the feed by its id rather than by list index."""
    lines = []
    for err in exc.errors():
        loc = list(err.get("loc", ()))
        if len(loc) >= 2 and loc[0] == "feeds" and isinstance(loc[1], int):
            feed = data["feeds"][loc[1]] if isinstance(data, dict) else None
            name = feed.get("id") if isinstance(feed, dict) else None
            where = f"feeds[{loc[1]}]" + (f" (id={name})" if name else "") + "".join(f".{part}" for part in loc[2:])
        else:
            where = ".".join(str(part) for part in loc) or "file"
        msg = err.get("msg", "invalid").removeprefix("Value error, ")
        lines.append(f"{where}: {msg}")
    return "; ".join(lines)
