"""The admin page of one ISO week, for payroll: everyone's hours, and a week approved or sent back
at once.

Payroll closes a week person by person, not entry by entry: who logged what, who has not
logged at all, and for each person one decision, approve or send back with a comment. The
writes go through the same services as the API's, so each entry's history records them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from people.models import Person

from . import rules, services
from .models import Timesheet
from .permissions import caller_identity
from .weeks import IsoWeek, parse_kept

if TYPE_CHECKING:
    from .admin import TimesheetAdmin

ZERO = Decimal("0.00")
NOT_LOGGED, PENDING, SENT_BACK, APPROVED = "not logged", "pending", "sent back", "approved"
Identity = tuple[str, str]  # (user_type, user_id)


@dataclass
class PersonWeek:
    """One person's week: hours per project, and where the week stands."""

    user_type: str
    user_id: str
    name: str = ""
    projects: dict[str, Decimal] = field(default_factory=dict)
    entries: int = 0
    approved: int = 0
    sent_back: int = 0
    comments: list[str] = field(default_factory=list)

    @property
    def key(self) -> str:
        return f"{self.user_type}:{self.user_id}"

    @property
    def label(self) -> str:
        return self.name or f"{self.user_type} {self.user_id}"

    @property
    def total(self) -> Decimal:
        return sum(self.projects.values(), ZERO)

    @property
    def state(self) -> str:
        """Not logged, approved (every entry), sent back (an entry waits for a correction), else pending."""
        if not self.entries:
            return NOT_LOGGED
        if self.approved == self.entries:
            return APPROVED
        return SENT_BACK if self.sent_back else PENDING


def chosen_week(request: HttpRequest) -> tuple[IsoWeek, list[str]]:
    """`?week=2026-W49`, else the current week: payroll closes the week that is ending."""
    this_week = IsoWeek.of(timezone.localdate())
    text = request.GET.get("week", "")
    if not text:
        return this_week, []
    try:
        return parse_kept(text), []
    except ValueError as error:
        return this_week, [f"{error} Showing this week."]


def week_of_people(queryset: QuerySet[Timesheet], week: IsoWeek) -> list[PersonWeek]:
    """Every active person and everyone with an entry in the week: two queries at any size."""
    people: dict[Identity, PersonWeek] = {
        (person.user_type, person.user_id): PersonWeek(person.user_type, person.user_id, person.name)
        for person in Person.objects.filter(account__is_active=True).select_related("account")
    }
    rows = (
        queryset.filter(year=week.year, week=week.week)
        .order_by()
        .values_list("user_type", "user_id", "project", "hours", "approved", "sent_back_comment")
    )
    for user_type, user_id, project, hours, approved, comment in rows:
        row = people.get((user_type, user_id))
        if row is None:  # an identity no active person holds: an import's contractor, say
            row = people[user_type, user_id] = PersonWeek(user_type, user_id)
        row.projects[project] = row.projects.get(project, ZERO) + hours
        row.entries += 1
        row.approved += approved
        if comment and not approved:
            row.sent_back += 1
            if comment not in row.comments:
                row.comments.append(comment)
    return sorted(people.values(), key=lambda row: (row.label.casefold(), row.key))


def week_view(model_admin: TimesheetAdmin, request: HttpRequest) -> HttpResponse:
    if not model_admin.has_view_permission(request):
        raise PermissionDenied
    if request.method == "POST":
        return _decide(model_admin, request)
    week, errors = chosen_week(request)
    rows = week_of_people(model_admin.get_queryset(request), week)
    context = {
        **model_admin.admin_site.each_context(request),
        "title": f"Week {week}",
        "opts": model_admin.model._meta,
        "week": week,
        "previous": week.plus(-1),
        "next": week.plus(1),
        "monday": week.monday(),
        "rows": rows,
        "not_logged": [row for row in rows if row.state == NOT_LOGGED],
        "total": sum((row.total for row in rows), ZERO),
        "errors": errors,
        "can_decide": model_admin.has_approve_permission(request),
    }
    return render(request, "admin/timesheets/week.html", context)


def _decide(model_admin: TimesheetAdmin, request: HttpRequest) -> HttpResponse:
    """Approves a person's week, or sends it back with a comment; then shows the week again."""
    if not model_admin.has_approve_permission(request):
        raise PermissionDenied
    try:
        week = parse_kept(request.POST.get("week", ""))
        user_type, user_id = request.POST.get("person", "").split(":", 1)
    except ValueError:
        messages.error(request, "Pick a week and a person.")
        return HttpResponseRedirect(reverse("admin:timesheets_timesheet_week"))
    back = HttpResponseRedirect(f"{reverse('admin:timesheets_timesheet_week')}?week={week}")
    entries = model_admin.get_queryset(request).filter(
        user_type=user_type, user_id=user_id, year=week.year, week=week.week
    )
    who = f"{user_type} {user_id}"
    actor = caller_identity(request.user)
    decision = request.POST.get("decision")
    if decision == "approve":
        if rules.identity_of(request.user) == (user_type, user_id):
            messages.error(request, f"{who}, {week}: a week is approved by someone else, not its person.")
            return back
        pending = entries.filter(approved=False)
        approve = list(pending.filter(sent_back_comment="").values_list("pk", flat=True))
        for pk in approve:
            try:
                services.timesheet_approve(
                    timesheet_id=pk, approved_by=actor, approver=rules.identity_of(request.user)
                )
            except Timesheet.DoesNotExist:
                continue  # deleted since the page was read
        kept = pending.exclude(sent_back_comment="").count()
        note = f" Kept {kept} sent back for a correction: approve them in the entries list." if kept else ""
        messages.success(request, f"{who}, {week}: approved {len(approve)} entr{_ies(len(approve))}.{note}")
    elif decision == "send_back":
        comment = request.POST.get("comment", "").strip()
        if not comment:
            messages.error(request, f"{who}, {week}: say what to correct before sending the week back.")
            return back
        sent = _send_back(entries.filter(approved=False).values_list("pk", flat=True), comment, actor)
        kept = entries.filter(approved=True).count()
        note = f" Kept {kept} approved: withdraw an approval to send it back." if kept else ""
        messages.success(request, f"{who}, {week}: sent back {sent} entr{_ies(sent)}.{note}")
    else:
        messages.error(request, "Choose to approve or to send back.")
    return back


def _send_back(ids: Iterable[int], comment: str, actor: str) -> int:
    sent = 0
    for pk in list(ids):
        try:
            services.timesheet_send_back(timesheet_id=pk, comment=comment, sent_back_by=actor)
        except (services.TimesheetApproved, Timesheet.DoesNotExist):
            continue  # approved or deleted since the page was read
        sent += 1
    return sent


def _ies(count: int) -> str:
    return "y" if count == 1 else "ies"
