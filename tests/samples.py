"""The scenario's sample entry, defined once: as a client sends it and as the services take it.

tests/factories.py builds stored entries from the same values.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from timesheets.serializers import EXAMPLE_ENTRY

ALL_SCOPES = "read:timesheets create:timesheets delete:timesheets approve:timesheets"
# The scenario's own example entry, as the API docs show it, without a key: most tests post
# it more than once and mean a new entry each time.
SAMPLE_ENTRY = {name: value for name, value in EXAMPLE_ENTRY.items() if name != "external_id"}


def validated_entry(**overrides: Any) -> dict[str, Any]:
    """The scenario's entry as the serializer hands it to the services: hours a Decimal, keyed."""
    return {**SAMPLE_ENTRY, "hours": Decimal("40.00"), "external_id": "k-1", **overrides}
