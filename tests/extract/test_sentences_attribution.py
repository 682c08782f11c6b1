"""Sentence splitting and attribution frames."""
from __future__ import annotations

import pytest

from pipelines.extract.attribution import (claimant_at, denial_scope, is_historical, reference_year,
                                           speaker_frames)
from pipelines.extract.sentences import split_sentences


def test_sentences_keep_offsets_and_skip_abbreviations():
    text = "Gen. Ali spoke. The U.S. envoy left.\nFighting resumed! Did it stop? No."
    sentences = split_sentences(text)
    assert [s.text for s in sentences] == ["Gen. Ali spoke.", "The U.S. envoy left.", "Fighting resumed!",
                                           "Did it stop?", "No."]
    assert all(text[s.start:s.end] == s.text for s in sentences)


@pytest.mark.parametrize("sentence, speaker", [
    ("Rebels took the town, said rebel commander Yusuf Adan.", "rebel commander Yusuf Adan"),
    ("The governor said the town had fallen.", "The governor"),
    ("Rebels took the town, according to the UN mission.", "the UN mission"),
    ("Police told Reuters that gangs held the port.", "Police"),
    ("The army denied the report, with the ministry stating that all was calm.", "the ministry"),
    ("Amnesty and the Red Cross reported heavy losses.", "Amnesty and the Red Cross"),
    ("\"Kosti is ours,\" Adam Musa, a spokesman for the militia, told AFP on Monday.", "Adam Musa"),
])
def test_speaker_frames(sentence, speaker):
    frames = speaker_frames(sentence)
    assert speaker in [f.who for f in frames]


def test_claimant_is_the_nearest_frame_before_the_claim():
    sentence = "Kyiv said nothing after the Kremlin said its troops took the town."
    frames = speaker_frames(sentence)
    assert claimant_at(frames, sentence.index("took")) == "the Kremlin"


@pytest.mark.parametrize("sentence, denied_part", [
    ("The army denied that rebels had seized the base.", "seized"),
    ("There is no truth to claims that our troops withdrew.", "withdrew"),
    ("Officials rejected reports the airport had fallen.", "fallen"),
])
def test_denial_scope_covers_the_denied_clause(sentence, denied_part):
    scope = denial_scope(sentence)
    assert scope is not None and scope[0] <= sentence.index(denied_part) < scope[1]


def test_denial_scope_ends_at_a_new_assertion():
    sentence = "Kyiv denied that the town fell and said its troops still held the centre."
    scope = denial_scope(sentence)
    assert scope[0] <= sentence.index("fell") < scope[1] <= sentence.index("held")


@pytest.mark.parametrize("sentence, year, historical", [
    ("In 2012 rebels were within 5 km of the city.", 2024, True),
    ("Rebels were within 5 km of the city in 2024.", 2024, False),
    ("Ten years ago the city fell.", None, True),
    ("The city fell on Monday.", 2024, False),
])
def test_historical(sentence, year, historical):
    assert is_historical(sentence, year) is historical


def test_reference_year_prefers_publication_date():
    assert reference_year("2021-08-12T10:00:00Z", "back in 2030") == 2021
    assert reference_year(None, "in 2019 and in 2023") == 2023
    assert reference_year(None, "no years") is None
