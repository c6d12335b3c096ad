"""Factories for what the tests store: entries, API clients with grants, staff users and people.

Entries default to the scenario's sample (tests/samples.py); API clients are
registered through `issuer.services`, as `create_api_client` registers them.
"""

from __future__ import annotations

from typing import Any

import factory
from django.contrib.auth.models import Permission, User
from factory.django import DjangoModelFactory, Password

from issuer.services import NewClient, api_client_create
from people.models import Person, Role
from timesheets.models import Timesheet

from .samples import ALL_SCOPES, validated_entry

PASSPHRASE = "a long passphrase"
_SAMPLE = validated_entry()


class TimesheetFactory(DjangoModelFactory[Timesheet]):
    """A stored entry, by default the scenario's sample: Employee 007, 2016-W24, StoreZero, 40 h."""

    class Meta:
        model = Timesheet

    user_type = _SAMPLE["user_type"]
    user_id = _SAMPLE["user_id"]
    year = _SAMPLE["year"]
    week = _SAMPLE["week"]
    project = _SAMPLE["project"]
    hours = _SAMPLE["hours"]
    created_by = "seed"


class ApiClientFactory(factory.Factory[NewClient]):
    """A machine client granted `scopes` on the API; gives the client and its secret in clear.

    `client_id` names the client for a test that asserts who wrote (unset: a generated id).
    """

    class Meta:
        model = NewClient

    name = factory.Sequence(lambda n: f"test client {n}")
    scopes = factory.LazyFunction(ALL_SCOPES.split)
    client_id = None

    @classmethod
    def _create(cls, model_class: type, *, name: str, scopes: list[str], client_id: str | None) -> NewClient:
        created = api_client_create(name=name, scopes=list(scopes))
        if client_id is not None:
            created.client.client_id = client_id
            created.client.save(update_fields=["client_id"])
        return created


class UserFactory(DjangoModelFactory[User]):
    """A sign-in whose password is PASSPHRASE; `permissions` takes codenames."""

    class Meta:
        model = "auth.User"
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user-{n}")
    password = Password(PASSPHRASE)

    # A post-generation hook is given the user made, not the factory.
    @factory.post_generation
    def permissions(user: User, create: bool, codenames: list[str] | None, **kwargs: Any) -> None:
        if create and codenames:
            user.user_permissions.set(Permission.objects.filter(codename__in=codenames))


class StaffUserFactory(UserFactory):
    username = factory.Sequence(lambda n: f"staff-{n}")
    is_staff = True


class PersonFactory(DjangoModelFactory[Person]):
    """A person with their sign-in; an employee unless `manager=True`."""

    class Meta:
        model = Person

    account = factory.SubFactory(UserFactory)
    user_type = "Employee"
    user_id = factory.Sequence(lambda n: f"e-{n}")
    role = Role.EMPLOYEE

    class Params:
        manager = factory.Trait(role=Role.MANAGER)
