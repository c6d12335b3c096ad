"""The batch's fast path either declines an item or returns exactly what the serializer returns."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured
from hypothesis import event, example, given, settings
from hypothesis import strategies as st
from rest_framework import serializers

from timesheets.fastcheck import EntryChecker, entry_checker
from timesheets.serializers import TimesheetSerializer

checker = entry_checker(TimesheetSerializer)

# Values an import sends, and the edges of each rule: types DRF coerces (booleans, floats,
# digit strings), numbers it reads in other spellings, padding it trims, characters it refuses.
text = st.text(st.characters(codec="utf-8"), max_size=8) | st.text(max_size=3)
padded = st.builds("{}{}{}".format, st.sampled_from(["", " ", "\t", "\n", "\u00a0", "\u3000"]), text, text)
numbers = (
    st.integers()
    | st.integers(min_value=10**18)
    | st.floats()
    | st.decimals(-1, 200, places=3).map(str)
    | st.decimals(-1, 200, places=3).map(float)
)
numeric_strings = st.from_regex(r"\A\s?[-+]?[0-9_٣]{0,5}(\.[0-9]{0,4})?([eE][-+]?[0-9])?\s?\Z")
edges = st.sampled_from(
    [
        *["", " ", "40.005", "40.00", "040", "1e2", "NaN", "nan", "Infinity", "-Infinity", "168"],
        *["168.01", "0.01", "0.00", "2015", " 2015", "2015.0", "53", "0053", "9999", "10000"],
        *["Employee ", "employee"],
    ]
)
anything: st.SearchStrategy[Any] = (
    st.none() | st.booleans() | numbers | numeric_strings | edges | text | padded
)
anything |= st.lists(anything, max_size=2) | st.dictionaries(text, anything, max_size=2)
letters = st.characters(codec="ascii", categories=["L", "N"])
FIELDS: dict[str, st.SearchStrategy] = {
    "user_type": st.sampled_from(["Employee", "Contractor"]) | anything,
    "user_id": st.text(letters, max_size=66) | st.text(min_size=1, max_size=66) | padded | anything,
    "year": st.integers(-5, 10_005) | st.integers(-5, 10_005).map(str) | anything,
    "week": st.integers(0, 54) | st.integers(0, 54).map(str) | anything,
    "project": st.text(letters, min_size=98, max_size=102) | padded | anything,
    "hours": st.decimals(0, 999, places=2).map(str) | numbers | numeric_strings | anything,
    "external_id": st.text(letters, min_size=198, max_size=202) | padded | st.none() | anything,
}
extra_fields = st.dictionaries(
    st.sampled_from(["id", "approved", "created_by", "message", "Hours", ""]) | text, anything, max_size=2
)
plain = {
    "user_type": st.sampled_from(["Employee", "Contractor"]),
    "user_id": st.text(st.characters(codec="ascii", categories=["L", "N"]), min_size=1, max_size=64),
    "year": st.integers(2015, 2030) | st.integers(2015, 2030).map(str),
    "week": st.integers(1, 52) | st.integers(1, 52).map(str),
    "project": st.text(
        st.characters(categories=["L", "N"], include_characters=" "), min_size=1, max_size=100
    ).filter(str.strip),
    "hours": st.decimals("0.01", 168, places=2).map(str) | st.integers(1, 168),
}
# A valid entry with one or two fields changed to anything: the edges where the rules bite.
one_change = st.sampled_from(sorted(FIELDS)).flatmap(
    lambda name: FIELDS[name].map(lambda value: {name: value})
)
near_valid = st.builds(
    lambda entry, changes: {key: value for change in [entry, *changes] for key, value in change.items()},
    st.fixed_dictionaries(plain, optional={"external_id": st.none() | plain["user_id"]}),
    st.lists(one_change | extra_fields, max_size=2),
)
items = (
    near_valid
    | st.fixed_dictionaries({}, optional=FIELDS)
    | st.builds(
        lambda item, extra: {**extra, **item}, st.fixed_dictionaries({}, optional=FIELDS), extra_fields
    )
    | anything
)


def exactly(entry: dict[str, Any]) -> list[tuple[str, type, str]]:
    """Names in order, types and reprs: Decimal("7.5") and Decimal("7.50") are not the same answer."""
    return [(name, type(value), repr(value)) for name, value in entry.items()]


VALID = {"user_type": "Employee", "user_id": "7", "year": 2021, "week": 1, "project": "p", "hours": 1}


@pytest.mark.slow
@settings(max_examples=3000, deadline=None)
@given(item=items)
@example(item={**VALID, "week": 53})  # 2021 has 52 ISO weeks: the serializer's validate()
@example(item={**VALID, "external_id": " "})
@example(item={**VALID, "year": True})
@example(item={**VALID, "week": "0"})
@example(item={**VALID, "hours": "168.01"})
@example(item={**VALID, "hours": "0.00"})
@example(item={**VALID, "hours": "40.005"})
@example(item={**VALID, "hours": 1e2})
@example(item={**VALID, "user_id": " 7 "})
@example(item={**VALID, "user_id": "a\x00"})
@example(item={**VALID, "project": "p" * 101})
@example(item={**VALID, "id": 3})
def test_the_fast_path_declines_or_agrees_with_the_serializer(item):
    fast = checker.validated(item)
    event("declined" if fast is None else "accepted")
    if fast is None:
        return
    try:
        expected = TimesheetSerializer().run_validation(item)
    except serializers.ValidationError as exc:
        pytest.fail(f"the fast path accepted what the serializer refuses: {exc.detail}")
    assert exactly(fast) == exactly(expected)


@settings(max_examples=300, deadline=None)
@given(item=st.fixed_dictionaries(plain, optional={"external_id": st.none() | plain["user_id"]}))
def test_the_fast_path_takes_what_an_import_sends(item):
    assert checker.validated(item) == TimesheetSerializer().run_validation(item)


@pytest.mark.parametrize(
    "serializer",
    [
        type("WithFieldMethod", (TimesheetSerializer,), {"validate_project": lambda self, value: value}),
        type(
            "WithValidator",
            (TimesheetSerializer,),
            {
                "hours": serializers.DecimalField(
                    max_digits=5, decimal_places=2, validators=[lambda value: None]
                )
            },
        ),
        type("WithFloat", (TimesheetSerializer,), {"hours": serializers.FloatField()}),
    ],
)
def test_a_rule_the_fast_path_does_not_know_stops_it_being_built(serializer):
    with pytest.raises(ImproperlyConfigured):
        EntryChecker(serializer())


def test_hours_come_back_with_the_columns_places():
    entry = checker.validated(
        {
            **dict.fromkeys(["user_id", "project"], "x"),
            "user_type": "Employee",
            "year": 2025,
            "week": 1,
            "hours": "7.5",
        }
    )
    assert entry is not None and repr(entry["hours"]) == repr(Decimal("7.50"))


def test_the_limits_are_read_from_the_serializers_fields():
    class Narrower(TimesheetSerializer):
        year = serializers.IntegerField(min_value=2020, max_value=2030)
        project = serializers.CharField(max_length=3)

    narrow = EntryChecker(Narrower())
    entry = {"user_type": "Employee", "user_id": "7", "year": 2025, "week": 1, "project": "abc", "hours": 1}
    assert narrow.validated(entry) is not None
    assert narrow.validated({**entry, "year": 2019}) is None
    assert narrow.validated({**entry, "year": "2031"}) is None
    assert narrow.validated({**entry, "project": "abcd"}) is None
