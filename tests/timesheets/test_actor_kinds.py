"""A token's client id can never be read as a staff user or a person: the colon marks those."""

from __future__ import annotations

import pytest

from timesheets.authentication import InvalidToken, principal_from_claims


@pytest.mark.parametrize(
    "claims",
    [
        {"sub": "user:rtadmin"},
        {"sub": "x@clients", "azp": "user:rtadmin"},
        {"sub": "x", "client_id": "person:app:subject"},
    ],
)
def test_a_client_id_with_a_colon_is_refused(claims):
    with pytest.raises(InvalidToken, match="holds ':'"):
        principal_from_claims(claims)


def test_ordinary_client_ids_pass():
    assert principal_from_claims({"sub": "abc@clients", "azp": "abc"}).identity == "abc"
