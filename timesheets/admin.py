from typing import Any

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.views.main import ChangeList
from django.core.exceptions import PermissionDenied
from django.db.models import Count, QuerySet, Sum
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join

from . import export, rules, services
from .admin_conflicts import ImportConflictAdmin  # noqa: F401 (registers the conflicts list)
from .admin_filters import WeekRangeFilter
from .admin_read_only import ReadOnlyAdminMixin
from .admin_week import week_view
from .admin_weekly import weekly_context
from .creators import creator_names
from .history import EntryHistoryMixin, EventChangeList, describe
from .models import Timesheet, TimesheetEvent
from .pagination import FastCountPaginator
from .permissions import caller_identity

# The index links the weekly picture and the export beside the list of models.
admin.site.index_template = "admin/timesheets/index.html"


class TimesheetChangeList(ChangeList):
    """The entries list, with each page's creators named by one query for the whole page."""

    def get_results(self, request: HttpRequest) -> None:
        super().get_results(request)
        if isinstance(self.result_list, QuerySet):
            # A list that fits one page (or "show all") comes as the whole queryset, unsliced.
            # The rows are the same with a LIMIT, and SQLite then plans a search by its
            # indexes; without one it read all million rows for a dozen (150 ms).
            limit = self.list_max_show_all if self.show_all else self.list_per_page
            self.result_list = self.result_list[:limit]
        self.result_list = list(self.result_list)
        names = creator_names(timesheet.created_by for timesheet in self.result_list)
        for timesheet in self.result_list:
            timesheet.creator_name = names[timesheet.created_by]


