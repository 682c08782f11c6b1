"""``frontwatch job``: run the stream job on a runner of your choice."""
from __future__ import annotations

import logging
import signal
import threading
import time

import click

from pipelines.config import ConfigError, load_config

log = logging.getLogger(__name__)

RUNNERS = ("prism", "direct", "flink", "dataflow")


def pipeline_args(runner: str, streaming: bool, extra: tuple[str, ...]) -> list[str]:
    """Beam arguments for a runner name; anything after ``--`` is passed through."""
    if runner == "prism":
        from pipelines.runner import prism_options

        args = prism_options(streaming=streaming)
    elif runner == "direct":
        args = ["--runner=DirectRunner"] + (["--streaming"] if streaming else [])
    elif runner == "flink":
        from pipelines.runner import flink_options

        args = flink_options(streaming=streaming, extra=extra)
    else:
        args = ["--runner=DataflowRunner"] + (["--streaming"] if streaming else [])
    return args + list(extra)


@click.group("job")
def job_group() -> None:
    """The Beam stream job: articles -> signals, per-capital state -> alerts."""


@job_group.command("run")
@click.option("--config", "config_path", type=click.Path(exists=True, dir_okay=False),
              help="Job YAML (see pipelines/job.example.yaml); env FRONTWATCH_<SECTION>__<KEY> overrides.")
@click.option("--bootstrap", envvar="FRONTWATCH_KAFKA__BOOTSTRAP", help="Kafka bootstrap servers.")
@click.option("--source", type=click.Choice(["kafka", "file", "kafka-xlang"]), default="kafka", show_default=True,
              help="kafka: the built-in kafka-python source; file: replay a JSON-lines file; "
                   "kafka-xlang: Beam's Java KafkaIO (Dataflow/Flink with an expansion service).")
@click.option("--input", "input_path", help="JSON-lines file of articles for --source file.")
@click.option("--runner", type=click.Choice(RUNNERS), default="prism", show_default=True,
              help="prism: local streaming runner (built on first use); flink: embedded Flink unless "
                   "--flink_master is given after --; dataflow: Google Cloud Dataflow (options after --); "
                   "direct: Beam's in-process runner.")
@click.option("--replay-hours", type=float, help="Re-read this many hours of articles on start to rebuild state.")
@click.option("--duration", type=float, default=0, help="Stop after this many seconds (0: run until Ctrl-C).")
@click.option("--summary-every", type=float, default=60.0, show_default=True,
              help="Seconds between log lines summarising the job's counters.")
@click.argument("beam_args", nargs=-1, type=click.UNPROCESSED)
def run_command(config_path, bootstrap, source, input_path, runner, replay_hours, duration, summary_every,
                beam_args):
    """Run the stream job until Ctrl-C/SIGTERM (clean cancel within seconds).

    Beam pipeline options go after "--", e.g. for Flink:
    frontwatch job run --runner flink -- --flink_master=host:8081 --environment_type=LOOPBACK
    """
    import apache_beam as beam
    from apache_beam.options.pipeline_options import PipelineOptions

    from pipelines.job import build

    overrides: dict = {"kafka": {}}
    if bootstrap:
        overrides["kafka"]["bootstrap"] = bootstrap
    if replay_hours is not None:
        overrides["kafka"]["replay_hours"] = replay_hours
    try:
        config = load_config(config_path, overrides=overrides)
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from exc
    if source == "file" and not input_path:
        raise click.UsageError("--source file needs --input PATH")
    streaming = source != "file"
    options = PipelineOptions(pipeline_args(runner, streaming, beam_args))
    pipeline = beam.Pipeline(options=options)
    build(pipeline, config, source=source, input_path=input_path)
    log.info("starting the stream job on %s (source %s, bootstrap %s)", runner, source, config.kafka.bootstrap)
    result = pipeline.run()
    run_until_stopped(result, duration, summary_every)


def job_counters(result) -> str:
    """The job's own counters (articles decoded, stories, alerts, ...) as one log line."""
    from apache_beam.metrics.metric import MetricsFilter

    try:
        counters = result.metrics().query(MetricsFilter().with_namespaces(["job", "kafka_source"]))["counters"]
    except Exception:  # noqa: BLE001 - a runner without live metrics
        return ""
    totals: dict[str, int] = {}
    for counter in counters:
        totals[counter.key.metric.name] = totals.get(counter.key.metric.name, 0) + (counter.committed or 0)
    return ", ".join(f"{name}={value}" for name, value in sorted(totals.items()))


def run_until_stopped(result, duration: float = 0, summary_every: float = 60.0) -> None:
    """Wait for the job, logging a summary of its counters every ``summary_every`` seconds;
    on SIGINT/SIGTERM (or after ``duration``) cancel it cleanly."""
    stop = threading.Event()
    outcome: dict = {}

    def wait() -> None:
        try:
            outcome["state"] = result.wait_until_finish()
        except Exception as exc:  # noqa: BLE001 - reported below, after cancellation
            outcome["error"] = exc
        finally:
            stop.set()

    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    threading.Thread(target=wait, name="job-wait", daemon=True).start()
    deadline = time.monotonic() + duration if duration else float("inf")
    while (remaining := deadline - time.monotonic()) > 0:
        if stop.wait(timeout=min(summary_every, remaining)):
            break
        log.info("job summary: %s", job_counters(result) or "no records yet")
    if "state" in outcome or "error" in outcome:
        if "error" in outcome:
            raise click.ClickException(f"the stream job failed: {outcome['error']}")
        log.info("job finished: %s", outcome["state"])
        return
    log.info("stopping the stream job")
    try:
        result.cancel()
    except Exception as exc:  # noqa: BLE001 - the runner may already be gone
        log.warning("cancel: %s", exc)
    log.info("stream job stopped")
