"""Property: any JSON object either makes an entry that reads back as sent, or a 400 with field errors."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from timesheets.models import Timesheet

json_scalars = (
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text()
)
json_values = st.recursive(
    json_scalars,
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=5), children, max_size=3)
    ),
    max_leaves=6,
)
FIELDS = {
    "user_type": st.sampled_from(["Employee", "Contractor"]) | json_values,
    "user_id": st.text(max_size=70) | json_values,
    "year": st.integers(1990, 2035) | json_values,
    "week": st.integers(0, 54) | json_values,
    "project": st.text(max_size=110) | json_values,
    "hours": st.decimals(-1, 200, places=2).map(float) | st.decimals(0, 200, places=3).map(str) | json_values,
    "external_id": st.text(max_size=210) | st.none(),
}
PLAUSIBLE = {
    "user_type": st.sampled_from(["Employee", "Contractor"]),
    "user_id": st.text(min_size=1, max_size=64),
    "year": st.integers(2015, 2030),
    "week": st.integers(1, 53),
    "project": st.text(min_size=1, max_size=100),
    "hours": st.decimals(Decimal("0.01"), 168, places=2).map(str),
}
entries = (
    st.fixed_dictionaries(PLAUSIBLE, optional={"external_id": FIELDS["external_id"]})
    | st.fixed_dictionaries({}, optional=FIELDS)
    | st.dictionaries(st.text(max_size=12), json_values, max_size=4)
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=entries)
def test_any_json_object_is_an_entry_or_a_400_never_a_500(app, app_token, tally, body):
    # Examples share the live database: without this, two examples whose external_id is the
    # same once trimmed would make the second one an update of the first (200).
    Timesheet.objects.all().delete()
    response = app.post("/timesheets", token=app_token, json=body)
    answered = response.status_code in (201, 400)
    assert tally("property: random entries answered 201 or 400", answered), response.text
    if response.status_code == 400:
        errors = response.json()
        explained = bool(errors) and all(isinstance(messages, list) for messages in errors.values())
        assert tally("property: refused entries answered with field errors", explained), errors
        return
    stored = app.get(f"/timesheets/{response.json()['id']}", token=app_token).json()
    expected = {
        "user_type": body["user_type"],
        "user_id": body["user_id"].strip(),
        "year": int(body["year"]),
        "week": int(body["week"]),
        "project": body["project"].strip(),
        "hours": Decimal(str(body["hours"])),
        "external_id": (body.get("external_id") or "").strip() or None,
    }
    read_back = {**{name: stored[name] for name in expected}, "hours": Decimal(str(stored["hours"]))}
    assert tally("property: random entries created and read back", read_back == expected), read_back
