"""Managing subscriptions: the operations behind both the CLI and the HTTP API."""
from __future__ import annotations

import asyncio
import secrets as _secrets
import time
from collections.abc import Callable

from pydantic import field_validator

from connectors.webhooks.models import AttemptResult, Filters, SigningSecret, Subscription
from connectors.webhooks.sender import make_client, send, test_payload
from connectors.webhooks.signing import generate_secret, validate_secret
from connectors.webhooks.ssrf import AddressPolicy, check_url
from connectors.webhooks.store import Store

DEFAULT_ROTATION_GRACE = 24 * 3600.0


class SubscriptionRequest(Filters):
    """What a client sends to create a subscription (filters flattened in)."""

    url: str
    secret: str | None = None
    description: str = ""

    @field_validator("secret")
    @classmethod
    def _valid_secret(cls, value: str | None) -> str | None:
        return None if value is None else validate_secret(value)

    def filters(self) -> Filters:
        return Filters(**self.model_dump(include=set(Filters.model_fields)))


class UnknownSubscription(LookupError):
    pass


class Subscriptions:
    """Create, list, remove, rotate, enable and test subscriptions; secrets shown once."""

    def __init__(self, store: Store, policy: AddressPolicy, clock: Callable[[], float] = time.time):
        self.store = store
        self.policy = policy
        self.clock = clock

    def create(self, request: SubscriptionRequest) -> tuple[Subscription, str]:
        """Store a new subscription; return it and its secret (the only time it is shown)."""
        check_url(request.url, self.policy)
        secret = request.secret or generate_secret()
        sub = Subscription(id="sub_" + _secrets.token_hex(8), url=request.url,
                           description=request.description, filters=request.filters(),
                           created_at=self.clock(), secrets=(SigningSecret(secret=secret),))
        self.store.add_subscription(sub)
        return sub, secret

    def list(self) -> list[Subscription]:
        return self.store.list_subscriptions()

    def get(self, sub_id: str) -> Subscription:
        sub = self.store.get_subscription(sub_id)
        if sub is None:
            raise UnknownSubscription(sub_id)
        return sub

    def remove(self, sub_id: str) -> None:
        if not self.store.remove_subscription(sub_id):
            raise UnknownSubscription(sub_id)

    def rotate_secret(self, sub_id: str, new_secret: str | None = None,
                      grace: float = DEFAULT_ROTATION_GRACE) -> str:
        """Make a new secret current; the old one keeps signing too for ``grace`` seconds."""
        sub = self.get(sub_id)
        now = self.clock()
        secret = validate_secret(new_secret) if new_secret else generate_secret()
        kept = [SigningSecret(secret=s.secret, expires_at=s.expires_at or now + grace)
                for s in sub.secrets if s.expires_at is None or s.expires_at > now]
        self.store.set_secrets(sub_id, [SigningSecret(secret=secret), *kept])
        return secret

    def enable(self, sub_id: str) -> None:
        if not self.store.enable(sub_id):
            raise UnknownSubscription(sub_id)

    def disable(self, sub_id: str, reason: str = "disabled by operator") -> int:
        self.get(sub_id)
        return self.store.disable(sub_id, reason, self.clock())

    def test(self, sub_id: str, timeout: float = 10.0) -> AttemptResult:
        """Send one signed test event now (outside the queue) and report what happened."""
        sub = self.get(sub_id)
        msg_id, body = test_payload(sub.id)

        async def attempt() -> AttemptResult:
            async with make_client(self.policy, timeout, max_connections=1) as client:
                return await send(client, sub.url, msg_id, body, sub.signing_secrets(self.clock()), timeout)

        return asyncio.run(attempt())
