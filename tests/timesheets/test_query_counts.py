"""No per-item queries: a page of entries and a batch cost a fixed number of queries."""

from __future__ import annotations

from timesheets.models import Timesheet


def test_a_page_of_entries_costs_two_queries(client, token, transactional_db, django_assert_num_queries):
    Timesheet.objects.bulk_create(
        Timesheet(
            user_type="Employee", user_id=f"e-{n}", year=2024, week=1, project="P", hours=1, created_by="x"
        )
        for n in range(50)
    )
    with django_assert_num_queries(2):  # the count, and the page
        response = client.get("/timesheets", HTTP_AUTHORIZATION=f"Bearer {token}", HTTP_HOST="localhost")
    assert response.json()["count"] == 50


def test_a_batch_costs_the_same_queries_whatever_its_size(
    client, token, entry, transactional_db, django_assert_max_num_queries
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
