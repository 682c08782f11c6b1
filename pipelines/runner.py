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

from connectors.cache import ProvisioningError, cache_root

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


# --------------------------------------------------------------------------- Flink
#
# Beam's FlinkRunner hands the pipeline to a Beam "job server" (Java) that translates it
# for Flink; with ``--flink_master=[local]`` that job server runs an embedded Flink
# MiniCluster. FlinkRunner would download the shaded job-server jar from Maven Central by
# URL itself; we fetch it once with Maven into the cache instead (the same way as the
# Kafka jars) and pass it with ``--flink_job_server_jar``.
#
# Maven Central as reachable here does not serve the shaded job server of Beam 2.77.0 (nor
# of any release), but it serves the Flink runner library ``beam-runners-flink-1.19`` at
# 2.62.0 with all its dependencies. So when the shaded jar cannot be had, the job server is
# assembled from those jars: a manifest-only "launcher" jar whose Class-Path lists them and
# whose Main-Class is the same FlinkJobServerDriver the shaded jar runs. The job server
# then speaks Beam's portable job API to the 2.77.0 Python SDK; tests/deploy verifies that
# the job (stateful DoFns, timers, side outputs) runs correctly on it.

FLINK_VERSION = "1.19"  # Flink minor of the job server; docker/compose.yaml runs the same
FLINK_ASSEMBLED_BEAM_VERSION = "2.62.0"  # newest Beam whose Flink runner resolves from Maven Central here
FLINK_JOB_SERVER_MAIN = "org.apache.beam.runners.flink.FlinkJobServerDriver"
FLINK_JOB_SERVER_POM = "flink_job_server.pom.xml"

# Flink 1.19 on Java 17 reflects into these packages (Kryo, its memory manager); the Flink
# distribution passes the same --add-opens in its start scripts. ``java -jar`` reads them
# from the launcher jar's manifest.
JAVA17_OPENS = ("java.base/java.lang java.base/java.lang.invoke java.base/java.lang.reflect java.base/java.io "
                "java.base/java.math java.base/java.net java.base/java.nio java.base/java.security "
                "java.base/java.text java.base/java.time java.base/java.util java.base/java.util.concurrent "
                "java.base/java.util.concurrent.atomic java.base/java.util.concurrent.locks "
                "java.base/sun.nio.ch java.sql/java.sql")
JAVA17_EXPORTS = "java.base/sun.net.util java.base/sun.nio.ch"


def _mvn() -> str:
    mvn = shutil.which("mvn")
    if not mvn:
        raise ProvisioningError("Maven ('mvn') is required to fetch the Beam Flink job server")
    return mvn


def _run_maven(args: list[str]) -> None:
    """Run Maven quietly; on failure raise with its [ERROR] lines (Maven prints them on stdout)."""
    proc = subprocess.run([_mvn(), "-q", "-B", *args], capture_output=True, text=True)
    if proc.returncode != 0:
        errors = [line.replace("\x1b[0m", "").strip() for line in (proc.stdout + proc.stderr).splitlines()
                  if "ERROR" in line]
        raise ProvisioningError(f"maven {args[-3:]} failed: " + " | ".join(errors[:3])[:1500])


def flink_job_server_jar(root: Path | None = None) -> Path:
    """The jar to pass as ``--flink_job_server_jar``, fetched with Maven on first use.

    Prefers Beam's shaded ``beam-runners-flink-<flink>-job-server`` at the installed Beam
    version; falls back to one assembled from ``beam-runners-flink-<flink>`` at
    ``FLINK_ASSEMBLED_BEAM_VERSION`` (see the note above). ``$FRONTWATCH_FLINK_JOB_SERVER_JAR``
    points at a jar of your own instead.
    """
    override = os.environ.get("FRONTWATCH_FLINK_JOB_SERVER_JAR")
    if override:
        return Path(override)
    base = root or cache_root()
    shaded = _shaded_job_server_path(base, beam_version())
    assembled = _assembled_job_server_path(base, FLINK_ASSEMBLED_BEAM_VERSION)
    for jar in (shaded, assembled):
        if jar.exists():
            return jar
    try:
        return _fetch_shaded_job_server(shaded, beam_version())
    except ProvisioningError as exc:
        log.info("shaded Flink job server %s not available (%s); assembling it from Beam %s jars",
                 beam_version(), str(exc)[:400], FLINK_ASSEMBLED_BEAM_VERSION)
    return _assemble_job_server(assembled, FLINK_ASSEMBLED_BEAM_VERSION)


def _shaded_job_server_path(base: Path, version: str) -> Path:
    name = f"beam-runners-flink-{FLINK_VERSION}-job-server"
    return base / f"flink-job-server-{FLINK_VERSION}-{version}" / f"{name}-{version}.jar"


