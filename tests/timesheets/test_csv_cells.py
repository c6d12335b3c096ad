"""CSV cells a spreadsheet would run as a formula are neutralised, full-width forms included."""

from __future__ import annotations

import pytest

from tests.factories import TimesheetFactory
from timesheets import export
from timesheets.models import Timesheet


@pytest.mark.parametrize(
    "cell",
    ["\uff1d1+1", "\uff20SUM(A1)", "\uff0b1", "\uff0d1", "\ufe661+1", "\tcmd", "\rcmd", "=1+1", "@SUM(A1)"],
)
def test_a_cell_that_starts_a_formula_gets_a_leading_apostrophe(cell):
    assert export.neutralise(cell) == "'" + cell


@pytest.mark.parametrize("cell", ["Atlas", "1+1", "a=b", "\uff21\uff22\uff23"])
def test_other_cells_are_left_as_they_are(cell):
    assert export.neutralise(cell) == cell


def test_the_export_writes_full_width_formulas_neutralised(db):
    TimesheetFactory.create(user_id="\uff20SUM(A1)", project="\uff1d1+1")
    lines = "".join(export.csv_lines(Timesheet.objects.all())).splitlines()
    assert "'\uff1d1+1" in lines[1] and "'\uff20SUM(A1)" in lines[1]
