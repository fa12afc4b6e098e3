"""The capture pages through HTTP with CSRF on: log, errors kept, double posts, edits, scoping."""

from __future__ import annotations

import re
from datetime import date, timedelta

from sqlalchemy import select

from indirect_work.capture.models import Activity, Favourite
from indirect_work.capture.services import create_activity
from indirect_work.extensions import db
from tests.capture.helpers import count_activities, data_for, form_for, recipient_id, type_id


def token_of(html):
    return re.search(r'name="submission_token" type="hidden" value="([^"]+)"', html).group(1)


def test_log_page_opens_with_defaults(signed_in, team, clinician):
    create_activity(actor=clinician, data=data_for(team, consultation_mechanism_code="11"))
    db.session.commit()
    html = signed_in.get("/log").text
    assert f'value="{date.today().isoformat()}"' in html
    assert re.search(rf'<option selected value="{team.id}">|<option value="{team.id}" selected', html)
    assert re.search(r'<option selected value="11">|<option value="11" selected', html)
    assert 'data-patient-specific="true"' in html and "Your most used" in html
    assert 'id="note-count"' in html and 'for="duration"' in html and 'id="duration-hint"' in html


def test_log_saves_and_shows_it_at_the_top_of_this_week(signed_in, team, clinician):
    response = signed_in.post_form("/log", form_for(team, duration="1.5h", note="Helped ward team"))
    assert response.status_code == 302 and response.headers["Location"].endswith("/log")
    page = signed_in.get("/log").text
    assert "Saved: Consultation to a team or service, 1h 30m" in page
    [row] = re.findall(r'data-testid="activity-row" data-activity-id="(\d+)"', page)
    activity = db.session.get(Activity, int(row))
    assert (
        activity.duration_minutes == 90 and activity.clinician_id == clinician.id and activity.source == "web"
    )


def test_double_submission_creates_one_record(signed_in, team, clinician):
    token = token_of(signed_in.get("/log").text)
    data = form_for(team, submission_token=token)
    assert signed_in.post_form("/log", data).status_code == 302
    assert signed_in.post_form("/log", data).status_code == 302
    assert count_activities(clinician_id=clinician.id) == 1


def test_post_without_csrf_is_refused_and_writes_nothing(signed_in, team, clinician):
    response = signed_in.post_form("/log", form_for(team), csrf=False)
    assert response.status_code in (400, 422)
    assert count_activities(clinician_id=clinician.id) == 0


def test_errors_are_shown_next_to_fields_and_typed_values_kept(signed_in, team, clinician):
    future = (date.today() + timedelta(days=2)).isoformat()
    response = signed_in.post_form(
        "/log", form_for(team, duration="ninety", activity_on=future, note="NHS 943 476 5919 seen")
    )
    assert response.status_code == 422
    html = response.text
    assert 'data-testid="error-summary"' in html
    assert '<a href="#duration">' in html and '<a href="#activity_on">' in html and '<a href="#note">' in html
    assert 'id="duration-error"' in html and 'value="ninety"' in html and f'value="{future}"' in html
    assert "943 476 5919 seen</textarea>" in html
    assert "must not identify patients" in html
    assert count_activities(clinician_id=clinician.id) == 0


def test_patient_specific_fields_are_asked_for(signed_in, team, clinician):
    response = signed_in.post_form("/log", form_for(team, activity_type_id=str(type_id("CONSULT_PATIENT"))))
    assert response.status_code == 422
    assert 'id="start_time-error"' in response.text and 'id="service_request_id-error"' in response.text
    assert 'id="patient-fields" class="iw-patient-fields"' in response.text  # shown, not hidden
    ok = form_for(
        team, activity_type_id=str(type_id("CONSULT_PATIENT")), start_time="14:30", service_request_id="SR-77"
    )
    assert signed_in.post_form("/log", ok).status_code == 302
    assert count_activities(clinician_id=clinician.id, service_request_id="SR-77") == 1