def _assembled_job_server_path(base: Path, version: str) -> Path:
    return base / f"flink-job-server-{FLINK_VERSION}-{version}-assembled" / "job-server.jar"


def _fetch_shaded_job_server(jar: Path, version: str) -> Path:
    artifact = f"org.apache.beam:beam-runners-flink-{FLINK_VERSION}-job-server:{version}"
    tmp = jar.parent.with_name(jar.parent.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    try:
        _run_maven(["dependency:copy", f"-Dartifact={artifact}", f"-DoutputDirectory={tmp}"])
        shutil.rmtree(jar.parent, ignore_errors=True)
        tmp.rename(jar.parent)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    if not jar.exists():
        raise ProvisioningError(f"maven finished but {jar} is missing")
    return jar


def _assemble_job_server(jar: Path, version: str) -> Path:
    from importlib import resources

    home = jar.parent
    tmp = home.with_name(home.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    (tmp / "libs").mkdir(parents=True)
    log.info("fetching Beam %s Flink %s runner jars from Maven Central into %s", version, FLINK_VERSION, home)
    try:
        with resources.as_file(resources.files("pipelines").joinpath(FLINK_JOB_SERVER_POM)) as pom:
            # -e: Maven's ERROR lines say which artifact could not be resolved
            _run_maven(["-f", str(pom), "dependency:copy-dependencies", f"-DoutputDirectory={tmp / 'libs'}",
                        "-DincludeScope=runtime", f"-Dbeam.version={version}", f"-Dflink.minor={FLINK_VERSION}"])
        libs = sorted(p.name for p in (tmp / "libs").glob("*.jar"))
        if not any(name.startswith(f"beam-runners-flink-{FLINK_VERSION}-") for name in libs):
            raise ProvisioningError(f"maven finished but the Flink runner jar is not in {tmp / 'libs'}")
        write_launcher_jar(tmp / jar.name, FLINK_JOB_SERVER_MAIN, [f"libs/{name}" for name in libs],
                           resources={"simplelogger.properties": "org.slf4j.simpleLogger.defaultLogLevel=warn\n"})
        shutil.rmtree(home, ignore_errors=True)
        tmp.rename(home)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return jar


def write_launcher_jar(path: Path, main_class: str, class_path: list[str],
                       resources: dict[str, str] | None = None) -> Path:
    """A jar with only a manifest (and small resources): ``java -jar`` runs ``main_class``
    with ``class_path`` (paths relative to the jar) and the Java 17 module openings Flink needs."""
    import zipfile

    def header(line: str) -> bytes:  # manifest lines are at most 72 bytes; continuations start with a space
        raw = line.encode("utf-8")
        chunks = [raw[:72]] + [b" " + raw[i:i + 71] for i in range(72, len(raw), 71)]
        return b"\r\n".join(chunks) + b"\r\n"

    manifest = b"".join(header(line) for line in (
        "Manifest-Version: 1.0",
        "Created-By: frontwatch",
        f"Main-Class: {main_class}",
        f"Add-Opens: {JAVA17_OPENS}",
        f"Add-Exports: {JAVA17_EXPORTS}",
        "Class-Path: " + " ".join(class_path),
    )) + b"\r\n"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as jar:
        jar.writestr("META-INF/MANIFEST.MF", manifest)
        for name, text in (resources or {}).items():
            jar.writestr(name, text)
    return path


def flink_options(streaming: bool = True, extra: tuple[str, ...] | list[str] = ()) -> list[str]:
    """Pipeline arguments for FlinkRunner. Without ``--flink_master`` the job runs on an
    embedded Flink (``[local]``, SDK harness in this process); the provisioned job server
    jar is used unless ``extra`` names a job endpoint, a jar of its own, or another Flink
    version."""
    given = {arg.split("=", 1)[0]: arg.split("=", 1)[-1] for arg in extra if arg.startswith("--")}
    args = ["--runner=FlinkRunner"]
    if not given.keys() & {"--flink_master", "--job_endpoint"}:
        args.append("--flink_master=[local]")
    own_jar = given.get("--flink_version", FLINK_VERSION) == FLINK_VERSION  # else Beam fetches that version's
    if own_jar and not given.keys() & {"--job_endpoint", "--flink_job_server_jar", "--flink_submit_uber_jar"}:
        args.append(f"--flink_job_server_jar={flink_job_server_jar()}")
    if "--flink_version" not in given:
        args.append(f"--flink_version={FLINK_VERSION}")
    if streaming:
        args.append("--streaming")
    return args
