"""Shared fixtures. The gazetteer is built once per test session into a temporary cache
unless $FRONTWATCH_CACHE already points at one (as on a developer machine)."""
from __future__ import annotations

import os

import pytest

from pipelines.gazetteer import Gazetteer


@pytest.fixture(scope="session")
def gazetteer(tmp_path_factory) -> Gazetteer:
    cache = os.environ.get("FRONTWATCH_CACHE") or os.path.join(os.path.expanduser("~"), ".cache", "frontwatch")
    if not os.access(os.path.dirname(cache) or ".", os.W_OK):
        cache = str(tmp_path_factory.mktemp("gazetteer"))
    return Gazetteer.load(cache)
