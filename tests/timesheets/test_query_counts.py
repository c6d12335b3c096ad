"""No per-item queries, and no per-page count: the list's paths cost a fixed number of queries."""

from __future__ import annotations

from timesheets.models import Timesheet

from ..factories import TimesheetFactory


def _entries(count: int, **fields) -> None:
    Timesheet.objects.bulk_create(
        TimesheetFactory.build(
            **{"user_id": f"e-{n}", "year": 2024, "week": 1, "project": "P"} | fields, hours=1, created_by="x"
        )
        for n in range(count)
    )


def _get(client, token, path: str):
    return client.get(path, HTTP_AUTHORIZATION=f"Bearer {token}", HTTP_HOST="localhost")


def test_a_list_that_fits_one_page_costs_one_query(client, token, db, django_assert_num_queries):
    _entries(50)
    with django_assert_num_queries(1):  # the page; its length is the count
        response = _get(client, token, "/timesheets")
    assert response.json()["count"] == 50


def test_a_longer_list_is_counted_once_until_an_entry_is_written(
    client, token, db, django_assert_num_queries
):
    _entries(150)
    with django_assert_num_queries(4):  # the page, the two newest ids, the count
        assert _get(client, token, "/timesheets?page=2").json()["count"] == 150
    with django_assert_num_queries(3):  # the page and the two newest ids: no count
        assert _get(client, token, "/timesheets?page=2").json()["count"] == 150
    _entries(1)
    with django_assert_num_queries(4):
        assert _get(client, token, "/timesheets?page=2").json()["count"] == 151


def test_a_deep_page_reads_its_ids_then_its_rows(client, token, db, django_assert_num_queries):
    _entries(1_150)
    with django_assert_num_queries(5) as queries:  # the ids, the rows, the two newest ids, the count
        results = _get(client, token, "/timesheets?page=11").json()["results"]
    ids_first = [query["sql"] for query in queries.captured_queries if "OFFSET 1000" in query["sql"]]
    assert ids_first and ids_first[0].startswith('SELECT "timesheets_timesheet"."id" AS "pk" FROM')
    assert [row["id"] for row in results] == list(Timesheet.objects.values_list("id", flat=True)[1_000:1_100])


def test_a_cursor_page_costs_one_query_at_any_depth(client, token, db, django_assert_num_queries):
    _entries(250)
    with django_assert_num_queries(1):
        first = _get(client, token, "/timesheets?cursor=").json()
    second_url = first["next"].replace("http://localhost", "")
    with django_assert_num_queries(1):
        second = _get(client, token, second_url).json()
    assert first["results"][-1]["id"] < second["results"][0]["id"]


def test_a_batch_costs_the_same_queries_whatever_its_size(
    client, token, entry, db, django_assert_max_num_queries
):
    def post(size: int, prefix: str) -> None:
        batch = [entry(user_id=f"{prefix}-{n}", external_id=f"{prefix}-{n}") for n in range(size)]
        response = client.post(
            "/timesheets/batch",
            batch,
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {token}",
            HTTP_HOST="localhost",
        )
        assert response.status_code == 200

    with django_assert_max_num_queries(6) as small:
        post(2, "small")
    with django_assert_max_num_queries(6) as large:
        post(500, "large")
    assert len(large.captured_queries) == len(small.captured_queries)
