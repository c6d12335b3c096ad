from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from . import services
from .models import Timesheet, TimesheetEvent
from .pagination import FastCountPaginator
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
    # At a million entries: counts kept until a write, deep pages read ids first, and no
    # second count of the whole table beside a filtered one. Rendering a row's cells is
    # most of a page's time, hence 50 rows rather than 100.
    paginator = FastCountPaginator
    show_full_result_count = False
    list_per_page = 50

    @admin.action(description="Approve selected timesheets", permissions=["approve"])
    def approve_selected(self, request: HttpRequest, queryset: QuerySet[Timesheet]) -> None:
        pending = list(queryset.filter(approved=False).values_list("pk", flat=True))
        for timesheet_id in pending:
            services.timesheet_approve(timesheet_id=timesheet_id, approved_by=caller_identity(request.user))
        self.message_user(request, f"Approved {len(pending)} timesheet(s).", messages.SUCCESS)

    def has_approve_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("timesheets.approve_timesheet")

    def get_readonly_fields(self, request: HttpRequest, obj: Timesheet | None = None) -> list[str]:
        if obj is not None and obj.approved:  # a record of payment: no longer editable
            return [field.name for field in Timesheet._meta.fields]
        return self.readonly_fields

    def has_delete_permission(self, request: HttpRequest, obj: Timesheet | None = None) -> bool:
        return super().has_delete_permission(request, obj) and not (obj is not None and obj.approved)

    def save_model(self, request: HttpRequest, obj: Timesheet, form, change: bool) -> None:
        services.timesheet_save(timesheet=obj, actor=caller_identity(request.user))

    def delete_model(self, request: HttpRequest, obj: Timesheet) -> None:
        services.timesheet_delete(timesheet_id=obj.pk, deleted_by=caller_identity(request.user))

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Timesheet]) -> None:
        for timesheet_id in queryset.filter(approved=False).values_list("pk", flat=True):
            services.timesheet_delete(timesheet_id=timesheet_id, deleted_by=caller_identity(request.user))
        kept = queryset.filter(approved=True).count()
        if kept:
            self.message_user(
                request, f"Kept {kept} approved timesheet(s): they cannot be deleted.", messages.WARNING
            )


@admin.register(TimesheetEvent)
class TimesheetEventAdmin(admin.ModelAdmin):
    """The audit trail: read-only, since a record that can be edited records nothing."""

    list_display = ["at", "action", "timesheet_id", "actor"]
    list_filter = ["action"]
    search_fields = ["=timesheet_id", "actor"]
    date_hierarchy = "at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: TimesheetEvent | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: TimesheetEvent | None = None) -> bool:
        return False
