from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from drf_spectacular.utils import OpenApiExample, extend_schema_serializer
from rest_framework import serializers

from common.weeks import IsoWeek

from .models import Timesheet
from .weeks import FIRST_YEAR, LAST_YEAR

MAX_BATCH_ITEMS = 1000

# The docs show the scenario's own entry (Auth0's "Server + API": Employee 007, 40 hours on
# StoreZero), not the generator's "string" and 9999, so that "Try it out" sends a valid one.
EXAMPLE_ENTRY = {
    "user_type": "Employee",
    "user_id": "007",
    "year": 2016,
    "week": 24,
    "project": "StoreZero",
    "hours": 40,
    "external_id": "storezero:007:2016-W24",
}
EXAMPLE_STORED = {
    "id": 1,
    **EXAMPLE_ENTRY,
    "approved": False,
    "approved_at": None,
    "approved_by": "",
    "created_at": "2016-06-17T17:00:00Z",
    "created_by": "Kq3vV8cU0pZrYH2bN6sD1xWm",
    "sent_back_comment": "",
}
ENTRY_EXAMPLES = [
    OpenApiExample("Employee 007, 40 h on StoreZero", value=EXAMPLE_ENTRY, request_only=True),
    OpenApiExample("Employee 007, 40 h on StoreZero", value=EXAMPLE_STORED, response_only=True),
]


# What a client writes.
ENTRY_FIELDS = ("user_type", "user_id", "year", "week", "project", "hours", "external_id")
# What the server decides. sent_back_comment: why payroll sent the entry back for a
# correction; empty once the person edits it.
DECIDED_FIELDS = ("approved", "approved_at", "approved_by", "created_at", "created_by", "sent_back_comment")


def validate_printable(value: str) -> None:
    if not value.isprintable():
        raise serializers.ValidationError("Only printable characters are allowed.")


@extend_schema_serializer(examples=ENTRY_EXAMPLES)
class TimesheetSerializer(serializers.ModelSerializer):
    """An entry as docs/api.md ("An entry") defines it; unknown fields are refused, not ignored."""

    user_id = serializers.CharField(min_length=1, max_length=64, validators=[validate_printable])
    year = serializers.IntegerField(
        min_value=FIRST_YEAR,
        max_value=LAST_YEAR,
        error_messages={
            "min_value": f"Years from {FIRST_YEAR} to {LAST_YEAR} only.",
            "max_value": f"Years from {FIRST_YEAR} to {LAST_YEAR} only.",
        },
    )
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
        # In the order the API shows them (and the export's header): the id, what a client
        # writes, then what the server decides.
        fields = ["id", *ENTRY_FIELDS, *DECIDED_FIELDS]
        read_only_fields = ["id", *DECIDED_FIELDS]
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
        validate_iso_week(attrs["year"], attrs["week"])
        if attrs.get("external_id") == "":
            attrs["external_id"] = None
        return attrs


def validate_iso_week(year: int, week: int) -> None:
    try:
        datetime.date.fromisocalendar(year, week, 1)
    except ValueError:
        message = f"Week {week} does not exist in ISO year {year}."
        raise serializers.ValidationError({"week": [message]}) from None


class TimesheetChangeSerializer(TimesheetSerializer):
    """PATCH /timesheets/{id}: what a correction may change. Whose entry it is, and its key, stay."""

    CHANGEABLE = ("project", "hours", "year", "week")

    def get_fields(self) -> dict[str, serializers.Field]:
        fields = super().get_fields()
        return {name: fields[name] for name in self.CHANGEABLE}

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        # The week as it will be: a new year with the entry's week 53 must exist too.
        entry = self.instance
        assert isinstance(entry, Timesheet)  # a correction always has its entry
        validate_iso_week(attrs.get("year", entry.year), attrs.get("week", entry.week))
        return attrs


@extend_schema_serializer(
    examples=[
        ENTRY_EXAMPLES[0],
        OpenApiExample(
            "Employee 007, 40 h on StoreZero",
            value={**EXAMPLE_STORED, "message": "Timesheet created for Employee: 007"},
            response_only=True,
        ),
    ]
)
class TimesheetWrittenSerializer(TimesheetSerializer):
    """The answer to POST /timesheets: the entry, and a line for people (the scenario prints it)."""

    message = serializers.CharField(read_only=True)

    class Meta(TimesheetSerializer.Meta):
        fields = [*TimesheetSerializer.Meta.fields, "message"]


