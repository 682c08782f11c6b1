"""The streaming runner the job runs on locally: Apache Beam's Prism.

Prism is a Go binary. Beam's PrismRunner would download a release zip from GitHub, which
these machines cannot reach, so we build it from the Beam Go module at exactly the
installed SDK version (``go install .../cmd/prism@v<beam version>``), cache it, and hand
it to PrismRunner with ``--prism_location``.
"""
from __future__ import annotations

import logging
import os
import shutil
import subprocess
from pathlib import Path

from connectors.localkafka import ProvisioningError, cache_root

log = logging.getLogger(__name__)

PRISM_MODULE = "github.com/apache/beam/sdks/v2/go/cmd/prism"


def beam_version() -> str:
    import apache_beam

    return apache_beam.__version__


def prism_binary(root: Path | None = None) -> Path:
    """The cached Prism binary for the installed Beam version, built on first use."""
    override = os.environ.get("FRONTWATCH_PRISM")
    if override:
        return Path(override)
    version = beam_version()
    gobin = (root or cache_root()) / f"prism-{version}"
    binary = gobin / "prism"
    if binary.exists():
        return binary
    go = shutil.which("go")
    if not go:
        raise ProvisioningError("Go is required to build the Prism runner (go install)")
    gobin.mkdir(parents=True, exist_ok=True)
    log.info("building Prism %s with go install (first run only; ~1-2 min)", version)
    env = dict(os.environ, GOBIN=str(gobin), CGO_ENABLED="0")
    proc = subprocess.run([go, "install", f"{PRISM_MODULE}@v{version}"], env=env,
                          capture_output=True, text=True)
    if proc.returncode != 0 or not binary.exists():
        raise ProvisioningError(f"go install prism@v{version} failed: {proc.stderr[-3000:]}")
    return binary


def prism_options(streaming: bool = True) -> list[str]:
    """Pipeline arguments that run a job on the local Prism runner."""
    args = ["--runner=PrismRunner", f"--prism_location={prism_binary()}",
            "--prism_log_level=warn"]
    if streaming:
        args.append("--streaming")
    return args
