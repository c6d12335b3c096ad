"""The admin list of import conflicts, for the payroll clerk: the approved value beside the tracker's,
and a decision for each (see "Conflicts from imports" in docs/payroll.md)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.contrib.admin.views.main import ChangeList
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html

from .admin_read_only import ReadOnlyAdminMixin
from .conflicts import ConflictClosed, conflict_accept, conflict_dismiss
from .creators import creator_names
from .models import ImportConflict, Timesheet
from .permissions import caller_identity


class ConflictChangeList(ChangeList):
    """The conflicts list, with each page's import clients named by one query for the whole page."""

    def get_results(self, request: HttpRequest) -> None:
        super().get_results(request)
        self.result_list = list(self.result_list)
        names = creator_names(conflict.created_by for conflict in self.result_list)
        for conflict in self.result_list:
            conflict.client_name = names[conflict.created_by]


def _value(hours: Any, project: str, year: int, week: int) -> str:
    return f"{hours} h, {project}, {year}-W{week:02d}"


@admin.register(ImportConflict)
class ImportConflictAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Read-only rows; the decisions are the two actions, through the services."""

    list_display = ["entry", "approved_value", "tracker_value", "seen", "state"]
    list_display_links = None
    list_filter = ["state"]
    list_select_related = ["timesheet"]
    actions = ["accept_selected", "dismiss_selected"]
    readonly_fields = [
        "entry",
        "approved_value",
        "tracker_value",
        "created_by",
        "first_seen",
        "last_seen",
        "state",
        "decided_by",
        "decided_at",
    ]
    fields = tuple(readonly_fields)

    class Media:
        css = {"all": ["timesheets/admin.css"]}

    def get_changelist(self, request: HttpRequest, **kwargs: Any) -> type[ChangeList]:
        return ConflictChangeList

    @admin.display(description="entry")
    def entry(self, conflict: ImportConflict) -> str:
        timesheet = conflict.timesheet
        if timesheet is None:
            return "(deleted)"
        url = reverse("admin:timesheets_timesheet_change", args=[timesheet.pk])
        return format_html('<a href="{}">{} {}</a>', url, timesheet.user_type, timesheet.user_id)

    @admin.display(description="approved")
    def approved_value(self, conflict: ImportConflict) -> str:
        timesheet: Timesheet | None = conflict.timesheet
        if timesheet is None:
            return "—"
        return _value(timesheet.hours, timesheet.project, timesheet.year, timesheet.week)

    @admin.display(description="tracker says")
    def tracker_value(self, conflict: ImportConflict) -> str:
        if conflict.is_deletion:
            return "deleted in the tracker"
        proposed = conflict.proposed
        return _value(proposed["hours"], proposed["project"], proposed["year"], proposed["week"])

    @admin.display(description="from, last seen", ordering="last_seen")
    def seen(self, conflict: ImportConflict) -> str:
        name = (
            getattr(conflict, "client_name", None)
            or creator_names([conflict.created_by])[conflict.created_by]
        )
        return f"{name}, {timezone.localtime(conflict.last_seen):%Y-%m-%d %H:%M}"

    @admin.action(description="Accept: the tracker wins (the approval is withdrawn)", permissions=["approve"])
    def accept_selected(self, request: HttpRequest, queryset: QuerySet[ImportConflict]) -> None:
        self._decide(request, queryset, conflict_accept, "accepted_by", "Accepted")

    @admin.action(description="Dismiss: the approved value stands", permissions=["approve"])
    def dismiss_selected(self, request: HttpRequest, queryset: QuerySet[ImportConflict]) -> None:
        self._decide(request, queryset, conflict_dismiss, "dismissed_by", "Dismissed")

    def _decide(
        self, request: HttpRequest, queryset: QuerySet[ImportConflict], decide: Any, actor: str, done: str
    ) -> None:
        who = caller_identity(request.user)
        decided = 0
        for pk in list(queryset.filter(state=ImportConflict.State.OPEN).values_list("pk", flat=True)):
            try:
                decide(conflict_id=pk, **{actor: who})
            except (ConflictClosed, ImportConflict.DoesNotExist, Timesheet.DoesNotExist):
                continue  # decided, or its entry gone, since the page was read
            decided += 1
        self.message_user(request, f"{done} {decided} conflict(s).", messages.SUCCESS)

    def has_approve_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("timesheets.approve_timesheet")