@extend_schema_serializer(
    examples=[
        OpenApiExample(
            "Employee 007's week, created",
            value={"index": 0, "status": "created", "id": 1, "errors": None},
            response_only=True,
        )
    ]
)
class BatchItemResultSerializer(serializers.Serializer):
    index = serializers.IntegerField()
    status = serializers.ChoiceField(choices=["created", "updated", "unchanged", "conflict", "invalid"])
    id = serializers.IntegerField(allow_null=True)
    # The metaclass pops declared fields from the class, so this does not hide Serializer.errors.
    errors = serializers.DictField(allow_null=True)  # type: ignore[assignment]


# --- POST /timesheets/reconcile ------------------------------------------------------------

MAX_RECONCILE_KEYS = 100_000


def parse_iso_week(value: str) -> IsoWeek:
    try:
        week = IsoWeek.parse(value)
    except ValueError:
        raise serializers.ValidationError(f"{value!r} is not an ISO week like 2024-W09.") from None
    if not FIRST_YEAR <= week.year <= LAST_YEAR:
        raise serializers.ValidationError(f"Years from {FIRST_YEAR} to {LAST_YEAR} only.")
    return week


class ReconcileSerializer(serializers.Serializer):
    """What a time tracker holds for a window, so that the API drops what the tracker lost."""

    prefix = serializers.RegexField(
        r"^[^\s:]{1,50}:$",
        help_text='The keys\' tool, with its colon: "toggl:", "clockify:" or "harvest:".',
    )
    since = serializers.CharField(help_text="First ISO week of the window, e.g. 2024-W09.")
    until = serializers.CharField(help_text="Last ISO week of the window, inclusive.")
    keep = serializers.ListField(
        child=serializers.CharField(max_length=200),
        allow_empty=True,
        max_length=MAX_RECONCILE_KEYS,
        help_text="Every key the tracker still has time for in the window.",
    )
    persons = serializers.ListField(
        child=serializers.CharField(max_length=200),
        required=False,
        allow_null=True,
        max_length=MAX_RECONCILE_KEYS,
        help_text=(
            "Only entries of these people (the key's person part, compared without regard to case) "
            "may be deleted: the people the tracker account knows. Omitted or null: anyone's."
        ),
    )
    dry_run = serializers.BooleanField(default=False, help_text="Answer what would happen; delete nothing.")

    def to_internal_value(self, data: Any) -> dict[str, Any]:
        if isinstance(data, dict) and (unknown := set(data) - set(self.fields)):
            raise serializers.ValidationError({name: ["Unknown field."] for name in sorted(unknown)})
        return super().to_internal_value(data)

    def validate_since(self, value: str) -> IsoWeek:
        return parse_iso_week(value)

    def validate_until(self, value: str) -> IsoWeek:
        return parse_iso_week(value)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if attrs["since"] > attrs["until"]:
            raise serializers.ValidationError({"until": ["The window ends before it starts."]})
        return attrs


class ReconciledEntrySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    external_id = serializers.CharField()


class ReconcileResultSerializer(serializers.Serializer):
    deleted = ReconciledEntrySerializer(many=True, help_text="Entries removed (or, dry run, to be removed).")
    conflicts = ReconciledEntrySerializer(many=True, help_text="Approved entries the tracker lost: kept.")
    dry_run = serializers.BooleanField()


# --- GET /me -------------------------------------------------------------------------------


class PersonMeSerializer(serializers.Serializer):
    """A person's token: who they are, so that an app shows only what the token allows."""

    kind = serializers.ChoiceField(choices=["person"])
    username = serializers.CharField()
    name = serializers.CharField()
    email = serializers.CharField(allow_blank=True)
    user_type = serializers.CharField()
    user_id = serializers.CharField()
    role = serializers.ChoiceField(choices=["employee", "manager"])
    scopes = serializers.ListField(child=serializers.CharField())


class ClientMeSerializer(serializers.Serializer):
    """A client's own token (client credentials)."""

    kind = serializers.ChoiceField(choices=["client"])
    client_id = serializers.CharField()
    name = serializers.CharField()
    scopes = serializers.ListField(child=serializers.CharField())
