from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from rest_framework import serializers

from .models import Timesheet

MAX_BATCH_ITEMS = 1000


def validate_printable(value: str) -> str:
    if not value.isprintable():
        raise serializers.ValidationError("Only printable characters are allowed.")
    return value


class TimesheetSerializer(serializers.ModelSerializer):
    """An entry as the README's "The API" defines it; unknown fields are refused, not ignored."""

    user_id = serializers.CharField(min_length=1, max_length=64, validators=[validate_printable])
    year = serializers.IntegerField(min_value=1, max_value=9999)
    week = serializers.IntegerField(min_value=1, max_value=53)
    project = serializers.CharField(min_length=1, max_length=100, validators=[validate_printable])
    hours = serializers.DecimalField(
        max_digits=5,
        decimal_places=2,
        min_value=Decimal("0.01"),
        max_value=Decimal("168"),
        coerce_to_string=False,
    )
    external_id = serializers.CharField(
        max_length=200, required=False, allow_null=True, allow_blank=True, validators=[validate_printable]
    )

    class Meta:
        model = Timesheet
        fields = [
            "id",
            "user_type",
            "user_id",
            "year",
            "week",
            "project",
            "hours",
            "external_id",
            "approved",
            "approved_at",
            "approved_by",
            "created_at",
            "created_by",
        ]
        read_only_fields = ["id", "approved", "approved_at", "approved_by", "created_at", "created_by"]
        # Uniqueness of (client, external_id) is an upsert key, not a validation error.
        validators: list = []

    def to_internal_value(self, data: Any) -> dict[str, Any]:
        if isinstance(data, dict):
            errors = {}
            for name in data:
                field = self.fields.get(name)
                if field is None:
                    errors[name] = ["Unknown field."]
                elif field.read_only:
                    errors[name] = ["This field is read-only."]
            if errors:
                raise serializers.ValidationError(errors)
        return super().to_internal_value(data)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        try:
            datetime.date.fromisocalendar(attrs["year"], attrs["week"], 1)
        except ValueError:
            raise serializers.ValidationError(
                {"week": [f"Week {attrs['week']} does not exist in ISO year {attrs['year']}."]}
            ) from None
        if attrs.get("external_id") == "":
            attrs["external_id"] = None
        return attrs


class TimesheetWrittenSerializer(TimesheetSerializer):
    """The answer to POST /timesheets: the entry, and a line for people (the scenario prints it)."""

    message = serializers.CharField(read_only=True)

    class Meta(TimesheetSerializer.Meta):
        fields = [*TimesheetSerializer.Meta.fields, "message"]


class BatchItemResultSerializer(serializers.Serializer):
    index = serializers.IntegerField()
    status = serializers.ChoiceField(choices=["created", "updated", "unchanged", "conflict", "invalid"])
    id = serializers.IntegerField(allow_null=True)
    errors = serializers.DictField(allow_null=True)
