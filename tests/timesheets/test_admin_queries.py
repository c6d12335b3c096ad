"""What the admin's entry list asks of the database: a fixed number of queries per page, and a
search its indexes serve, so that the pages stay fast at a million entries."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.core.cache import cache
from django.db import connection, transaction
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext

from timesheets.models import Timesheet

from ..factories import TimesheetFactory

CHANGELIST = "/admin/timesheets/timesheet/"
SEARCH_INDEXES = ["timesheet_user_id_search", "timesheet_project_search", "timesheet_external_id_search"]


@pytest.fixture
def entries(db) -> None:
    Timesheet.objects.bulk_create(
        TimesheetFactory.build(
            user_type="Contractor" if n % 3 == 0 else "Employee",
            user_id=f"e-{n}",
            year=2024,
            week=1 + n % 52,
            project=f"P{n % 7}",
            hours=1,
            external_id=f"jira-{n}",
            approved=n % 2 == 0,
            created_by="user:payroll",
        )
        for n in range(120)
    )
    cache.clear()  # counts kept by an earlier test's identical table


# Each page, asked twice: the first time the list is counted, then the count is kept. Beside
# the session and the user: the two newest ids (the count's cache key), the count when not
# kept, and the page's rows. Creators here are staff users, named without a query. A filtered
# or searched list adds one: its per-person totals, grouped in one query.
@pytest.mark.parametrize(
    ("query", "totals"),
    [
        ("", 0),
        ("?q=e-1", 1),
        ("?q=jira-7", 1),
        ("?p=2", 0),
        ("?week_from=2024-W01&week_to=2024-W10", 1),
        ("?approved__exact=1", 1),
        ("?user_type__exact=Contractor", 1),
        ("?user_type__exact=Employee&q=e-1", 1),
    ],
)
def test_each_page_of_the_list_costs_a_fixed_number_of_queries(
    admin_client, entries, query, totals, django_assert_num_queries
):
    with django_assert_num_queries(6 + totals):
        assert admin_client.get(CHANGELIST + query).status_code == 200
    with django_assert_num_queries(5 + totals):
        assert admin_client.get(CHANGELIST + query).status_code == 200


def test_a_list_that_fits_one_page_is_read_with_a_limit(admin_client, entries):
    # Unlimited, SQLite planned this search as a read of every row (150 ms at a million).
    with CaptureQueriesContext(connection) as captured:
        response = admin_client.get(CHANGELIST, {"q": "jira-7"})
    assert len(response.context["cl"].result_list) == 11  # jira-7, jira-70 … jira-79
    rows = [query["sql"] for query in captured if '"timesheets_timesheet"."hours"' in query["sql"]]
    assert rows and all("LIMIT" in sql for sql in rows)


def test_the_search_is_served_by_its_prefix_indexes(admin_client, entries, django_user_model):
    model_admin = admin.site.get_model_admin(Timesheet)
    request = RequestFactory().get(CHANGELIST, {"q": "jira-7"})
    request.user = django_user_model.objects.get(username="admin")
    searched, _ = model_admin.get_search_results(request, Timesheet.objects.all(), "jira-7")
    with transaction.atomic():
        if connection.vendor == "postgresql":
            # A table this small is read whole whatever the indexes; ask for the indexed plan.
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL enable_seqscan = off")
        plan = searched[:51].explain()  # a page, as the list reads it
    assert all(name in plan for name in SEARCH_INDEXES), plan