def test_clinician_cannot_read_edit_or_delete_another_clinicians_record(make, client, login, team):
    owner = make.clinician(team)
    theirs = create_activity(
        actor=owner, data=data_for(team, people_reached=37, note="Helped Ward 7 with a care plan")
    )
    db.session.commit()
    login(make.clinician(team))
    url = f"/activities/{theirs.id}"
    assert client.get(url + "/edit").status_code == 404
    assert client.post_form(url + "/edit", form_for(team, duration="5", version="1")).status_code == 404
    assert client.get(url + "/delete").status_code == 404
    assert client.post_form(url + "/delete", {"version": "1"}).status_code == 404
    assert client.post_form(url + "/favourite").status_code == 404
    for prefill in ("duplicate", "repeat"):  # an empty log form, nothing of their record
        form = client.get(f"/log?{prefill}={theirs.id}")
        assert form.status_code == 200 and 'data-testid="log-form"' in form.text
        assert "Helped Ward 7" not in form.text and 'value="37"' not in form.text
    db.session.refresh(theirs)
    assert theirs.duration_minutes == 60 and theirs.deleted_at is None and theirs.version == 1
    assert db.session.scalar(select(Favourite)) is None


def test_commissioner_cannot_use_capture(make, client, login):
    login(make.commissioner())
    assert client.get("/log").status_code == 403
    assert client.get("/activities").status_code == 403


def test_edit_saves_and_stale_edit_is_refused_showing_their_version(signed_in, team, clinician):
    activity = create_activity(actor=clinician, data=data_for(team))
    db.session.commit()
    url = f"/activities/{activity.id}/edit"
    page = signed_in.get(url).text
    assert 'name="version" type="hidden" value="1"' in page and 'value="1h"' in page
    assert signed_in.post_form(url, form_for(team, duration="45", version="1")).status_code == 302
    db.session.refresh(activity)
    assert activity.duration_minutes == 45 and activity.version == 2
    stale = signed_in.post_form(url, form_for(team, duration="20", version="1", note="my change"))
    assert stale.status_code == 409
    assert "Someone changed this record" in stale.text and 'data-testid="current-version"' in stale.text
    assert "45m" in stale.text and "my change</textarea>" in stale.text
    assert 'name="version" type="hidden" value="2"' in stale.text
    db.session.refresh(activity)
    assert activity.duration_minutes == 45


def test_delete_asks_then_soft_deletes(signed_in, team, clinician):
    activity = create_activity(actor=clinician, data=data_for(team))
    db.session.commit()
    assert "Delete this record?" in signed_in.get(f"/activities/{activity.id}/delete").text
    response = signed_in.post_form(f"/activities/{activity.id}/delete", {"version": "1"})
    assert response.status_code == 302
    db.session.refresh(activity)
    assert activity.deleted_at is not None
    assert signed_in.get(f"/activities/{activity.id}/edit").status_code == 404


def test_favourite_prefills_everything_but_duration(signed_in, team, clinician):
    activity = create_activity(
        actor=clinician,
        data=data_for(
            team,
            activity_type_id=type_id("TRAIN_STAFF"),
            people_reached=12,
            consultation_mechanism_code="11",
            recipient_type_ids=[recipient_id("WARD_STAFF")],
        ),
    )
    db.session.commit()
    assert signed_in.post_form(f"/activities/{activity.id}/favourite").status_code == 302
    page = signed_in.get("/log").text
    favourite = db.session.scalar(select(Favourite).where(Favourite.user_id == clinician.id))
    assert f"/log?favourite={favourite.id}" in page
    form = signed_in.get(f"/log?favourite={favourite.id}").text
    assert re.search(
        rf'<option value="{type_id("TRAIN_STAFF")}" data-patient-specific="false" selected>', form
    )
    ward = recipient_id("WARD_STAFF")
    assert 'value="12"' in form and re.search(rf'checked[^>]*value="{ward}"|value="{ward}"[^>]*checked', form)
    duration = re.search(r'<input[^>]*id="duration"[^>]*>', form).group(0)
    assert "autofocus" in duration and 'value="' not in duration.replace('value=""', "")


