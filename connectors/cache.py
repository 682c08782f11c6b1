"""Where frontwatch keeps what it provisions once per machine (broker jars, the Prism and
Flink runners, the gazetteer index): ``$FRONTWATCH_CACHE``, else ``~/.cache/frontwatch``."""
from __future__ import annotations

import os
from pathlib import Path


def cache_root() -> Path:
    return Path(os.environ.get("FRONTWATCH_CACHE") or Path.home() / ".cache" / "frontwatch")


class ProvisioningError(RuntimeError):
    """Something the local stack needs could not be fetched or built."""
