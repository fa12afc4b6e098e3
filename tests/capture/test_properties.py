"""Property-based: arbitrary input never breaks the duration parser or the log form, and a rejected
post never writes a row."""

from __future__ import annotations

import itertools
from datetime import date

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from indirect_work.capture.duration import format_duration, parse_duration
from tests.capture.helpers import count_activities, recipient_id, type_id

_tokens = itertools.count()


@given(st.text(max_size=40))
@settings(max_examples=400, deadline=None)
def test_parse_duration_returns_minutes_or_a_readable_error(text):
    try:
        minutes = parse_duration(text)
    except ValueError as exc:
        assert str(exc) and "Traceback" not in str(exc)
    else:
        assert isinstance(minutes, int) and minutes >= 0


@given(st.integers(min_value=1, max_value=1440))
def test_formatted_durations_parse_back(minutes):
    assert parse_duration(format_duration(minutes)) == minutes


def field(valid: list[str]) -> st.SearchStrategy[str]:
    """Mostly plausible values, often garbage (any unicode, huge numbers, control characters)."""
    return st.one_of(
        st.sampled_from(valid),
        st.text(max_size=30),
        st.integers(min_value=-(10**12), max_value=10**12).map(str),
        st.just(""),
    )


@given(data=st.data())
@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_log_form_never_fails_and_rejected_input_writes_nothing(client, make, login, data):
    if not getattr(client, "_iw_signed_in", False):
        team = make.team()
        user = make.clinician(team)
        login(user)
        client._iw_signed_in = (user, team)  # type: ignore[attr-defined]
    user, team = client._iw_signed_in  # type: ignore[attr-defined]
    form = {
        "activity_type_id": data.draw(field([str(type_id("CONSULT_TEAM")), str(type_id("CONSULT_PATIENT"))])),
        "activity_on": data.draw(field([date.today().isoformat(), "01/01/2025", "2999-01-01"])),
        "duration": data.draw(field(["45", "1:30", "1.5h", "0", "2000"])),
        "team_id": data.draw(field([str(team.id)])),
        "consultation_mechanism_code": data.draw(field(["01", "11", "99"])),
        "recipient_type_ids": data.draw(st.lists(field([str(recipient_id("WARD_STAFF"))]), max_size=3)),
        "people_reached": data.draw(field(["1", "12", "-3"])),
        "start_time": data.draw(field(["14:30", "25:00"])),
        "service_request_id": data.draw(field(["SR-1", "9434765919"])),
        "note": data.draw(st.one_of(st.text(max_size=600), st.just("NHS 943 476 5919"))),
        "submission_token": f"prop-{next(_tokens)}",
    }
    before = count_activities(clinician_id=user.id)
    response = client.post_form("/log", form)
    assert response.status_code in (302, 422), response.status_code
    after = count_activities(clinician_id=user.id)
    assert after == before + (1 if response.status_code == 302 else 0)


@given(data=st.data())
@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_import_preview_answers_any_file_with_rows_or_a_readable_message(make, data):
    from indirect_work.capture.importer import COLUMN_NAMES, ImportFileError, preview_file

    user = make.clinician()
    name = data.draw(st.sampled_from(["a.csv", "a.xlsx", "a.txt", "a.xls", "a", "a.CSV"]))
    header = ",".join(data.draw(st.permutations(COLUMN_NAMES)))
    cells = st.one_of(
        st.text(max_size=12),
        st.sampled_from(
            ["45", "1:30", "2026-01-05", "01", "CONSULT_TEAM", "MH_TEAM_STAFF", "=A1", "9434765919"]
        ),
    )
    rows = data.draw(st.lists(st.lists(cells, min_size=0, max_size=12), max_size=5))
    body = "\n".join(
        ",".join(c.replace(",", " ").replace("\n", " ").replace("\r", " ").replace('"', "'") for c in row)
        for row in rows
    )
    content = data.draw(
        st.one_of(st.just((header + "\n" + body).encode("utf-8", "surrogatepass")), st.binary(max_size=200))
    )
    try:
        preview = preview_file(user, name, content)
    except ImportFileError as exc:
        assert str(exc)
    else:
        assert all(row.is_valid == (row.data is not None) for row in preview.rows)
        assert count_activities(clinician_id=user.id) == 0
