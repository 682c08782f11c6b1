"""Consistency of the territory trigger table with its fast paths."""
from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from pipelines.extract.keywords import ASCII_LOWER
from pipelines.extract.territory import KEYWORDS, TRIGGERS, _anchored_matches, hints_in

CASES = Path(__file__).parent / "cases"
TEXTS = [case["text"] for path in sorted(CASES.glob("*.yaml"))
         for case in yaml.safe_load(path.read_text(encoding="utf-8"))]


@pytest.mark.parametrize("number", [n for n, t in enumerate(TRIGGERS) if t.anchored])
def test_anchored_triggers_find_what_a_full_scan_finds(number):
    trigger = TRIGGERS[number]
    for text in TEXTS:
        lowered = text.translate(ASCII_LOWER)
        present = {h for h in KEYWORDS if h in lowered}
        full = [m.span() for m in trigger.pattern.finditer(text) if trigger.hints & present]
        fast = [m.span() for m in _anchored_matches(trigger, text, lowered, present)]
        assert fast == full, text


def test_every_trigger_has_keywords_the_pre_test_knows():
    for trigger in TRIGGERS:
        assert trigger.hints and trigger.hints <= KEYWORDS
    assert hints_in(["captured"]) >= {"captur", "captured"}
