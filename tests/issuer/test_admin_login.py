"""/admin/login/ under password guessing: locked per (username, address) after a few failures."""

from __future__ import annotations

import pytest

from ..factories import StaffUserFactory

PASSWORD = "a long passphrase for the admin"


@pytest.fixture
def staff(db, settings):
    settings.AXES_FAILURE_LIMIT = 3
    return StaffUserFactory(username="payroll", password=PASSWORD, is_superuser=True)


def log_in(client, password: str, address: str = "10.0.0.9"):
    return client.post("/admin/login/", {"username": "payroll", "password": password}, REMOTE_ADDR=address)


def test_the_right_password_logs_in(client, staff):
    assert log_in(client, PASSWORD).status_code == 302


def test_after_repeated_failures_even_the_right_password_is_refused(client, staff):
    for guess in range(3):
        log_in(client, f"guess {guess}")
    response = log_in(client, PASSWORD)
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_the_lockout_is_per_address(client, staff):
    for guess in range(3):
        log_in(client, f"guess {guess}", address="10.6.6.6")
    assert log_in(client, PASSWORD, address="10.0.0.9").status_code == 302
