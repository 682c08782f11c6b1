"""Number words and the distance unit grammar."""
from __future__ import annotations

import re

import pytest

from pipelines.extract.numbers import NUMBER, parse_number
from pipelines.extract.units import DISTANCE, distance_of


@pytest.mark.parametrize("text, value", [
    ("7", 7), ("2,000", 2000), ("1.5", 1.5), ("1.5 million", 1_500_000), ("seven", 7),
    ("Seven", 7), ("twenty-seven", 27), ("twenty seven", 27), ("a dozen", 12), ("two dozen", 24),
    ("one hundred", 100), ("two hundred and fifty", 250), ("three thousand", 3000),
    ("a few dozen", None), ("several", None), ("", None),
])
def test_parse_number(text, value):
    assert parse_number(text) == value


@pytest.mark.parametrize("text, found", [
    ("within twelve kilometres", "twelve"), ("some 3,500 troops", "3,500"), ("a few miles", None),
    ("someone said", None), ("none of them", None),
])
def test_number_pattern_finds_whole_numbers(text, found):
    m = re.search(NUMBER, text)
    assert (m.group() if m else None) == found


@pytest.mark.parametrize("phrase, km, min_km, max_km", [
    ("within 20 kilometres", 20, None, 20),
    ("less than 30km", 30, None, 30),
    ("no more than 12 km", 12, None, 12),
    ("nearly 40 km", 40, None, 40),
    ("a little over 50 km", 50, 50, None),
    ("more than 8 kilometers", 8, 8, None),
    ("some 15 to 20 km", None, 15, 20),
    ("between 15 and 20 kilometers", None, 15, 20),
    ("15-20 km", None, 15, 20),
    ("about 30 miles (50 kilometers)", 50, None, None),
    ("just 10 kilometres (six miles)", 10, None, None),
    ("80 miles", 128.7, None, None),
    ("five kilometers", 5, None, None),
    ("twenty-five kilometres", 25, None, None),
    ("an estimated distance between 15 and 20 kilometers", None, 15, 20),
    ("2.5 km", 2.5, None, None),
])
def test_distance_grammar(phrase, km, min_km, max_km):
    m = DISTANCE.search(phrase)
    assert m is not None
    d = distance_of(m)
    assert (d.km, d.min_km, d.max_km) == (km, min_km, max_km)


@pytest.mark.parametrize("phrase", ["a few miles", "several kilometres", "dozens of kilometres", "km"])
def test_non_numeric_distances_are_not_distances(phrase):
    m = DISTANCE.search(phrase)
    assert m is None or distance_of(m) is None


def test_metres_become_kilometres():
    d = distance_of(DISTANCE.search("just 800 metres from"))
    assert (d.km, d.min_km, d.max_km) == (0.8, None, None)
