"""create_person: a sign-in with a timesheet identity and a role, its password from a file."""

from __future__ import annotations

import io
import json

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from people.models import Person


def create(*args: str) -> str:
    out = io.StringIO()
    call_command("create_person", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


@pytest.fixture
def password_file(tmp_path):
    path = tmp_path / "password"
    path.write_text("a long passphrase nobody guesses\n")
    return path


def test_it_makes_a_person_and_prints_json(db, password_file):
    made = json.loads(
        create(
            "ann",
            "--user-type",
            "Employee",
            "--user-id",
            "007",
            "--name",
            "Ann Smith",
            "--email",
            "ann@abc.example",
            "--password-file",
            str(password_file),
            "--json",
        )
    )
    person = Person.objects.get(subject=made["subject"])
    assert made == {
        "username": "ann",
        "subject": person.subject,
        "user_type": "Employee",
        "user_id": "007",
        "role": "employee",
    }
    assert person.name == "Ann Smith"
    assert person.account.check_password("a long passphrase nobody guesses")
    assert not person.account.is_staff


def test_manager_makes_a_manager(db):
    made = json.loads(create("mia", "--user-type", "Employee", "--user-id", "008", "--manager", "--json"))
    assert made["role"] == "manager"
    assert not get_user_model().objects.get(username="mia").has_usable_password()


@pytest.mark.parametrize(
    "args, message",
    [
        (["--user-id", "007"], "taken"),  # the same username again
        (["--user-id", "007", "--password-file", "/no/such/file"], "Cannot read"),
    ],
)
def test_errors_are_clear_and_exit_non_zero(db, args, message):
    create("ann", "--user-type", "Employee", "--user-id", "001")
    with pytest.raises(CommandError, match=message) as error:
        create("ann" if message == "taken" else "bob", "--user-type", "Employee", *args)
    assert error.value.returncode == 2


def test_one_identity_is_one_person(db):
    create("ann", "--user-type", "Employee", "--user-id", "007")
    with pytest.raises(CommandError, match="already"):
        create("bob", "--user-type", "Employee", "--user-id", "007")


def test_a_weak_password_is_refused(db, tmp_path):
    weak = tmp_path / "weak"
    weak.write_text("123")
    with pytest.raises(CommandError, match="too short"):
        create("ann", "--user-type", "Employee", "--user-id", "007", "--password-file", str(weak))
    assert not get_user_model().objects.exists()
