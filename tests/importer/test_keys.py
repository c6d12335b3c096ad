"""The keys and weeks the importer writes are the ones the API reads back (common/)."""

from __future__ import annotations

import pytest

from common.keys import native_key, tracker_key, tracker_key_person
from common.names import normalized_person
from common.weeks import IsoWeek


def test_the_api_reads_the_person_of_a_key_the_importer_built():
    key = tracker_key("toggl", "Ada  Lovelace", 2024, 9, "Atlas: phase 2")
    assert key == "toggl:Ada  Lovelace:2024-W09:Atlas: phase 2"
    assert tracker_key_person(key, "toggl:") == normalized_person(" ada lovelace ") == "ada lovelace"


def test_a_key_without_a_week_names_no_person():
    assert tracker_key_person("toggl:ada:Atlas", "toggl:") is None


def test_a_native_key_strips_its_fields_as_the_api_does():
    assert native_key(" Employee", "007 ", 2016, 4, " StoreZero") == "Employee:007:2016-W04:StoreZero"


@pytest.mark.parametrize("text", ["2016-W05", "2016-W5", " 2016-W05 "])
def test_a_week_reads_with_one_or_two_digits_and_writes_with_two(text):
    assert str(IsoWeek.parse(text)) == "2016-W05"


@pytest.mark.parametrize("text", ["2015-W54", "2016-W00", "2016W05", "2016-W123", "16-W05"])
def test_a_week_that_does_not_exist_or_is_not_a_week_is_refused(text):
    with pytest.raises(ValueError):
        IsoWeek.parse(text)
