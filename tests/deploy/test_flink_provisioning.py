"""How ``--runner flink`` is assembled: the launcher jar's manifest and the default options."""
from __future__ import annotations

import zipfile

from pipelines.runner import FLINK_JOB_SERVER_MAIN, FLINK_VERSION, flink_options, write_launcher_jar


def read_manifest(path) -> dict[str, str]:
    raw = zipfile.ZipFile(path).read("META-INF/MANIFEST.MF").decode("utf-8")
    lines = raw.split("\r\n")
    assert all(len(line.encode()) <= 72 for line in lines), "manifest lines are limited to 72 bytes"
    headers: dict[str, str] = {}
    for line in lines:
        if line.startswith(" "):
            headers[last] += line[1:]
        elif line:
            last, _, value = line.partition(": ")
            headers[last] = value
    return headers


def test_launcher_jar_manifest_keeps_a_long_class_path_intact(tmp_path):
    class_path = [f"libs/some-rather-long-artifact-name-{i}-1.2.3.jar" for i in range(200)]
    jar = write_launcher_jar(tmp_path / "job-server.jar", FLINK_JOB_SERVER_MAIN, class_path,
                             resources={"simplelogger.properties": "x=y\n"})
    headers = read_manifest(jar)
    assert headers["Main-Class"] == FLINK_JOB_SERVER_MAIN
    assert headers["Class-Path"].split(" ") == class_path
    assert "java.base/java.util" in headers["Add-Opens"].split(" ")
    assert zipfile.ZipFile(jar).read("simplelogger.properties") == b"x=y\n"


def test_flink_defaults_to_embedded_flink_with_the_provisioned_job_server(monkeypatch, tmp_path):
    monkeypatch.setenv("FRONTWATCH_FLINK_JOB_SERVER_JAR", str(tmp_path / "js.jar"))
    args = flink_options(streaming=True)
    assert args == ["--runner=FlinkRunner", "--flink_master=[local]", f"--flink_job_server_jar={tmp_path / 'js.jar'}",
                    f"--flink_version={FLINK_VERSION}", "--streaming"]


def test_flink_options_given_by_the_operator_win(monkeypatch, tmp_path):
    monkeypatch.setenv("FRONTWATCH_FLINK_JOB_SERVER_JAR", str(tmp_path / "js.jar"))
    remote = flink_options(streaming=False, extra=["--flink_master=jm:8081"])
    assert "--flink_master=[local]" not in remote and "--streaming" not in remote
    assert f"--flink_job_server_jar={tmp_path / 'js.jar'}" in remote  # the launcher still runs a job server
    other_flink = flink_options(extra=["--flink_master=jm:8081", "--flink_version=1.20"])
    assert not any(a.startswith(("--flink_version", "--flink_job_server_jar")) for a in other_flink)
    via_job_server = flink_options(extra=["--job_endpoint=js:8099"])
    assert not any(a.startswith(("--flink_master", "--flink_job_server_jar")) for a in via_job_server)
    own_jar = flink_options(extra=["--flink_job_server_jar=/opt/js.jar"])
    assert sum(a.startswith("--flink_job_server_jar") for a in own_jar) == 0
