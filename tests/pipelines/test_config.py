"""Job configuration: defaults, the documented example file, env overrides, clear errors."""
from __future__ import annotations

from pathlib import Path

import pytest

from pipelines.config import ConfigError, JobConfig, load_config

EXAMPLE = Path(__file__).resolve().parents[2] / "pipelines" / "job.example.yaml"


def test_example_file_documents_exactly_the_defaults():
    assert load_config(EXAMPLE, environ={}) == JobConfig()


def test_environment_overrides_the_file(tmp_path):
    path = tmp_path / "job.yaml"
    path.write_text("kafka:\n  bootstrap: file:9092\nalerts:\n  hysteresis: 0.1\n")
    config = load_config(path, environ={"FRONTWATCH_KAFKA__BOOTSTRAP": "env:9092",
                                        "FRONTWATCH_ALERTS__BANDS_KM": "80,30,5"})
    assert config.kafka.bootstrap == "env:9092"
    assert config.alerts.hysteresis == 0.1
    assert config.policy().bands_km == (80, 30, 5)


@pytest.mark.parametrize("text, words", [
    ("alerts:\n  hysteresis: 3\n", ["alerts.hysteresis"]),
    ("kafka:\n  bootsrap: x\n", ["kafka.bootsrap", "not permitted"]),
    ("- just a list\n", ["mapping"]),
])
def test_invalid_config_names_the_key(tmp_path, text, words):
    path = tmp_path / "bad.yaml"
    path.write_text(text)
    with pytest.raises(ConfigError) as err:
        load_config(path, environ={})
    for word in words:
        assert word in str(err.value)


def test_environment_lists_and_scalars_by_the_key_type():
    config = load_config(environ={"FRONTWATCH_ALERTS__BANDS_KM": "50",
                                  "FRONTWATCH_KAFKA__BOOTSTRAP": "b1:9092,b2:9092"})
    assert config.policy().bands_km == (50,)
    assert config.kafka.bootstrap == "b1:9092,b2:9092"


def test_a_misspelt_environment_section_is_an_error():
    with pytest.raises(ConfigError) as err:
        load_config(environ={"FRONTWATCH_ALERT__HYSTERESIS": "0.1"})
    assert "FRONTWATCH_ALERT__HYSTERESIS" in str(err.value)
