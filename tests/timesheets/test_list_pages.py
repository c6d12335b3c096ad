"""Walking and sorting the list as clients do: by cursor, by page, by any allowed field."""

from __future__ import annotations

from rest_framework.request import Request
from rest_framework.test import APIRequestFactory

from timesheets.filters import IndexedOrderingFilter
from timesheets.models import Timesheet
from timesheets.views import TimesheetViewSet

from ..factories import TimesheetFactory


def _entries(count: int, **fields) -> list[Timesheet]:
    return Timesheet.objects.bulk_create(
        TimesheetFactory.build(
            **{"user_id": f"e-{n % 7}", "year": 2024, "week": 1 + n % 3} | fields,
            project=f"P{n % 2}",
            hours=1 + n % 4,
            created_by="x",
        )
        for n in range(count)
    )


def test_a_cursor_walk_meets_every_filtered_entry_once(app, app_token):
    _entries(230)
    url, seen = "/timesheets?cursor=&project=P1", []
    while url:
        page = app.get(url.removeprefix(app.base_url), token=app_token).json()
        assert "count" not in page
        seen += [row["id"] for row in page["results"]]
        url = page["next"]
    assert seen == list(Timesheet.objects.filter(project="P1").order_by("id").values_list("id", flat=True))


def test_the_count_follows_a_write_on_a_list_longer_than_a_page(app, app_token, entry):
    _entries(120)
    assert app.get("/timesheets", token=app_token).json()["count"] == 120
    app.post("/timesheets", token=app_token, json=entry())
    assert app.get("/timesheets", token=app_token).json()["count"] == 121


def test_ties_are_broken_in_the_order_of_the_fields_index():
    def ordering(asked: str) -> list[str]:
        request = Request(APIRequestFactory().get("/timesheets", {"ordering": asked}))
        return IndexedOrderingFilter().get_ordering(request, Timesheet.objects.all(), TimesheetViewSet())

    assert ordering("hours") == ["hours", "id"]
    assert ordering("-hours") == ["-hours", "-id"]
    assert ordering("-year") == ["-year", "-week", "-id"]
    assert ordering("-year,-week") == ["-year", "-week", "-id"]
    assert ordering("id") == ["id"]


def test_an_ordering_on_an_unindexed_field_is_ignored(app, app_token):
    _entries(3)
    default = app.get("/timesheets", token=app_token).json()["results"]
    asked = app.get("/timesheets", token=app_token, params={"ordering": "created_by"}).json()["results"]
    assert asked == default


def test_a_filter_no_entry_can_match_counts_none_on_any_page(app, app_token):
    # A year beyond PostgreSQL's smallint makes Django's lookup match nothing without a query.
    assert app.get("/timesheets?year=99999", token=app_token).json()["count"] == 0
    assert app.get("/timesheets?year=99999&page=2", token=app_token).status_code == 404
