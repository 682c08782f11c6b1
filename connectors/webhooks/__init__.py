"""Webhook dispatcher: delivers alerts from Kafka ``alerts`` to subscribers (Standard Webhooks).

Modules: ``dispatcher`` (the service), ``engine`` (delivery loop), ``store`` (SQLite state),
``subscriptions`` (management, behind the CLI and ``api``), ``signing`` (sign/verify),
``policy`` (retry schedule, circuit breaker), ``ssrf`` (URL guard), ``sender`` (one attempt),
``receiver`` (a verifying local receiver for the demo and tests), ``metrics``, ``cli``.
"""