def test_duplicate_prefills_the_whole_record_dated_today(signed_in, team, clinician):
    activity = create_activity(
        actor=clinician,
        data=data_for(
            team, activity_on=date.today() - timedelta(days=3), duration_minutes=75, note="Weekly slot"
        ),
    )
    db.session.commit()
    form = signed_in.get(f"/log?duplicate={activity.id}").text
    assert 'value="1h 15m"' in form and "Weekly slot</textarea>" in form
    assert f'value="{date.today().isoformat()}"' in form


def test_list_filters_totals_and_pagination(signed_in, team, clinician, make):
    for i in range(30):
        create_activity(
            actor=clinician,
            data=data_for(
                team, duration_minutes=30, people_reached=2, activity_on=date.today() - timedelta(days=i % 5)
            ),
        )
    create_activity(
        actor=clinician,
        data=data_for(team, activity_type_id=type_id("TRAIN_STAFF"), duration_minutes=120, people_reached=20),
    )
    make.activity(make.clinician(team), duration_minutes=999)
    db.session.commit()
    page = signed_in.get("/activities?period=all").text
    assert 'data-testid="total-count">31<' in page and 'data-testid="total-hours">17.0<' in page
    assert 'data-testid="total-people">80<' in page
    assert (
        page.count('data-testid="activity-row"') == 25 and "Page 1 of 2" not in page and "Page 2 of 2" in page
    )
    second = signed_in.get("/activities?period=all&page=2").text
    assert second.count('data-testid="activity-row"') == 6
    training = signed_in.get(f"/activities?period=all&type={type_id('TRAIN_STAFF')}").text
    assert 'data-testid="total-count">1<' in training and 'data-testid="total-hours">2.0<' in training
    bad = signed_in.get("/activities?period=custom&from=31/02/2026&page=abc")
    assert bad.status_code == 200 and "Enter a real date" in bad.text


def test_week_view_adds_adjusts_and_deletes_in_one_save(signed_in, team, clinician):
    monday = date.today() - timedelta(days=date.today().weekday())
    existing = create_activity(actor=clinician, data=data_for(team, activity_on=monday, duration_minutes=60))
    db.session.commit()
    page = signed_in.get(f"/activities/week?start={monday.isoformat()}").text
    assert 'name="cell-0-0" value="1h"' in page
    data = {"start": monday.isoformat(), "cell-0-0": "90", "cell-0-0-version": "1"}
    if date.today() > monday:
        data["cell-0-1"] = "0:45"
    assert signed_in.post_form("/activities/week", data).status_code == 302
    db.session.refresh(existing)
    assert existing.duration_minutes == 90 and existing.version == 2
    expected = 2 if date.today() > monday else 1
    assert count_activities(clinician_id=clinician.id, deleted_at=None) == expected
    cleared = signed_in.post_form(
        "/activities/week", {"start": monday.isoformat(), "cell-0-0": "", "cell-0-0-version": "2"}
    )
    assert cleared.status_code == 302
    db.session.refresh(existing)
    assert existing.deleted_at is not None


def test_week_view_refuses_all_changes_when_one_cell_is_wrong(signed_in, team, clinician):
    monday = date.today() - timedelta(days=date.today().weekday()) - timedelta(days=7)
    existing = create_activity(actor=clinician, data=data_for(team, activity_on=monday))
    db.session.commit()
    response = signed_in.post_form(
        "/activities/week",
        {"start": monday.isoformat(), "cell-0-0": "2h", "cell-0-0-version": "1", "cell-0-1": "99h"},
    )
    assert response.status_code == 422
    assert "between 1 minute and 24 hours" in response.text and 'value="99h"' in response.text
    db.session.refresh(existing)
    assert existing.duration_minutes == 60
    assert count_activities(clinician_id=clinician.id) == 1


