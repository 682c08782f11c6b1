"""The streaming runner the job runs on locally: Apache Beam's Prism.

Prism is a Go binary. Beam's PrismRunner would download a release zip from GitHub, which
these machines cannot reach, so we build it from the Beam Go module at exactly the
installed SDK version, cache it, and hand it to PrismRunner with ``--prism_location``.

One upstream bug is patched while building (``PRISM_PATCHES``): Prism's bundle progress
loop keeps selecting on the bundle's data channel after it is closed, a busy spin that
burnt 35-60% of a core whenever our Kafka source was waiting in ``poll`` (measured on
2.77.0; 0% with the one-line fix). If a future Beam version no longer contains the
patched lines, the source is built as is.
"""
from __future__ import annotations

import json
import logging
import os
import shutil
import subprocess
from pathlib import Path

from connectors.localkafka import ProvisioningError, cache_root

log = logging.getLogger(__name__)

BEAM_MODULE = "github.com/apache/beam/sdks/v2"
PRISM_PACKAGE = "./go/cmd/prism"

PRISM_PATCHES = {
    "go/pkg/beam/runners/prism/internal/stage.go": (
        "\t\tcase <-dataReady:\n\t\t\tdataFinished = true\n",
        "\t\tcase <-dataReady:\n\t\t\tdataFinished = true\n"
        "\t\t\tdataReady = nil // frontwatch: a closed channel is always ready; stop selecting on it\n",
    ),
}


def beam_version() -> str:
    from importlib.metadata import version

    return version("apache-beam")


def _go() -> str:
    go = shutil.which("go")
    if not go:
        raise ProvisioningError("Go is required to build the Prism runner")
    return go


def _run(cmd: list[str], **kw) -> subprocess.CompletedProcess:
    proc = subprocess.run(cmd, capture_output=True, text=True, **kw)
    if proc.returncode != 0:
        raise ProvisioningError(f"{' '.join(cmd)} failed: {proc.stderr[-3000:]}")
    return proc


def prism_binary(root: Path | None = None) -> Path:
    """The cached Prism binary for the installed Beam version, built on first use.

    ``$FRONTWATCH_PRISM`` points at a binary of your own instead.
    """
    override = os.environ.get("FRONTWATCH_PRISM")
    if override:
        return Path(override)
    version = beam_version()
    base = (root or cache_root())
    binary = base / f"prism-{version}" / "prism"
    if binary.exists():
        return binary
    go = _go()
    log.info("building Prism %s from the Beam Go module (first run only; 1-3 min)", version)
    env = dict(os.environ, CGO_ENABLED="0", GOFLAGS="-mod=mod")
    info = json.loads(_run([go, "mod", "download", "-json", f"{BEAM_MODULE}@v{version}"], env=env).stdout)
    source = base / f"prism-src-{version}"
    if source.exists():
        shutil.rmtree(source)
    shutil.copytree(info["Dir"], source)
    for path in source.rglob("*"):
        path.chmod(path.stat().st_mode | 0o200)
    applied = apply_patches(source)
    log.info("Prism patches applied: %s", applied or "none needed")
    binary.parent.mkdir(parents=True, exist_ok=True)
    tmp = binary.with_suffix(".tmp")
    _run([go, "build", "-o", str(tmp), PRISM_PACKAGE], cwd=source, env=env)
    tmp.rename(binary)
    shutil.rmtree(source, ignore_errors=True)
    return binary


def apply_patches(source: Path) -> list[str]:
    """Apply ``PRISM_PATCHES`` where their original text is present; return what changed."""
    applied = []
    for rel, (old, new) in PRISM_PATCHES.items():
        path = source / rel
        text = path.read_text()
        if text.count(old) == 1:
            path.write_text(text.replace(old, new))
            applied.append(rel)
    return applied


def prism_options(streaming: bool = True) -> list[str]:
    """Pipeline arguments that run a job on the local Prism runner."""
    args = ["--runner=PrismRunner", f"--prism_location={prism_binary()}", "--prism_log_level=warn"]
    if streaming:
        args.append("--streaming")
    return args
