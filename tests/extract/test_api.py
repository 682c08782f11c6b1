"""The public API: result types, schema of to_dict(), derived distances, spans, robustness."""
from __future__ import annotations

import dataclasses
import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipelines.extract import EVENTS, PLACE_TYPES, STANCES, Extraction, extract

EVAL_FIELDS = {
    "distance_claims": {"actor", "place", "is_capital", "km", "min_km", "max_km", "claimed_by", "stance", "quote"},
    "territory_changes": {"place", "place_type", "new_controller", "old_controller", "event", "claimed_by",
                          "stance", "quote"},
    "casualties": {"count", "who", "place", "quote"},
    "deployments": {"actor", "count", "place", "quote"},
}
ARTICLE = ("Rebels seized Hama on Friday, a commander said. Insurgent units have pushed to within 35 km of Damascus. "
           "At least nine civilians were killed in strikes on Homs. The army sent 300 troops to Daraa. "
           "The ministry denied that Homs had fallen.")


def test_result_has_eval_schema_and_valid_values():
    result = extract(ARTICLE).to_dict()
    assert result["country"] == "SY"
    for name, fields in EVAL_FIELDS.items():
        assert result[name], name
        for item in result[name]:
            assert fields <= set(item)
    for item in result["distance_claims"] + result["territory_changes"]:
        assert item["stance"] in STANCES
    for item in result["territory_changes"]:
        assert item["event"] in EVENTS and item["place_type"] in PLACE_TYPES
    json.dumps(result)  # JSON-ready


def test_claims_are_frozen_and_carry_their_sentence():
    result = extract(ARTICLE)
    claim = result.territory_changes[0]
    with pytest.raises(dataclasses.FrozenInstanceError):
        claim.place = "elsewhere"  # type: ignore[misc]
    start, end = claim.span
    assert ARTICLE[start:end] == claim.quote
    assert claim.sentence_index == 0


def test_derived_distances_are_kept_apart():
    result = extract("Rebels captured Homs on Saturday, the war monitor said.")
    assert result.distance_claims == ()
    (derived,) = result.derived_distances
    assert derived.derived and derived.place == "Damascus" and derived.is_capital
    assert derived.via_place == "Homs" and 130 < derived.km < 170


def test_derived_distance_radius_is_configurable():
    assert extract("Rebels captured Homs on Saturday.", near_capital_km=100).derived_distances == ()


def test_far_places_and_historical_changes_derive_nothing():
    assert extract("Rebels captured Aleppo on Saturday.").derived_distances == ()  # > 150 km
    assert extract("Rebels captured Homs in 2012.", published="2024-12-07").derived_distances == ()


def test_denied_claim_sits_beside_the_asserted_one():
    result = extract("Rebels said they had seized Homs. The army denied that Homs had fallen.")
    stances = sorted(c.stance for c in result.territory_changes if c.place == "Homs")
    assert stances == ["asserted", "denied"]


def test_title_is_read_when_not_in_the_text():
    result = extract("Residents fled the fighting.", title="Rebels seize Homs")
    assert [c.place for c in result.territory_changes] == ["Homs"]


@pytest.mark.parametrize("text", ["", " ", "\n\n", ".", "km km km", "Captured.", "The the the of of"])
def test_degenerate_texts(text):
    result = extract(text)
    assert isinstance(result, Extraction) and result.territory_changes == () and result.distance_claims == ()


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=600))
def test_never_raises_on_arbitrary_text(text):
    result = extract(text)
    assert all(isinstance(getattr(result, name), tuple) for name in
               ("distance_claims", "territory_changes", "casualties", "deployments", "derived_distances"))


_WORDS = st.sampled_from("rebels seized captured took fell to the of within km miles kilometres from Goma Kyiv "
                         "Damascus denied , . “ ” said 12 twenty at least killed troops deployed surrounded "
                         "withdrew town city capital and in near Homs ( ) — 2012 ago no longer control".split())


@settings(max_examples=300, deadline=None)
@given(st.lists(_WORDS, max_size=80).map(" ".join))
def test_never_raises_on_signal_word_salad(text):
    result = extract(text, published="2024-01-01")
    for claim in result.distance_claims:
        assert claim.km is not None or (claim.min_km is not None and claim.max_km is not None)
    for change in result.territory_changes:
        assert change.event in EVENTS and change.stance in STANCES


def test_spans_refer_to_the_text_as_given_even_with_a_title():
    text = "Residents fled. Rebels seized Homs on Friday."
    result = extract(text, title="Rebels advance in Syria")
    (change,) = result.territory_changes
    start, end = change.span
    assert text[start:end] == change.quote
    in_title = extract("Nothing else happened.", title="Rebels seize Homs").territory_changes[0]
    assert in_title.span is None and in_title.quote == "Rebels seize Homs"