@admin.register(Timesheet)
class TimesheetAdmin(EntryHistoryMixin, admin.ModelAdmin):
    # Few, narrow columns: the list fits a 1,366 px screen beside the filters.
    list_display = ["person", "iso_week", "project", "hours", "approved", "creator"]
    list_display_links = ["person"]
    list_filter = [WeekRangeFilter, "approved", "user_type"]
    # Prefixes ("^", UPPER(col) LIKE 'TERM%'): an index on UPPER(col) with pattern ops can
    # serve them, where Django's default '%term%' must read every row.
    search_fields = ["^user_id", "^project", "^external_id"]
    search_help_text = "Finds entries whose person, project or external id starts with the text."
    # `created_by` is shown by name (`creator`), as in the list and the history; the raw
    # identity is never a form field (the service sets it).
    exclude = ["created_by", "sent_back_by"]
    readonly_fields = [
        "creator",
        "created_at",
        "updated_at",
        "approved",
        "approved_at",
        "approved_by",
        "sent_back_comment",
        "sent_back_by_name",
        "sent_back_at",
    ]
    actions = ["approve_selected", "unapprove_selected", "export_selected", "delete_pending_selected"]
    # Persons named in the totals above the list; the rest are summed as one line.
    TOTALS_SHOWN = 20
    SHOWN = 100  # entries named on the delete action's confirmation page
    # At a million entries: counts kept until a write, deep pages read ids first, and no
    # second count of the whole table beside a filtered one ("show all" says it). Rendering
    # a row's cells is most of a page's time, hence 50 rows rather than 100.
    paginator = FastCountPaginator
    show_full_result_count = False
    list_per_page = 50
    change_list_template = "admin/timesheets/timesheet/change_list.html"

    class Media:
        css = {"all": ["timesheets/admin.css"]}

    def get_changelist(self, request: HttpRequest, **kwargs: Any) -> type[ChangeList]:
        return TimesheetChangeList

    def get_urls(self) -> list:
        return [
            path("weekly/", self.admin_site.admin_view(self.weekly_view), name="timesheets_timesheet_weekly"),
            path("export/", self.admin_site.admin_view(self.export_view), name="timesheets_timesheet_export"),
            path(
                "week/",
                self.admin_site.admin_view(lambda request: week_view(self, request)),
                name="timesheets_timesheet_week",
            ),
            *super().get_urls(),
        ]

    @admin.display(description="person", ordering="user_id")
    def person(self, timesheet: Timesheet) -> str:
        return f"{timesheet.user_type} {timesheet.user_id}"

    @admin.display(description="week", ordering="year")
    def iso_week(self, timesheet: Timesheet) -> str:
        return f"{timesheet.year}-W{timesheet.week:02d}"

    @admin.display(description="created by", ordering="created_by")
    def creator(self, timesheet: Timesheet) -> str:
        name = getattr(timesheet, "creator_name", None)
        return name if name is not None else creator_names([timesheet.created_by])[timesheet.created_by]

    @admin.display(description="sent back by")
    def sent_back_by_name(self, timesheet: Timesheet) -> str:
        by = timesheet.sent_back_by
        return creator_names([by])[by] if by else "—"

    def get_actions(self, request: HttpRequest) -> dict[str, Any]:
        # Django's own delete_selected refuses a whole selection over one approved entry, and
        # calls that a missing permission; delete_pending_selected deletes what it may.
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    @admin.action(description="Delete selected timesheets (approved ones are kept)", permissions=["delete"])
    def delete_pending_selected(
        self, request: HttpRequest, queryset: QuerySet[Timesheet]
    ) -> TemplateResponse | None:
        """Asks first, as Django's delete does; then deletes the pending entries and names those kept."""
        pending = queryset.filter(approved=False)
        approved = queryset.filter(approved=True)
        if request.POST.get("post") != "yes":
            context = {
                **self.admin_site.each_context(request),
                "title": "Delete the selected timesheets?",
                "opts": self.model._meta,
                # At most SHOWN of each named: "select all" may pick a million entries.
                "pending": pending[: self.SHOWN],
                "pending_count": pending.count(),
                "approved": approved[: self.SHOWN],
                "approved_count": approved.count(),
                "select_across": request.POST.get("select_across", "0"),
                "selected": request.POST.getlist(helpers.ACTION_CHECKBOX_NAME),
                "query_string": request.GET.urlencode(),
                "action": "delete_pending_selected",
                "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            }
            return TemplateResponse(request, "admin/timesheets/timesheet/delete_pending.html", context)
        deleted = 0
        for timesheet_id in pending.values_list("pk", flat=True):
            try:
                services.timesheet_delete(timesheet_id=timesheet_id, deleted_by=caller_identity(request.user))
            except (services.TimesheetApproved, Timesheet.DoesNotExist):
                continue  # approved or deleted since the page was read
            deleted += 1
        self.message_user(request, f"Deleted {deleted} pending timesheet(s).", messages.SUCCESS)
        kept = approved.count()
        if kept:
            named = "; ".join(str(timesheet) for timesheet in approved[:10]) + ("; …" if kept > 10 else "")
            self.message_user(
                request,
                f"Kept {kept} approved timesheet(s), since an approved entry is a record of payment:"
                f" {named}. Withdraw the approval first to delete one.",
                messages.WARNING,
            )
        return None

    def changelist_view(self, request: HttpRequest, extra_context: dict | None = None) -> HttpResponse:
        response = super().changelist_view(request, extra_context)
        context = response.context_data if isinstance(response, TemplateResponse) else None
        if context is not None and "cl" in context:  # not a redirect, nor an action's answer
            context["person_totals"] = self.person_totals(context["cl"])
        return response

    def person_totals(self, changelist: ChangeList) -> list[dict[str, Any]] | None:
        """Hours and entries per person of the filtered selection, most hours first: one query.

        Only once the list is filtered or searched: the whole table's totals are the weekly
        picture's job, and grouping a million entries on every visit to the list would cost
        more than the page.
        """
        if not (changelist.has_active_filters or changelist.query):
            return None
        return list(
            changelist.queryset.order_by()
            .values("user_type", "user_id")
            .annotate(hours=Sum("hours"), entries=Count("id"))
            .order_by("-hours", "user_type", "user_id")[: self.TOTALS_SHOWN + 1]
        )

    @admin.action(description="Approve selected timesheets", permissions=["approve"])
    def approve_selected(self, request: HttpRequest, queryset: QuerySet[Timesheet]) -> None:
        pending = list(queryset.filter(approved=False).values_list("pk", flat=True))
        approved, own = 0, 0
        for timesheet_id in pending:
            try:
                services.timesheet_approve(
                    timesheet_id=timesheet_id,
                    approved_by=caller_identity(request.user),
                    approver=rules.identity_of(request.user),
                )
                approved += 1
            except services.OwnEntry:
                own += 1
        self.message_user(request, f"Approved {approved} timesheet(s).", messages.SUCCESS)
        if own:
            self.message_user(
                request,
                f"Kept {own} of your own pending: an entry is approved by someone else.",
                messages.WARNING,
            )

    @admin.action(description="Withdraw approval of selected timesheets", permissions=["approve"])
    def unapprove_selected(self, request: HttpRequest, queryset: QuerySet[Timesheet]) -> None:
        approved = list(queryset.filter(approved=True).values_list("pk", flat=True))
        for timesheet_id in approved:
            services.timesheet_unapprove(
                timesheet_id=timesheet_id, unapproved_by=caller_identity(request.user)
            )
        self.message_user(request, f"Withdrew approval of {len(approved)} timesheet(s).", messages.SUCCESS)

    @admin.action(description="Export selected timesheets as CSV", permissions=["view"])
    def export_selected(self, request: HttpRequest, queryset: QuerySet[Timesheet]) -> StreamingHttpResponse:
        return export.csv_response(queryset.order_by(*(Timesheet._meta.ordering or ())))

    def export_view(self, request: HttpRequest) -> HttpResponseBase:
        """The changelist as it is filtered, searched and sorted, as CSV: every page, not one."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        try:
            changelist = self.get_changelist_instance(request)
        except IncorrectLookupParameters:
            return redirect("admin:timesheets_timesheet_changelist")
        filename = export.file_name(export.admin_filter_parts(request.GET), "csv")
        return export.csv_response(changelist.queryset, filename)

    def weekly_view(self, request: HttpRequest) -> HttpResponse:
        if not self.has_view_permission(request):
            raise PermissionDenied
        return render(request, "admin/timesheets/weekly.html", weekly_context(self, request))

    def has_approve_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("timesheets.approve_timesheet")

    def get_readonly_fields(self, request: HttpRequest, obj: Timesheet | None = None) -> list[str]:
        if obj is not None and obj.approved:  # a record of payment: no longer editable
            editable = [field.name for field in Timesheet._meta.fields if field.name not in self.exclude]
            return list(dict.fromkeys([*editable, *self.readonly_fields]))
        return self.readonly_fields

    def has_delete_permission(self, request: HttpRequest, obj: Timesheet | None = None) -> bool:
        return super().has_delete_permission(request, obj) and not (obj is not None and obj.approved)

    def save_model(self, request: HttpRequest, obj: Timesheet, form, change: bool) -> None:
        services.timesheet_save(timesheet=obj, actor=caller_identity(request.user))

    def delete_model(self, request: HttpRequest, obj: Timesheet) -> None:
        services.timesheet_delete(timesheet_id=obj.pk, deleted_by=caller_identity(request.user))


@admin.register(TimesheetEvent)
class TimesheetEventAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """The audit trail: read-only, since a record that can be edited records nothing."""

    list_display = ["at", "action", "entry", "who", "what_changed"]
    list_filter = ["action"]

    class Media:
        css = {"all": ["timesheets/admin.css"]}

    search_fields = ["=timesheet_id", "actor"]
    date_hierarchy = "at"

    def get_changelist(self, request: HttpRequest, **kwargs) -> type[EventChangeList]:
        return EventChangeList

    @admin.display(description="Entry", ordering="timesheet_id")
    def entry(self, event: TimesheetEvent) -> str:
        if not getattr(event, "entry_exists", False):
            return f"#{event.timesheet_id} (deleted)"
        url = reverse("admin:timesheets_timesheet_change", args=[event.timesheet_id])
        return format_html('<a href="{}">#{}</a>', url, event.timesheet_id)

    @admin.display(description="Who", ordering="actor")
    def who(self, event: TimesheetEvent) -> str:
        return getattr(event, "actor_name", event.actor)

    @admin.display(description="What changed (before → after)")
    def what_changed(self, event: TimesheetEvent) -> str:
        return format_html_join(
            "",
            "<div>{}: <del>{}</del> → <ins>{}</ins></div>",
            (
                (change.field, change.before, change.after)
                for change in describe(event.changes, getattr(event, "names", None))
            ),
        )
