"""The admin for payroll, with Django's test client: one week's page (approve a person's week, send
it back, who has not logged), totals per person above the list, a delete that keeps approved
entries, and creators named the same everywhere."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
import time_machine
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext

from issuer.services import api_client_create
from people.models import Person
from tests.factories import PersonFactory, StaffUserFactory, TimesheetFactory
from timesheets import services
from timesheets.models import Timesheet, TimesheetEvent

WEEK_PAGE = "/admin/timesheets/timesheet/week/"
CHANGELIST = "/admin/timesheets/timesheet/"


def add(user_id: str, project: str = "StoreZero", hours: str = "8", week: int = 49, **fields) -> Timesheet:
    values = {
        "year": 2026,
        "week": week,
        "project": project,
        "hours": Decimal(hours),
        "created_by": "user:maria",
    }
    return TimesheetFactory.create(user_id=user_id, **values | fields)


def person(user_id: str, name: str, *, active: bool = True, username: str | None = None) -> Person:
    first, last = name.split()
    return PersonFactory.create(
        user_id=user_id,
        account__username=username or user_id,
        account__first_name=first,
        account__last_name=last,
        account__is_active=active,
    )


@pytest.fixture
def week(db) -> None:
    person("007", "Ann Lee")
    person("008", "Bo Kim")
    person("009", "Cy Ray")  # logs nothing
    person("010", "Di Old", active=False)  # left: not expected to log
    add("007", hours="30")
    add("007", project="Atlas", hours="8.5")
    add("008", approved=True, approved_by="user:paula")


def row(response, user_id: str):
    return next(row for row in response.context["rows"] if row.user_id == user_id)


def test_the_week_page_opens_on_the_current_week(admin_client, week):
    with time_machine.travel(datetime.datetime(2026, 12, 2, 12, tzinfo=datetime.UTC)):
        response = admin_client.get(WEEK_PAGE)
    assert str(response.context["week"]) == "2026-W49"


def test_each_person_has_hours_per_project_a_total_and_a_state(admin_client, week):
    response = admin_client.get(WEEK_PAGE, {"week": "2026-W49"})
    ann = row(response, "007")
    assert (ann.label, ann.projects, ann.total, ann.state) == (
        "Ann Lee",
        {"StoreZero": Decimal("30"), "Atlas": Decimal("8.5")},
        Decimal("38.5"),
        "pending",
    )
    assert row(response, "008").state == "approved"


def test_not_logged_lists_active_people_without_an_entry(admin_client, week):
    response = admin_client.get(WEEK_PAGE, {"week": "2026-W49"})
    assert [row.user_id for row in response.context["not_logged"]] == ["009"]
    assert "Cy Ray" in response.content.decode() and "Di Old" not in response.content.decode()


def test_a_bad_week_is_said_and_the_current_week_shown(admin_client, week):
    response = admin_client.get(WEEK_PAGE, {"week": "2026-W99"})
    assert response.status_code == 200 and response.context["errors"]


def test_approving_a_week_approves_every_pending_entry_and_records_it(admin_client, week):
    response = admin_client.post(
        WEEK_PAGE, {"week": "2026-W49", "person": "Employee:007", "decision": "approve"}, follow=True
    )
    assert "approved 2 entries" in response.content.decode()
    entries = Timesheet.objects.filter(user_id="007")
    assert all(entry.approved and entry.approved_by == "user:admin" for entry in entries)
    events = TimesheetEvent.objects.filter(
        timesheet_id__in=[entry.pk for entry in entries], action="approved"
    )
    assert events.count() == 2


def test_sending_a_week_back_needs_a_comment_and_sets_it_on_each_pending_entry(admin_client, week):
    admin_client.post(WEEK_PAGE, {"week": "2026-W49", "person": "Employee:007", "decision": "send_back"})
    assert not Timesheet.objects.exclude(sent_back_comment="").exists()
    response = admin_client.post(
        WEEK_PAGE,
        {
            "week": "2026-W49",
            "person": "Employee:007",
            "decision": "send_back",
            "comment": "Atlas: wk 48",
        },
        follow=True,
    )
    assert row(response, "007").state == "sent back"
    comments = set(Timesheet.objects.filter(user_id="007").values_list("sent_back_comment", flat=True))
    assert comments == {"Atlas: wk 48"}


def test_approving_a_week_keeps_what_was_sent_back(admin_client, week):
    [first, _] = Timesheet.objects.filter(user_id="007")
    services.timesheet_send_back(timesheet_id=first.pk, comment="check", sent_back_by="user:paula")
    admin_client.post(WEEK_PAGE, {"week": "2026-W49", "person": "Employee:007", "decision": "approve"})
    first.refresh_from_db()
    assert not first.approved
    assert Timesheet.objects.filter(user_id="007", approved=True).count() == 1


def test_a_manager_cannot_approve_their_own_week(client, week):
    manager = Person.objects.get(user_id="007").account
    manager.is_staff = True
    manager.save()
    manager.user_permissions.set(
        Permission.objects.filter(codename__in=["view_timesheet", "approve_timesheet"])
    )
    client.force_login(manager)
    client.post(WEEK_PAGE, {"week": "2026-W49", "person": "Employee:007", "decision": "approve"})
    assert not Timesheet.objects.filter(user_id="007", approved=True).exists()


def test_deciding_needs_the_approve_permission(client, week):
    clerk = StaffUserFactory.create(username="clerk", permissions=["view_timesheet"])
    client.force_login(clerk)
    assert client.get(WEEK_PAGE).status_code == 200
    response = client.post(WEEK_PAGE, {"week": "2026-W49", "person": "Employee:007", "decision": "approve"})
    assert response.status_code == 403
    assert not Timesheet.objects.filter(user_id="007", approved=True).exists()


def test_the_index_and_the_list_link_the_week_page(admin_client, week):
    assert WEEK_PAGE in admin_client.get("/admin/").content.decode()
    assert WEEK_PAGE in admin_client.get(CHANGELIST).content.decode()


def test_a_filtered_list_shows_hours_per_person(admin_client, week):
    add("007", week=48, hours="5")
    response = admin_client.get(CHANGELIST, {"week_from": "2026-W49", "week_to": "2026-W49"})
    totals = {(row["user_id"], row["hours"], row["entries"]) for row in response.context["person_totals"]}
    assert totals == {("007", Decimal("38.5"), 2), ("008", Decimal("8"), 1)}
    assert 'id="person-totals"' in response.content.decode()


def test_the_delete_action_deletes_the_pending_and_names_the_kept(admin_client, week):
    selected = list(Timesheet.objects.values_list("pk", flat=True))
    action = {"action": "delete_pending_selected", "_selected_action": selected}
    confirm = admin_client.post(CHANGELIST, action)
    assert "2 pending timesheets will be deleted" in confirm.content.decode()
    response = admin_client.post(
        CHANGELIST,
        {**action, "post": "yes"},
        follow=True,
    )
    text = response.content.decode()
    assert "Deleted 2 pending timesheet(s)." in text
    assert "Kept 1 approved timesheet(s), since an approved entry is a record of payment" in text
    assert list(Timesheet.objects.values_list("user_id", flat=True)) == ["008"]
    assert TimesheetEvent.objects.filter(action="deleted").count() == 2


def test_django_delete_selected_is_replaced(admin_client, week):
    actions = admin_client.get(CHANGELIST).context["action_form"].fields["action"].choices
    assert "delete_selected" not in dict(actions) and "delete_pending_selected" in dict(actions)


def test_the_change_page_and_the_audit_trail_name_the_creator(admin_client, db):
    app = api_client_create(name="Contractor import", scopes=["create:timesheets"]).client
    entry = add("007", created_by=app.client_id)
    page = admin_client.get(f"{CHANGELIST}{entry.pk}/change/").content.decode()
    assert "Contractor import" in page and app.client_id not in page
    services.timesheet_delete(timesheet_id=entry.pk, deleted_by="user:admin")
    trail = admin_client.get("/admin/timesheets/timesheetevent/").content.decode()
    assert "Contractor import" in trail and app.client_id not in trail


def test_the_audit_trail_says_approval_withdrawn(admin_client, week):
    entry = Timesheet.objects.get(user_id="008")
    services.timesheet_unapprove(timesheet_id=entry.pk, unapproved_by="user:admin")
    trail = admin_client.get("/admin/timesheets/timesheetevent/").content.decode()
    assert "Approval withdrawn" in trail


def test_the_admin_export_names_its_filters(admin_client, week):
    query = {"week_from": "2026-W45", "week_to": "2026-W48", "approved__exact": "1"}
    response = admin_client.get(CHANGELIST + "export/", query)
    assert response["Content-Disposition"].endswith('filename="timesheets-2026-W45_to_2026-W48-approved.csv"')
    single = admin_client.get(CHANGELIST + "export/", {"week_from": "2026-W49", "week_to": "2026-W49"})
    assert single["Content-Disposition"].endswith('filename="timesheets-2026-W49.csv"')


def test_the_week_page_costs_the_same_queries_for_more_people(admin_client, week):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            admin_client.get(WEEK_PAGE, {"week": "2026-W49"})
        return len(captured)

    before = queries()
    for number in range(5):
        person(f"p-{number}", "New Person")
        add(f"p-{number}", hours="1")
    assert queries() == before
