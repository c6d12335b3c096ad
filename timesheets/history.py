"""An entry's history as a person reads it: when, who (by name), and what changed, before -> after.

The events themselves are `TimesheetEvent` rows written by the services; this module only
presents them, for the entry's own history page and for the audit trail in the admin.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.contrib.admin.views.main import ChangeList
from django.core.exceptions import FieldDoesNotExist
from django.db.models import Field
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse

from .creators import creator_names
from .models import Timesheet, TimesheetEvent

# Changes shown in the order of the entry's fields, whatever order the database kept them in.
_FIELD_ORDER = {field.name: n for n, field in enumerate(Timesheet._meta.fields)}
# Fields that hold who did something (a client id, `user:<name>`): shown by name, as the
# list and the change page show them (timesheets/creators.py).
IDENTITY_FIELDS = ("created_by", "approved_by", "sent_back_by")


@dataclass(frozen=True)
class Change:
    field: str
    before: str
    after: str


@dataclass(frozen=True)
class HistoryRow:
    event: TimesheetEvent
    actor_name: str
    changes: list[Change]


def history_rows(events: Iterable[TimesheetEvent]) -> list[HistoryRow]:
    """Events with their actors' names (one query for all of them) and their changes spelled out."""
    events = list(events)
    names = event_names(events)
    return [HistoryRow(event, names[event.actor], describe(event.changes, names)) for event in events]


def event_names(events: Iterable[TimesheetEvent]) -> dict[str, str]:
    """Names of every actor and every identity the events' changes hold, with one query."""
    identities: set[str] = set()
    for event in events:
        identities.add(event.actor)
        for name in IDENTITY_FIELDS:
            identities.update(value for value in event.changes.get(name, ()) if isinstance(value, str))
    return creator_names(identities)


def describe(changes: dict[str, list[Any]], names: dict[str, str] | None = None) -> list[Change]:
    ordered = sorted(changes.items(), key=lambda item: _FIELD_ORDER.get(item[0], len(_FIELD_ORDER)))
    named = names or {}
    return [
        Change(
            _label(name),
            _shown(named.get(before, before) if name in IDENTITY_FIELDS else before),
            _shown(named.get(after, after) if name in IDENTITY_FIELDS else after),
        )
        for name, (before, after) in ordered
    ]


def _label(name: str) -> str:
    try:
        field = Timesheet._meta.get_field(name)
    except FieldDoesNotExist:  # a field no longer on the model, in an old event
        return name
    return str(field.verbose_name) if isinstance(field, Field) else name  # a reverse relation has none


def _shown(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


if TYPE_CHECKING:
    from django.contrib.admin import ModelAdmin

    # The mixin is checked as the ModelAdmin it extends: its `super()` and attributes are that class's.
    _AdminBase = ModelAdmin[Timesheet]
else:
    _AdminBase = object


class EntryHistoryMixin(_AdminBase):
    """For the entry's ModelAdmin: its "History" page shows the entry's events, creation included.

    Django's own history page lists admin LogEntry rows, which miss every write made
    through the API; the template keeps the admin's page and breadcrumbs (which link back
    to the entry) and shows the events instead.
    """

    object_history_template = "admin/timesheets/timesheet/object_history.html"

    def history_view(
        self, request: HttpRequest, object_id: str, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        response = super().history_view(request, object_id, extra_context)
        # Not a redirect for a missing entry.
        if isinstance(response, TemplateResponse) and response.context_data is not None:
            entry = response.context_data["object"]
            events = TimesheetEvent.objects.filter(timesheet_id=entry.pk).order_by("at", "id")
            response.context_data["history"] = history_rows(events)
        return response


class EventChangeList(ChangeList):
    """The audit trail's page of events, with every actor's name and entry's existence read at once."""

    def get_results(self, request: HttpRequest) -> None:
        super().get_results(request)
        events = list(self.result_list)  # evaluates the page once; the rows below are these objects
        names = event_names(events)
        existing = set(
            Timesheet.objects.filter(pk__in={event.timesheet_id for event in events}).values_list(
                "pk", flat=True
            )
        )
        for event in events:
            event.actor_name = names[event.actor]
            event.names = names
            event.entry_exists = event.timesheet_id in existing
