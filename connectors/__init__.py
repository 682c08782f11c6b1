"""frontwatch connectors: everything that touches the outside world (feeds, Kafka, webhooks, wire formats).

Nothing in this package imports ``pipelines``.
"""
