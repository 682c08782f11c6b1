"""Table-driven tests: every YAML case under ``cases/`` states what must (and, with an empty
list, must not) be extracted from its text. Lists given in a case must match exactly in
length; each expected item must match a distinct predicted item on the fields it lists."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from pipelines.extract import extract
from pipelines.gazetteer import fold_name

CASES_DIR = Path(__file__).parent / "cases"
LISTS = ("distance_claims", "territory_changes", "casualties", "deployments", "derived_distances")


def _cases():
    for path in sorted(CASES_DIR.glob("*.yaml")):
        for case in yaml.safe_load(path.read_text(encoding="utf-8")):
            yield pytest.param(case, id=f"{path.stem}:{case['id']}")


def _same_place(expected: str, predicted: str | None) -> bool:
    a, b = fold_name(expected), fold_name(predicted or "")
    return bool(b) and (a == b or re.search(rf"\b{re.escape(a)}\b", b) is not None)


def _field_matches(key: str, expected, predicted) -> bool:
    if key in {"place", "via_place"}:
        return _same_place(expected, predicted)
    if key in {"claimed_by", "actor", "new_controller", "who"}:
        return predicted is not None and expected.lower() in predicted.lower()
    if isinstance(expected, float | int) and not isinstance(expected, bool) and predicted is not None:
        return abs(predicted - expected) <= 0.05
    return expected == predicted


def _unmatched(expected_items: list[dict], predicted_items: list[dict]) -> list[dict]:
    free = list(predicted_items)
    missing = []
    for want in expected_items:
        hit = next((p for p in free if all(_field_matches(k, v, p.get(k)) for k, v in want.items())), None)
        if hit is None:
            missing.append(want)
        else:
            free.remove(hit)
    return missing


@pytest.mark.parametrize("case", _cases())
def test_case(case):
    result = extract(case["text"], published=case.get("published")).to_dict()
    if "country" in case:
        assert result["country"] == case["country"]
    for name in LISTS:
        if name not in case:
            continue
        expected, predicted = case[name], result[name]
        brief = [{k: p.get(k) for k in ("place", "event", "km", "min_km", "max_km", "stance", "count",
                                        "claimed_by")} for p in predicted]
        assert not _unmatched(expected, predicted), f"{name}: missing {_unmatched(expected, predicted)} in {brief}"
        assert len(predicted) == len(expected), f"{name}: expected {len(expected)} items, got {brief}"
