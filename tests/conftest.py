"""Shared fixtures: one real Kafka broker (KRaft, from Maven Central jars) per test session."""
from __future__ import annotations

import itertools
import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def kafka(tmp_path_factory):
    """A real single-node Apache Kafka broker on loopback, for the whole session.

    Set FRONTWATCH_TEST_BOOTSTRAP to reuse an already running broker instead.
    """
    from connectors.localkafka import LocalKafka

    external = os.environ.get("FRONTWATCH_TEST_BOOTSTRAP")
    if external:
        yield _External(external)
        return
    broker = LocalKafka(data_dir=tmp_path_factory.mktemp("kafka"))
    broker.start()
    try:
        yield broker
    finally:
        broker.stop()


class _External:
    def __init__(self, bootstrap: str):
        self.bootstrap = bootstrap


_counter = itertools.count()


@pytest.fixture
def topic_name(request):
    """A topic name unique to this test (topics are auto-created on first use)."""
    def make(role: str = "t") -> str:
        safe = "".join(c if c.isalnum() else "-" for c in request.node.name)[:60]
        return f"{role}-{safe}-{os.getpid()}-{next(_counter)}"
    return make


@pytest.fixture(scope="session")
def gazetteer(tmp_path_factory):
    """The gazetteer, from the shared cache (or a temporary one where that is not writable)."""
    from connectors.cache import cache_root
    from pipelines.gazetteer import Gazetteer

    cache = cache_root()
    if not os.access(cache.parent if not cache.exists() else cache, os.W_OK):
        cache = tmp_path_factory.mktemp("gazetteer")
    return Gazetteer.load(str(cache))
