"""The kinds of people an entry belongs to: one list for the API's entries and its people."""

from __future__ import annotations

EMPLOYEE = "Employee"
CONTRACTOR = "Contractor"
USER_TYPES = (EMPLOYEE, CONTRACTOR)
