"""Configuration of the stream job: a YAML file with sane defaults, environment overrides.

Every key has a default (see ``job.example.yaml`` beside this module for the documented
file). Environment variables override the file: ``FRONTWATCH_<SECTION>__<KEY>``, e.g.
``FRONTWATCH_KAFKA__BOOTSTRAP=broker:9092`` or ``FRONTWATCH_ALERTS__BANDS_KM=100,50,20,5,0``.
Invalid values fail at start with a message that names the key.
"""
from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path
from typing import Any, get_origin

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from connectors.kafka import Topics
from pipelines.situation import AlertPolicy


class ConfigError(ValueError):
    """The configuration is invalid; the message says which key and why."""


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid")


class KafkaSection(_Section):
    bootstrap: str = "127.0.0.1:9092"
    articles_topic: str = Topics().articles
    signals_topic: str = Topics().signals
    alerts_topic: str = Topics().alerts
    dead_letter_topic: str = Topics().dead_letter
    group_id: str = "frontwatch-job"
    replay_hours: float = Field(72.0, ge=0, description="state rebuild horizon on start")
    poll_interval_s: float = Field(0.3, gt=0)
    poll_timeout_ms: int = Field(200, ge=0)
    discovery_interval_s: float = Field(30.0, gt=0)


class AlertsSection(_Section):
    bands_km: list[float] = Field(default_factory=lambda: [100, 50, 25, 10, 0])
    hysteresis: float = Field(0.2, ge=0, le=1)
    hysteresis_min_km: float = Field(2.0, ge=0)
    supersede_after_hours: float = Field(6.0, ge=0)
    max_age_hours: float = Field(72.0, gt=0)
    evidence_window_hours: float = Field(168.0, gt=0)
    weighty_population: int = Field(100_000, ge=0)
    loss_window_hours: float = Field(168.0, gt=0)
    loss_count_levels: list[int] = Field(default_factory=lambda: [3, 5, 10])
    loss_population_levels: list[int] = Field(default_factory=lambda: [250_000, 1_000_000, 5_000_000])

    @field_validator("bands_km")
    @classmethod
    def _bands(cls, value: list[float]) -> list[float]:
        if not value or any(b < 0 for b in value):
            raise ValueError("bands_km needs at least one non-negative distance")
        return sorted(set(value), reverse=True)

    def policy(self, place_ttl: timedelta) -> AlertPolicy:
        return AlertPolicy(
            bands_km=tuple(self.bands_km), hysteresis=self.hysteresis,
            hysteresis_min_km=self.hysteresis_min_km,
            supersede_after=timedelta(hours=self.supersede_after_hours),
            max_age=timedelta(hours=self.max_age_hours),
            evidence_window=timedelta(hours=self.evidence_window_hours),
            weighty_population=self.weighty_population,
            loss_window=timedelta(hours=self.loss_window_hours),
            loss_count_levels=tuple(sorted(self.loss_count_levels)),
            loss_population_levels=tuple(sorted(self.loss_population_levels)), place_ttl=place_ttl)


class StateSection(_Section):
    dedup_ttl_hours: float = Field(168.0, gt=0, description="how long an article fingerprint is remembered")
    situation_ttl_hours: float = Field(720.0, gt=0, description="places nobody reports on are forgotten after")


class JobConfig(_Section):
    kafka: KafkaSection = Field(default_factory=KafkaSection)
    alerts: AlertsSection = Field(default_factory=AlertsSection)
    state: StateSection = Field(default_factory=StateSection)

    def policy(self) -> AlertPolicy:
        """The alerting rules' thresholds (``alerts:``) and how long places are kept (``state:``)."""
        return self.alerts.policy(place_ttl=timedelta(hours=self.state.situation_ttl_hours))


ENV_PREFIX = "FRONTWATCH_"


def _env_overrides(environ: dict[str, str]) -> dict[str, dict[str, Any]]:
    """``FRONTWATCH_<SECTION>__<KEY>=value``; list keys take comma-separated values."""
    out: dict[str, dict[str, Any]] = {}
    for name, value in environ.items():
        if not name.startswith(ENV_PREFIX) or "__" not in name:
            continue
        section, _, key = name[len(ENV_PREFIX):].lower().partition("__")
        if section not in JobConfig.model_fields:
            raise ConfigError(f"{name}: no such config section {section!r} "
                              f"(sections: {', '.join(JobConfig.model_fields)})")
        model = JobConfig.model_fields[section].annotation
        field_info = model.model_fields.get(key)
        is_list = field_info is not None and get_origin(field_info.annotation) is list
        out.setdefault(section, {})[key] = [v.strip() for v in value.split(",") if v.strip()] if is_list else value
    return out


def load_config(path: str | Path | None = None, environ: dict[str, str] | None = None,
                overrides: dict[str, dict[str, Any]] | None = None) -> JobConfig:
    """Defaults, then the YAML file, then environment variables, then explicit overrides."""
    data: dict[str, dict[str, Any]] = {}
    if path:
        try:
            loaded = yaml.safe_load(Path(path).read_text()) or {}
        except (OSError, yaml.YAMLError) as exc:
            raise ConfigError(f"cannot read config {path}: {exc}") from exc
        if not isinstance(loaded, dict):
            raise ConfigError(f"{path}: the top level must be a mapping of sections")
        data = loaded
    for layer in (_env_overrides(environ if environ is not None else dict(os.environ)), overrides or {}):
        for section, values in layer.items():
            data.setdefault(section, {}).update(values)
    try:
        return JobConfig.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors())
        raise ConfigError(f"invalid job configuration: {problems}") from exc
