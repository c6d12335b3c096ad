"""The factories build what their names say: the scenario's entry, a working client, staff, people."""

from __future__ import annotations

from decimal import Decimal

from common import scopes
from people.models import Role

from .factories import PASSPHRASE, ApiClientFactory, PersonFactory, StaffUserFactory, TimesheetFactory
from .samples import SAMPLE_ENTRY


def test_an_entry_is_the_scenarios_sample(db):
    timesheet = TimesheetFactory.create()
    timesheet.refresh_from_db()
    stored = {name: getattr(timesheet, name) for name in SAMPLE_ENTRY}
    assert stored == {**SAMPLE_ENTRY, "hours": Decimal("40.00")}


def test_a_client_is_granted_its_scopes_and_named_as_asked(db):
    created = ApiClientFactory.create(client_id="cron-job", scopes=["create:timesheets"])
    assert created.client.client_id == "cron-job"
    assert created.client.grants.get().scopes == ["create:timesheets"]
    assert created.client_secret and created.client.client_secret != created.client_secret  # hashed


def test_a_staff_user_signs_in_with_the_passphrase_and_holds_the_permissions_named(db):
    user = StaffUserFactory.create(permissions=["view_timesheet"])
    assert user.is_staff and user.check_password(PASSPHRASE)
    assert user.has_perm("timesheets.view_timesheet") and not user.has_perm("timesheets.delete_timesheet")


def test_a_person_is_an_employee_unless_made_a_manager(db):
    employee, manager = PersonFactory.create(), PersonFactory.create(manager=True)
    assert (employee.role, manager.role) == (Role.EMPLOYEE, Role.MANAGER)
    assert scopes.APPROVE in manager.allowed_scopes and scopes.APPROVE not in employee.allowed_scopes
    assert employee.account.check_password(PASSPHRASE) and employee.account != manager.account
