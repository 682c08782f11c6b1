"""``frontwatch subscribers`` and ``frontwatch deliveries`` through the real CLI entry point."""
from __future__ import annotations

import json
import re

import pytest
from click.testing import CliRunner

from connectors.webhooks.models import AttemptResult
from connectors.webhooks.receiver import Receiver
from connectors.webhooks.store import open_store
from pipelines.cli import main

from webhook_helpers import BACKENDS


@pytest.fixture
def cli(db):
    runner = CliRunner()

    def invoke(*args: str, ok: bool = True):
        result = runner.invoke(main, [*args[:2], "--db", db, *args[2:]])
        assert (result.exit_code == 0) == ok, result.output
        return result.output
    return invoke


@pytest.mark.parametrize("db", BACKENDS, indirect=True)
def test_subscriber_lifecycle_add_list_rotate_test_remove(cli):
    refused = cli("subscribers", "add", "http://127.0.0.1:9/hook", ok=False)
    assert "loopback" in refused and "SSRF" in refused

    with Receiver([]) as rx:  # secrets are filled in once the CLI has shown them
        out = cli("subscribers", "add", rx.url, "--allow-loopback", "--country", "sy",
                  "--kind", "band_crossing", "--min-severity", "high")
        sub_id = re.search(r"subscription (sub_\w+)", out).group(1)
        secret = re.search(r"(whsec_\S+)", out).group(1)

        listed = cli("subscribers", "list")
        assert sub_id in listed and "SY" in listed and "severity>=high" in listed
        as_json = json.loads(cli("subscribers", "list", "--json"))
        assert as_json["filters"]["kinds"] == ["band_crossing"] and as_json["secret_count"] == 1
        assert secret not in listed and secret not in json.dumps(as_json)

        new_secret = re.search(r"(whsec_\S+)", cli("subscribers", "rotate-secret", sub_id)).group(1)
        assert new_secret != secret
        assert "secret_count\": 2" in cli("subscribers", "list", "--json")

        rx.secrets[:] = [secret]  # a subscriber not yet updated still verifies during the grace period
        assert "success (HTTP 204)" in cli("subscribers", "test", sub_id, "--allow-loopback")
        rx.secrets[:] = [new_secret]
        assert "success (HTTP 204)" in cli("subscribers", "test", sub_id, "--allow-loopback")
        assert rx.rejected == 0 and len(rx.received) == 2
        assert rx.received[0].payload["type"] == "frontwatch.test"

        assert "refused" in cli("subscribers", "test", sub_id, ok=False)  # no --allow-loopback

    cli("subscribers", "disable", sub_id)
    assert "DISABLED" in cli("subscribers", "list")
    cli("subscribers", "enable", sub_id)
    cli("subscribers", "remove", sub_id)
    assert cli("subscribers", "list") == ""
    assert "no subscription" in cli("subscribers", "remove", sub_id, ok=False)


def test_deliveries_list_and_replay(cli, db):
    out = cli("subscribers", "add", "http://127.0.0.1:9/hook", "--allow-loopback")
    sub_id = re.search(r"subscription (sub_\w+)", out).group(1)
    store = open_store(db)
    store.enqueue([("alert-cli", b"{}", [sub_id])], now=1.0)
    [delivery] = store.due(sub_id, now=1.0, limit=1)
    store.record_failure(delivery, AttemptResult("http_error", 0.05, 500), now=2.0, next_attempt_at=None)

    attempts = cli("deliveries", "list")
    assert "alert-cli" in attempts and "http_error" in attempts and "500" in attempts and "dead" in attempts
    dead = cli("deliveries", "list", "--dead")
    assert "alert-cli" in dead and "attempts exhausted" in dead
    assert "1 dead-lettered deliveries queued again" in cli("deliveries", "replay", "--subscriber", sub_id)
    assert cli("deliveries", "list", "--dead") == ""
    assert store.count_pending() == 1
    store.close()
