"""Dispatcher settings, with production defaults; tests compress the retry schedule."""
from __future__ import annotations

import hashlib
import os
import socket
from dataclasses import dataclass, field
from pathlib import Path

from connectors.kafka import Topics
from connectors.webhooks.policy import RetryPolicy
from connectors.webhooks.ssrf import AddressPolicy
from connectors.webhooks.store import is_postgres, redact


def default_db() -> str:
    """``$FRONTWATCH_DISPATCHER_DB`` or ``var/dispatcher.sqlite`` under the working directory."""
    return os.environ.get("FRONTWATCH_DISPATCHER_DB", "var/dispatcher.sqlite")


@dataclass(frozen=True)
class DispatcherConfig:
    bootstrap: str
    db: str = field(default_factory=default_db)
    topic: str = Topics.alerts
    dead_letter_topic: str = Topics.dead_letter
    group_id: str = "frontwatch-dispatcher"
    retry: RetryPolicy = RetryPolicy()
    request_timeout: float = 10.0  # seconds for a whole attempt
    per_subscriber_concurrency: int = 4
    max_concurrency: int = 100
    breaker_threshold: int = 5  # consecutive failures that open an endpoint's breaker
    breaker_cooldown: float = 30.0
    disable_after: float = 5 * 86400.0  # seconds of failures without a success
    allow_loopback: bool = False
    allow_private: bool = False
    allowed_networks: tuple[str, ...] = ()
    bind: str = "127.0.0.1"  # where the metrics and API ports listen
    metrics_port: int | None = None
    api_port: int | None = None
    api_token: str | None = None
    summary_interval: float = 30.0
    poll_timeout: float = 0.1
    shutdown_grace: float = 3.0  # in-flight attempts get this long to finish on stop

    def __post_init__(self) -> None:
        if self.api_port is not None and not self.api_token:
            raise ValueError("the subscriptions API needs a bearer token (--api-token)")

    @property
    def address_policy(self) -> AddressPolicy:
        return AddressPolicy.build(self.allow_loopback, self.allow_private, self.allowed_networks)

    @property
    def consumer_instance_id(self) -> str:
        """Kafka static-membership id tied to this host and database.

        A dispatcher restarted on the same database takes its partitions back at once
        instead of waiting out the dead member's session.
        """
        database = redact(self.db) if is_postgres(self.db) else Path(self.db).resolve()  # no password
        identity = f"{socket.gethostname()}:{database}:{self.topic}"
        return f"{self.group_id}-{hashlib.sha256(identity.encode()).hexdigest()[:12]}"
