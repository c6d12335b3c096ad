"""The /timesheets endpoints as the scenario's clients and a reviewer use them."""

from __future__ import annotations

from timesheets.models import Timesheet


def test_create_answers_as_the_tutorial_client_expects(app, app_token, entry):
    response = app.post("/timesheets", token=app_token, json=entry())
    assert response.status_code == 201
    body = response.json()
    assert body["message"] == "Timesheet created for Employee: 007"
    assert body["user_id"] == "007"
    assert response.headers["Location"] == f"{app.base_url}/timesheets/{body['id']}"


def test_create_records_the_calling_client(app, entry):
    body = app.post("/timesheets", token=app.token(client_id="cron-job"), json=entry()).json()
    assert body["created_by"] == "cron-job"


def test_every_route_works_with_and_without_the_trailing_slash(app, app_token, timesheet):
    for path in ("/timesheets", f"/timesheets/{timesheet.pk}", "/healthz"):
        assert app.get(path, token=app_token).status_code == 200, path
        assert app.get(path + "/", token=app_token).status_code == 200, path + "/"
    assert app.post(f"/timesheets/{timesheet.pk}/approve/", token=app_token).status_code == 200


def test_the_list_is_paginated_and_filtered(app, app_token, timesheet, entry):
    app.post("/timesheets", token=app_token, json=entry(user_id="a", project="Zeta"))
    app.post("/timesheets", token=app_token, json=entry(user_id="b", project="Zeta", year=2020, week=53))

    page = app.get("/timesheets", token=app_token, params={"project": "Zeta", "year": 2020}).json()

    assert set(page) == {"count", "next", "previous", "results"}
    assert page["count"] == 1
    assert page["results"][0]["user_id"] == "b"


def test_a_filter_value_of_the_wrong_type_is_a_400(app, app_token):
    assert app.get("/timesheets", token=app_token, params={"year": "soon"}).status_code == 400


def test_approve_records_who_and_when_and_is_idempotent(app, timesheet):
    first = app.post(f"/timesheets/{timesheet.pk}/approve", token=app.token(client_id="manager-app")).json()
    again = app.post(f"/timesheets/{timesheet.pk}/approve", token=app.token(client_id="other-app")).json()
    assert first["approved"] is True
    assert first["approved_by"] == "manager-app"
    assert again["approved_at"] == first["approved_at"]
    assert again["approved_by"] == "manager-app"


def test_an_approved_entry_cannot_be_deleted(app, app_token, timesheet):
    app.post(f"/timesheets/{timesheet.pk}/approve", token=app_token)
    response = app.delete(f"/timesheets/{timesheet.pk}", token=app_token)
    assert response.status_code == 409
    assert Timesheet.objects.filter(pk=timesheet.pk).exists()


def test_delete_removes_an_unapproved_entry(app, app_token, timesheet):
    assert app.delete(f"/timesheets/{timesheet.pk}", token=app_token).status_code == 204
    assert not Timesheet.objects.filter(pk=timesheet.pk).exists()


def test_an_unknown_entry_is_a_404(app, app_token):
    assert app.get("/timesheets/999999", token=app_token).status_code == 404
    assert app.post("/timesheets/999999/approve", token=app_token).status_code == 404


def test_health_is_public(app):
    response = app.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_health_answers_a_load_balancer_probing_by_ip_address(client, db):
    response = client.get("/healthz", HTTP_HOST="10.0.0.5:8000")
    assert response.status_code == 200


def test_a_blank_external_id_is_no_key(app, app_token, entry):
    response = app.post("/timesheets", token=app_token, json=entry(external_id=""))
    assert response.status_code == 201
    assert response.json()["external_id"] is None
