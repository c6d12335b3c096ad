"""The scenario's sample entry, defined once: as a client sends it and as the services take it.

tests/factories.py builds stored entries from the same values.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

ALL_SCOPES = "read:timesheets create:timesheets delete:timesheets approve:timesheets"
# The scenario's own example entry.
SAMPLE_ENTRY = {
    "user_type": "Employee",
    "user_id": "007",
    "year": 2016,
    "week": 24,
    "project": "StoreZero",
    "hours": 40,
}


def validated_entry(**overrides: Any) -> dict[str, Any]:
    """The scenario's entry as the serializer hands it to the services: hours a Decimal, keyed."""
    return {**SAMPLE_ENTRY, "hours": Decimal("40.00"), "external_id": "k-1", **overrides}
