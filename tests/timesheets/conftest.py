"""People and an app, for the tests of what a person's token may do (helpers in tests/persons.py)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from rest_framework.test import APIClient

from issuer.models import ApiClient
from people.models import Person
from tests.persons import client_for, make_app, make_person, person_token


@pytest.fixture
def web_app(db) -> ApiClient:
    return make_app("Timesheets web")


@pytest.fixture
def ann(db) -> Person:
    """An employee."""
    return make_person("ann", "007")


@pytest.fixture
def bob(db) -> Person:
    """Another employee."""
    return make_person("bob", "008")


@pytest.fixture
def meg(db) -> Person:
    """A manager."""
    return make_person("meg", "100", manager=True)


@pytest.fixture
def as_person(web_app) -> Callable[..., APIClient]:
    """An in-process API client holding the web app's token for a person."""

    def make(person: Person, **claims: Any) -> APIClient:
        return client_for(person_token(person, web_app, **claims))

    return make