def test_team_lead_can_log_for_their_own_team(make, client, login):
    team = make.team()
    lead = make.lead(team)
    login(lead)
    assert client.post_form("/log", form_for(team, duration="1h15")).status_code == 302
    logged = db.session.scalar(select(Activity).where(Activity.clinician_id == lead.id))
    assert logged is not None and (logged.team_id, logged.duration_minutes) == (team.id, 75)
    assert count_activities(clinician_id=lead.id) == 1


def test_recent_activities_are_one_click_repeats(signed_in, team, clinician):
    first = create_activity(
        actor=clinician, data=data_for(team, activity_type_id=type_id("TRAIN_STAFF"), people_reached=9)
    )
    create_activity(
        actor=clinician, data=data_for(team, activity_type_id=type_id("TRAIN_STAFF"), people_reached=4)
    )
    create_activity(actor=clinician, data=data_for(team))
    db.session.commit()
    page = signed_in.get("/log").text
    repeats = re.findall(r'href="/log\?repeat=(\d+)" data-testid="recent"', page)
    assert len(repeats) == 2  # one button per type, newest first
    form = signed_in.get(f"/log?repeat={repeats[1]}").text
    assert 'value="4"' in form and first.id != int(repeats[1])
    duration = re.search(r'<input[^>]*id="duration"[^>]*>', form).group(0)
    assert "autofocus" in duration and 'value="1h"' not in duration


def test_a_record_in_a_locked_month_says_so_and_refuses_changes(signed_in, team, clinician):
    from indirect_work.capture.models import MonthLock
    from indirect_work.core.dates import month_start

    day = month_start(date.today()) - timedelta(days=2)
    activity = create_activity(actor=clinician, data=data_for(team, activity_on=day))
    db.session.add(MonthLock(team_id=team.id, month=month_start(day), is_locked=True))
    db.session.commit()
    page = signed_in.get(f"/activities/{activity.id}/edit").text
    # Read-only with the reason once: no form whose Save could only fail, no second error.
    assert 'data-testid="locked"' in page and page.count("is locked for North CMHT") == 1
    assert 'data-testid="read-only-record"' in page and "Consultation" in page and "1h" in page
    assert 'data-testid="edit-form"' not in page and 'data-testid="save"' not in page
    edit = signed_in.post_form(
        f"/activities/{activity.id}/edit",
        form_for(team, activity_on=day.isoformat(), duration="5", version="1"),
    )
    assert edit.status_code == 422 and edit.text.count("can no longer be changed") == 1
    assert 'data-testid="edit-form"' not in edit.text
    delete = signed_in.post_form(f"/activities/{activity.id}/delete", {"version": "1"})
    assert delete.status_code == 422 and "can no longer be changed or deleted" in delete.text
    db.session.refresh(activity)
    assert activity.duration_minutes == 60 and activity.deleted_at is None


def test_week_view_does_not_bring_back_a_record_deleted_meanwhile(signed_in, team, clinician):
    from indirect_work.capture.services import add_favourite, delete_activity

    monday = date.today() - timedelta(days=date.today().weekday()) - timedelta(days=7)
    activity = create_activity(actor=clinician, data=data_for(team, activity_on=monday))
    add_favourite(actor=clinician, activity=activity)  # the line stays in the grid
    delete_activity(actor=clinician, activity=activity)
    db.session.commit()
    response = signed_in.post_form(
        "/activities/week", {"start": monday.isoformat(), "cell-0-0": "1h", "cell-0-0-version": "1"}
    )
    assert response.status_code == 409 and "deleted after you opened it" in response.text
    assert count_activities(clinician_id=clinician.id, deleted_at=None) == 0
