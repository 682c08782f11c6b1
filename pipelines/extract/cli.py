"""``frontwatch extract``: article JSON lines on stdin -> signal JSON lines on stdout."""
from __future__ import annotations

import json
import re
import sys
from collections.abc import Iterator
from multiprocessing import Pool

import click

from ..gazetteer import Gazetteer
from . import extract

# Names the article in an error report even when its line is not valid JSON.
_ID_IN_BROKEN_LINE = re.compile(r'"id"\s*:\s*"([^"\\]{1,200})"')


def _parse(line: str, number: int) -> tuple[dict | None, dict | None]:
    """(article, None) for a good line, (None, error record) for a malformed one."""
    try:
        article = json.loads(line)
    except json.JSONDecodeError as exc:
        salvaged = _ID_IN_BROKEN_LINE.search(line)
        return None, {"line": number, "id": salvaged.group(1) if salvaged else None,
                      "error": f"invalid JSON: {exc}"}
    if not isinstance(article, dict):
        return None, {"line": number, "id": None, "error": "not a JSON object"}
    article_id = article.get("id")
    if article_id is None or article_id == "":
        return None, {"line": number, "id": None, "error": "missing field: id"}
    if not isinstance(article.get("text"), str):
        return None, {"line": number, "id": article_id, "error": "missing or non-string field: text"}
    return article, None


def _process(item: tuple[int, str]) -> tuple[str | None, str | None]:
    """(output line, error line) for one input line; never raises."""
    number, line = item
    article, error = _parse(line, number)
    if error:
        return None, json.dumps(error, ensure_ascii=False)
    try:
        result = extract(article["text"], title=article.get("title"),
                         published=article.get("published"), url=article.get("url"))
    except Exception as exc:  # a bug must not stop the stream; report it with the id
        return None, json.dumps({"line": number, "id": article["id"],
                                 "error": f"extraction failed: {type(exc).__name__}: {exc}"})
    return json.dumps({"id": article["id"], **result.to_dict()}, ensure_ascii=False), None


def _lines(stream) -> Iterator[tuple[int, str]]:
    for number, line in enumerate(stream, 1):
        if line.strip():
            yield number, line


@click.command("extract")
@click.option("--workers", type=click.IntRange(1, 64), default=1, show_default=True,
              help="Worker processes (output order is kept).")
@click.option("--strict", is_flag=True, help="Exit with status 1 if any input line was malformed.")
def extract_command(workers: int, strict: bool) -> None:
    """Extract escalation signals from article JSON lines.

    Reads one article per line on stdin: {"id", "text", optional "url", "title",
    "published"}. Writes one JSON line per article on stdout with the same "id" and the
    lists "distance_claims", "territory_changes", "casualties", "deployments" (eval schema,
    plus geonameid/lat/lon/country/admin1/confidence/span extras), "derived_distances"
    (computed distances of changed places to their national capital) and "country" (the
    article's inferred country, ISO 3166-1 alpha-2).

    A malformed line (bad JSON, missing id or text) produces a JSON error line on stderr
    naming its line number and id, and the run continues; a count of errors ends the run.
    The exit status is 0 unless --strict is given and errors occurred.
    """
    errors = articles = 0
    items = _lines(sys.stdin)
    Gazetteer.load()  # once, before any worker is forked: workers share it instead of rebuilding
    pool = Pool(workers) if workers > 1 else None
    results = pool.imap(_process, items, chunksize=16) if pool else map(_process, items)
    try:
        for output, error in results:
            if error:
                errors += 1
                click.echo(error, err=True)
            else:
                articles += 1
                click.echo(output)
    finally:
        if pool:
            pool.close()
            pool.join()
    click.echo(json.dumps({"articles": articles, "errors": errors}), err=True)
    if strict and errors:
        sys.exit(1)
