"""County look-up: every county by name, and the ways people actually write them."""
from __future__ import annotations

import pytest

from bot import counties
from bot.content import load

ALL = load().counties


@pytest.mark.parametrize("county", ALL, ids=lambda c: c.key)
def test_every_county_found_by_name_in_its_state(county):
    assert counties.find(county.name, county.state).county == county
    assert counties.find(f"{county.name} County", county.state).county == county


@pytest.mark.parametrize("text,key", [
    ("LA", "CA:Los Angeles"), ("los angeles county", "CA:Los Angeles"),
    ("SF", "CA:San Francisco"), ("san fran", "CA:San Francisco"),
    ("SLO", "CA:San Luis Obispo"), ("OC", "CA:Orange"),
    ("sutter/yuba", "CA:Sutter"), ("Sutter-Yuba", "CA:Sutter"), ("yuba county", "CA:Yuba"),
    ("Brooklyn", "NY:Kings"), ("manhattan", "NY:New York"), ("Staten Island", "NY:Richmond"),
    ("the bronx", "NY:Bronx"), ("st lawrence", "NY:St. Lawrence"), ("Saint Lawrence county", "NY:St. Lawrence"),
    ("we live in san luis obispo", "CA:San Luis Obispo"), ("what about sonoma?", "CA:Sonoma"),
])
def test_aliases_and_phrases(text, key):
    assert counties.find(text).county.key == key


@pytest.mark.parametrize("text,key", [
    ("sacremento", "CA:Sacramento"), ("I live in sacremento county", "CA:Sacramento"),
    ("Alemeda", "CA:Alameda"), ("humbolt", "CA:Humboldt"), ("sanat cruz", "CA:Santa Cruz"),
    ("san bernadino", "CA:San Bernardino"), ("westchster", "NY:Westchester"),
    ("onandaga", "NY:Onondaga"), ("los angles", "CA:Los Angeles"),
])
def test_misspellings(text, key):
    assert counties.find(text).county.key == key


@pytest.mark.parametrize("text,key", [
    ("90012", "CA:Los Angeles"), ("my zip is 94110", "CA:San Francisco"),
    ("95991", "CA:Sutter"), ("94533", "CA:Solano"), ("10451", "NY:Bronx"),
    ("11201", "NY:Kings"), ("13820", "NY:Otsego"), ("90012-1234", "CA:Los Angeles"),
])
def test_zip_codes(text, key):
    found = counties.find(text)
    assert found.how == "zip" and found.county.key == key


def test_zip_outside_ca_and_ny_names_the_place():
    found = counties.find("89501")
    assert found.how == "other_state" and found.place == "Reno, NV"


def test_unknown_zip_and_text():
    assert counties.find("00000").county is None
    assert counties.find("is this right").county is None
    assert counties.find("").county is None


@pytest.mark.parametrize("name", ["Kings", "Orange"])
def test_name_in_both_states_is_ambiguous_until_the_state_is_known(name):
    found = counties.find(f"{name} county")
    assert found.how == "ambiguous" and {c.state for c in found.candidates} == {"CA", "NY"}
    assert counties.find(f"{name} county", "NY").county.key == f"NY:{name}"


def test_entity_ids_resolve():
    assert counties.from_entity("CA:Fresno").county.name == "Fresno"
    assert counties.from_entity("?:Kings").how == "ambiguous"
    assert counties.from_entity("?:Kings", "CA").county.key == "CA:Kings"
    assert counties.from_entity("CA:Atlantis").county is None
