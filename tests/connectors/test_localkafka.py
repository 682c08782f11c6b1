"""The project's own broker: it starts, answers, round-trips records, and restarts with its data."""
from __future__ import annotations

from connectors.kafka import ensure_topics, make_consumer, make_producer
from connectors.localkafka import LocalKafka


def test_roundtrip_on_real_broker(kafka, topic_name):
    topic = topic_name("roundtrip")
    ensure_topics(kafka.bootstrap, [topic], partitions=2)
    producer = make_producer(kafka.bootstrap)
    sent = {f"k{i}".encode(): f"v{i}".encode() for i in range(20)}
    for key, value in sent.items():
        producer.send(topic, key=key, value=value)
    producer.flush()
    producer.close()

    consumer = make_consumer(kafka.bootstrap, group_id=None, consumer_timeout_ms=5000)
    consumer.subscribe([topic])
    got = {m.key: m.value for m in consumer}
    consumer.close()
    assert got == sent


def test_restart_keeps_data(tmp_path, topic_name):
    topic = topic_name("restart")
    broker = LocalKafka(data_dir=tmp_path / "k")
    with broker:
        producer = make_producer(broker.bootstrap)
        producer.send(topic, key=b"a", value=b"before-restart").get(timeout=30)
        producer.close()
    assert not broker.running
    with LocalKafka(data_dir=tmp_path / "k", port=broker.port, controller_port=broker.controller_port) as again:
        consumer = make_consumer(again.bootstrap, group_id=None, consumer_timeout_ms=5000)
        consumer.subscribe([topic])
        values = [m.value for m in consumer]
        consumer.close()
    assert values == [b"before-restart"]
