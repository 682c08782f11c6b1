"""``frontwatch extract``: JSON lines in, JSON lines out, errors on stderr."""
from __future__ import annotations

import json

from click.testing import CliRunner

from pipelines.cli import main

GOOD = {"id": "a1", "text": "Rebels seized Homs on Friday, a commander said.", "published": "2024-12-06"}


def _run(lines: list[str], *args: str):
    return CliRunner().invoke(main, ["extract", *args], input="\n".join(lines) + "\n")


def test_one_output_line_per_article_with_the_same_id():
    result = _run([json.dumps(GOOD), json.dumps({"id": 7, "text": "Nothing happened."})])
    assert result.exit_code == 0
    out = [json.loads(line) for line in result.stdout.splitlines()]
    assert [o["id"] for o in out] == ["a1", 7]
    assert out[0]["territory_changes"][0]["place"] == "Homs"
    for key in ("distance_claims", "territory_changes", "casualties", "deployments", "derived_distances", "country"):
        assert key in out[1]


def test_malformed_lines_are_reported_and_skipped():
    lines = ['{"id": "broken", "text": ', json.dumps({"text": "no id"}), json.dumps({"id": "x"}), "[1, 2]",
             json.dumps(GOOD)]
    result = _run(lines)
    assert result.exit_code == 0
    assert [json.loads(line)["id"] for line in result.stdout.splitlines()] == ["a1"]
    errors = [json.loads(line) for line in result.stderr.splitlines()]
    assert [e.get("line") for e in errors[:4]] == [1, 2, 3, 4]
    assert errors[0]["id"] == "broken" and errors[2]["id"] == "x"
    assert errors[-1] == {"articles": 1, "errors": 4}


def test_strict_mode_fails_on_errors():
    assert _run(["not json"], "--strict").exit_code == 1
    assert _run([json.dumps(GOOD)], "--strict").exit_code == 0


def test_workers_keep_input_order():
    lines = [json.dumps({"id": f"n{i}", "text": f"Rebels seized Homs on day {i}."}) for i in range(40)]
    result = _run(lines, "--workers", "2")
    assert [json.loads(line)["id"] for line in result.stdout.splitlines()] == [f"n{i}" for i in range(40)]


def test_help_explains_the_formats():
    result = CliRunner().invoke(main, ["extract", "--help"])
    assert result.exit_code == 0 and "JSON" in result.output and "--strict" in result.output
