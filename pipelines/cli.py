"""The ``frontwatch`` command.

Subcommands are loaded lazily (``module:attribute``) so that ``frontwatch extract`` does not
pay for importing Apache Beam and ``frontwatch --help`` stays fast.
"""
from __future__ import annotations

import importlib
import logging
import os

import click

# name -> (import path of a click command/group, one-line help shown in --help)
SUBCOMMANDS: dict[str, tuple[str, str]] = {
    "run": ("pipelines.stack:run_command",
            "Run the whole local stack on the seeds and show alerts as they arrive."),
    "extract": ("pipelines.extract.cli:extract_command",
                "Extract escalation signals from article JSON lines (stdin -> stdout)."),
    "connectors": ("connectors.feeds.cli:connectors_group",
                   "Poll news feeds and publish articles to Kafka (run, status)."),
    "dispatcher": ("connectors.webhooks.cli:dispatcher_group",
                   "Deliver alerts from Kafka to webhook subscribers (run, api, receiver)."),
    "subscribers": ("connectors.webhooks.cli:subscribers_group",
                    "Manage webhook subscriptions (add, list, remove, rotate-secret, test)."),
    "deliveries": ("connectors.webhooks.cli:deliveries_group",
                   "Inspect and replay webhook deliveries (list, replay)."),
    "demo": ("pipelines.embedded:demo_command",
             "A quick look in one process (--embedded): seeds -> signals -> alerts, no Kafka, no Java."),
    "status": ("pipelines.status:status_command",
               "Per-capital situations (band, closest distance, territory, last alerts) from the alerts topic."),
    "job": ("pipelines.job_cli:job_group",
            "Run the Beam stream job (articles -> signals -> per-capital state -> alerts)."),
    "broker": ("pipelines.stack:broker_command",
               "Run the local single-node Kafka broker (KRaft) until Ctrl-C."),
    "provision": ("pipelines.stack:provision_command",
                  "Fetch/build everything the local stack needs (Kafka jars, Prism, gazetteer)."),
}


class LazyGroup(click.Group):
    """A click group whose subcommands are imported only when invoked."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(set(super().list_commands(ctx)) | set(SUBCOMMANDS))

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name in SUBCOMMANDS:
            path, _ = SUBCOMMANDS[name]
            module, attr = path.split(":")
            return getattr(importlib.import_module(module), attr)
        return super().get_command(ctx, name)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = [(name, SUBCOMMANDS[name][1]) for name in sorted(SUBCOMMANDS)]
        rows += [(name, cmd.get_short_help_str()) for name, cmd in sorted(self.commands.items())
                 if name not in SUBCOMMANDS]
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(sorted(rows))


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--log-level", default=lambda: os.environ.get("FRONTWATCH_LOG_LEVEL", "INFO"),
              show_default="INFO or $FRONTWATCH_LOG_LEVEL", help="Logging level.")
def main(log_level: str) -> None:
    """frontwatch: a streaming monitor of armed-conflict escalation toward capitals.

    Feeds -> Kafka "articles" -> Beam stream job (signals, per-capital state, alerts)
    -> Kafka "alerts" -> webhook subscribers.
    """
    logging.basicConfig(level=getattr(logging, log_level.upper(), logging.INFO),
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    for chatty in ("kafka", "apache_beam", "httpx", "urllib3"):  # their INFO is connection chatter
        logging.getLogger(chatty).setLevel(max(logging.WARNING, logging.getLogger().level))


if __name__ == "__main__":  # pragma: no cover
    main()
