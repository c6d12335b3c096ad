from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from . import services
from .models import Timesheet
from .permissions import caller_identity


@admin.register(Timesheet)
class TimesheetAdmin(admin.ModelAdmin):
    list_display = [
        "id",
        "user_type",
        "user_id",
        "year",
        "week",
        "project",
        "hours",
        "approved",
        "created_by",
    ]
    list_filter = ["user_type", "year", "week", "project", "approved"]
    search_fields = ["user_id", "project", "external_id", "created_by"]
    readonly_fields = ["created_by", "created_at", "updated_at", "approved", "approved_at", "approved_by"]
    actions = ["approve_selected"]

    @admin.action(description="Approve selected timesheets", permissions=["approve"])
    def approve_selected(self, request: HttpRequest, queryset: QuerySet[Timesheet]) -> None:
        pending = list(queryset.filter(approved=False).values_list("pk", flat=True))
        for timesheet_id in pending:
            services.timesheet_approve(timesheet_id=timesheet_id, approved_by=caller_identity(request.user))
        self.message_user(request, f"Approved {len(pending)} timesheet(s).", messages.SUCCESS)

    def has_approve_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("timesheets.approve_timesheet")
