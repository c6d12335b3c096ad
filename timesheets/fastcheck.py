"""The batch's fast path: well-formed entries checked by plain code, under the serializer's own rules.

DRF's serializer costs about 26 µs of CPU per entry (a call, a validator loop and a lazily
formatted message per field), about what the API spends writing the entry; this, about
3 µs (scripts/measure_fastpaths.py check). An import sends
plain values, almost all of them valid, so `EntryChecker` checks those directly: every
limit it applies is read from the serializer's fields, and the serializer's own `validate`
runs on the result, so the rules stay defined once. It is stricter than the serializer on
purpose: whatever is not plainly valid (a wrong type, a value out of range, "1e2", an
unknown field, a non-printable character) it declines, and the serializer then answers
for that item exactly as before, with its own messages. Where it accepts, it returns what
the serializer would (tests/timesheets/test_fastcheck.py holds it to that).

Building a checker fails loudly for a serializer it cannot mirror (a field type, a
validator or a `validate_<field>` method it does not know), so a new rule on the
serializer cannot be skipped here unnoticed.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from decimal import Decimal
from typing import Any, cast

from django.core import validators as django_validators
from django.core.exceptions import ImproperlyConfigured
from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import fields, serializers
from rest_framework.exceptions import ValidationError
from rest_framework.validators import ProhibitSurrogateCharactersValidator

from .serializers import validate_printable

# A check's answer when the value is not plainly valid: the serializer decides then.
DECLINE: Any = object()

Check = Callable[[Any], Any]

# Validators the checks below enforce themselves. `str.isprintable()`, which every text
# check requires, also excludes NUL and surrogates.
_TEXT_VALIDATORS = (
    django_validators.MaxLengthValidator,
    django_validators.MinLengthValidator,
    django_validators.ProhibitNullCharactersValidator,
    ProhibitSurrogateCharactersValidator,
)
_BOUND_VALIDATORS = (django_validators.MaxValueValidator, django_validators.MinValueValidator)
# Integers as an import sends them: a few ASCII digits (int() would also take "1_0", " 7", "٣").
_PLAIN_INTEGER = re.compile(r"[0-9]{1,9}")


class EntryChecker:
    """Validates a batch item as `serializer.run_validation` would, or declines (returns None)."""

    def __init__(self, serializer: serializers.Serializer) -> None:
        if serializer.validators:
            raise ImproperlyConfigured(f"{type(serializer).__name__} has validators the fast path lacks.")
        self.serializer = serializer
        self.checks: list[tuple[str, bool, Check]] = []
        for name, field in serializer.fields.items():
            if field.read_only:
                continue
            _require(field.source_attrs == [name], field, "a source of its own name")
            _require(getattr(serializer, f"validate_{name}", None) is None, field, "no validate_ method")
            _require(field.default is fields.empty, field, "no default")
            self.checks.append((name, field.required, _check_for(field)))
        self.names = frozenset(name for name, _, _ in self.checks)

    def validated(self, item: Any) -> dict[str, Any] | None:
        """The serializer's validated data for `item`, or None to let the serializer answer."""
        if type(item) is not dict or not item.keys() <= self.names:
            return None
        attrs: dict[str, Any] = {}
        for name, required, check in self.checks:
            if name not in item:
                if required:
                    return None
                continue
            value = check(item[name])
            if value is DECLINE:
                return None
            attrs[name] = value
        try:
            return self.serializer.validate(attrs)
        except (ValidationError, DjangoValidationError):
            return None


@functools.cache
def entry_checker(serializer_class: type[serializers.Serializer]) -> EntryChecker:
    """One checker per serializer class and process: its fields never change."""
    return EntryChecker(serializer_class())


def _require(condition: bool, field: fields.Field, what: str) -> None:
    if not condition:
        raise ImproperlyConfigured(f"The fast path needs {field.field_name} to have {what}.")


def _only_validators(field: fields.Field, known: tuple) -> None:
    for validator in field.validators:
        _require(isinstance(validator, known) or validator is validate_printable, field, f"no {validator!r}")


def _nullable(field: fields.Field, check: Check) -> Check:
    if not field.allow_null:
        return check
    return lambda value: None if value is None else check(value)


def _check_for(field: fields.Field) -> Check:
    # Exact types, not isinstance: a subclass may validate more than the check would.
    kind = type(field)
    if kind is fields.ChoiceField:
        return _nullable(field, _choice_check(cast(fields.ChoiceField, field)))
    if kind is fields.CharField:
        return _nullable(field, _text_check(cast(fields.CharField, field)))
    if kind is fields.IntegerField:
        return _nullable(field, _integer_check(cast(fields.IntegerField, field)))
    if kind is fields.DecimalField:
        return _nullable(field, _decimal_check(cast(fields.DecimalField, field)))
    raise ImproperlyConfigured(f"The fast path does not know {kind.__name__} ({field.field_name}).")


def _choice_check(field: fields.ChoiceField) -> Check:
    _only_validators(field, ())
    choices = {text: value for text, value in field.choice_strings_to_values.items() if text}

    def check(value: Any) -> Any:
        return choices.get(value, DECLINE) if type(value) is str else DECLINE

    return check


def _text_check(field: fields.CharField) -> Check:
    _only_validators(field, _TEXT_VALIDATORS)
    shortest = field.min_length or 0
    longest: float = float("inf") if field.max_length is None else field.max_length
    trim, allow_blank = field.trim_whitespace, field.allow_blank

    def check(value: Any) -> Any:
        if type(value) is not str:
            return DECLINE
        text = value.strip() if trim else value
        if not text:
            # The serializer's own shortcut: a blank value skips the validators.
            return "" if allow_blank else DECLINE
        if not shortest <= len(text) <= longest or not text.isprintable():
            return DECLINE
        return text

    return check


def _integer_check(field: fields.IntegerField) -> Check:
    _only_validators(field, _BOUND_VALIDATORS)
    low, high = _bounds(field)

    def check(value: Any) -> Any:
        if type(value) is str and _PLAIN_INTEGER.fullmatch(value):
            value = int(value)
        elif type(value) is not int:
            return DECLINE
        return value if low <= value <= high else DECLINE

    return check


def _decimal_check(field: fields.DecimalField) -> Check:
    _only_validators(field, _BOUND_VALIDATORS)
    _require(field.max_digits is not None and field.decimal_places is not None, field, "a precision")
    _require(not field.localize and field.rounding is None, field, "neither localize nor rounding")
    whole, places = cast(int, field.max_whole_digits), cast(int, field.decimal_places)
    # Plain decimals within the precision: at most `whole` digits, then at most `places`.
    plain = re.compile(rf"[0-9]{{1,{whole}}}(?:\.[0-9]{{1,{places}}})?")
    quantum = Decimal(1).scaleb(-places)
    low, high = _bounds(field)

    def check(value: Any) -> Any:
        kind = type(value)
        if kind is str:
            text = value.strip()
        elif kind is float or (kind is int and 0 <= value < 10**whole):
            text = str(value)
        else:
            return DECLINE
        if not plain.fullmatch(text):
            return DECLINE
        number = Decimal(text).quantize(quantum)
        return number if low <= number <= high else DECLINE

    return check


def _bounds(field: fields.IntegerField | fields.DecimalField) -> tuple[Any, Any]:
    low = field.min_value if field.min_value is not None else float("-inf")
    high = field.max_value if field.max_value is not None else float("inf")
    return low, high
