"""The importer's entry encoder (orjson) answers what the json module answers, or refuses as it does."""

from __future__ import annotations

import json
import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from importer.pipeline import encode_entry

# What a row can hold once read: JSON sources give any JSON value (and json.loads lets NaN
# and Infinity through), CSV sources give strings. Integers past 64 bits and lone
# surrogates are where orjson and the json module part ways.
scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats()
    | st.text(alphabet=st.characters(codec=None))
)
values = st.recursive(
    scalars, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4)
)


def stdlib(value):
    return json.dumps(value, ensure_ascii=False, allow_nan=False, separators=(",", ":")).encode("utf-8")


def outcome(encode, value):
    try:
        return json.loads(encode(value))
    except (ValueError, TypeError, UnicodeEncodeError) as exc:
        return ["refused", type(exc).__name__, str(exc)]


def same(a, b):
    """Equal as JSON values, NaN never arising (both refuse it)."""
    return json.dumps(a, sort_keys=True) == json.dumps(b, sort_keys=True)


@given(st.dictionaries(st.text(), values, max_size=8))
def test_it_answers_or_refuses_as_the_json_module_does(entry):
    assert same(outcome(encode_entry, entry), outcome(stdlib, entry))


@given(st.dictionaries(st.text(), st.text() | st.integers(-(2**63), 2**63 - 1) | st.booleans(), max_size=8))
def test_a_row_of_strings_and_integers_is_the_json_modules_bytes(entry):
    try:
        expected = stdlib(entry)
    except UnicodeEncodeError:
        return
    assert encode_entry(entry) == expected


@pytest.mark.parametrize("number", [math.nan, math.inf, -math.inf])
def test_nan_and_the_infinities_are_refused_not_sent_as_null(number):
    with pytest.raises(ValueError, match="Out of range float values are not JSON compliant"):
        encode_entry({"hours": number})


def test_a_value_json_cannot_hold_is_refused_with_its_type():
    with pytest.raises(TypeError, match="a bytes is not JSON"):
        encode_entry({"project": b"Atlas"})
