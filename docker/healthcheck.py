#!/usr/bin/env python3
"""Container health probe for the frontwatch image (no curl/wget in a slim image).

    frontwatch-healthcheck http://127.0.0.1:9101/healthz   # HTTP: healthy on 2xx
    frontwatch-healthcheck tcp://127.0.0.1:50000           # TCP: healthy when it accepts

Without an argument it probes ``$FRONTWATCH_HEALTH_URL``; a role that sets none (the job
launcher, one-shot commands) has no endpoint and is reported healthy by its process state
alone. Exit 0 healthy, 1 unhealthy, as Docker's HEALTHCHECK expects.
"""
from __future__ import annotations

import os
import socket
import sys
import urllib.error
import urllib.request
from urllib.parse import urlsplit

TIMEOUT_S = 4.0


def probe(target: str) -> tuple[bool, str]:
    parts = urlsplit(target)
    if parts.scheme == "tcp":
        try:
            with socket.create_connection((parts.hostname, parts.port), timeout=TIMEOUT_S):
                return True, f"{target} accepts connections"
        except OSError as exc:
            return False, f"{target}: {exc}"
    if parts.scheme in ("http", "https"):
        try:
            with urllib.request.urlopen(target, timeout=TIMEOUT_S) as response:  # noqa: S310 - fixed local URL
                return 200 <= response.status < 300, f"{target}: HTTP {response.status}"
        except urllib.error.HTTPError as exc:
            return False, f"{target}: HTTP {exc.code}"
        except (OSError, ValueError) as exc:
            return False, f"{target}: {exc}"
    return False, f"unsupported health target {target!r} (use http://, https:// or tcp://)"


def main(argv: list[str]) -> int:
    target = argv[1] if len(argv) > 1 else os.environ.get("FRONTWATCH_HEALTH_URL", "")
    if not target:
        print("no health endpoint for this role (FRONTWATCH_HEALTH_URL unset)")
        return 0
    healthy, detail = probe(target)
    print(detail)
    return 0 if healthy else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
