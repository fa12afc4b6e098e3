"""What changed: recorded on the log form and on the record's feedback page (also in a locked month)."""

from __future__ import annotations

from sqlalchemy import select

from indirect_work.audit.models import AuditEvent
from indirect_work.capture.models import Activity, MonthLock
from indirect_work.capture.outcomes import outcomes_of
from indirect_work.core.dates import month_start
from indirect_work.taxonomy.models import OutcomeOption


def _option(db, code):
    return db.session.scalar(select(OutcomeOption).where(OutcomeOption.code == code))


def test_defaults_are_loaded(db):
    codes = set(db.session.scalars(select(OutcomeOption.code)))
    assert {"CARE_PLAN_CHANGED", "REFERRAL_AVOIDED", "NOT_YET_KNOWN"} <= codes


def test_outcome_recorded_in_a_locked_month_is_audited(client, login, make, db):
    team = make.team()
    clinician = make.clinician(team)
    activity = make.activity(clinician, team)
    db.session.add(
        MonthLock(team_id=team.id, month=month_start(activity.activity_on), locked_by_id=clinician.id)
    )
    db.session.commit()
    login(clinician)
    chosen = [_option(db, "CARE_PLAN_CHANGED").id, _option(db, "REFERRAL_AVOIDED").id]
    response = client.post_form(f"/activities/{activity.id}/outcomes", {"outcomes": [str(i) for i in chosen]})
    assert response.status_code == 302
    assert {o.code for o in outcomes_of(activity.id)} == {"CARE_PLAN_CHANGED", "REFERRAL_AVOIDED"}
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "activity.outcomes_changed"))
    assert event.details["outcomes"][1] == ["CARE_PLAN_CHANGED", "REFERRAL_AVOIDED"]
    page = client.get(f"/activities/{activity.id}/feedback").get_data(as_text=True)
    assert "Referral avoided or redirected" in page


def test_only_the_clinician_records_outcomes_and_retired_ones_are_refused(app, client, login, make, db):
    team = make.team()
    clinician = make.clinician(team)
    activity = make.activity(clinician, team)
    retired = _option(db, "SERVICE_CHANGE")
    retired.is_active = False
    db.session.commit()
    login(make.lead(team))
    assert client.post_form(f"/activities/{activity.id}/outcomes", {"outcomes": ["1"]}).status_code == 404
    other = app.test_client()
    login(clinician, target=other)
    other.post_form(f"/activities/{activity.id}/outcomes", {"outcomes": [str(retired.id)]})
    assert outcomes_of(activity.id) == []


def test_log_form_records_outcomes_with_the_activity(client, login, make, db):
    from tests.capture.helpers import form_for

    team = make.team()
    clinician = make.clinician(team)
    db.session.commit()
    login(clinician)
    option = _option(db, "STAFF_SKILLS")
    response = client.post_form("/log", form_for(team, outcomes=[str(option.id)]))
    assert response.status_code == 302
    activity = db.session.scalar(select(Activity).where(Activity.clinician_id == clinician.id))
    assert [o.code for o in outcomes_of(activity.id)] == ["STAFF_SKILLS"]
    refused = client.post_form("/log", form_for(team, outcomes=["999999"]))
    assert refused.status_code == 422 and b"Choose outcomes from the list" in refused.data
    assert len(db.session.scalars(select(Activity).where(Activity.clinician_id == clinician.id)).all()) == 1


def test_admin_renames_retires_and_adds_outcomes(client, login, make, db):
    login(make.admin())
    options = db.session.scalars(select(OutcomeOption).order_by(OutcomeOption.sort_order)).all()
    data = {f"label_{o.id}": o.label for o in options}
    data |= {f"active_{o.id}": "y" for o in options if o.code != "NOT_YET_KNOWN"}
    data[f"label_{options[0].id}"] = "Care or support plan changed"
    data["new_label"] = "Discharge supported"
    assert client.post_form("/admin/taxonomy/outcomes", data).status_code == 302
    db.session.expire_all()
    assert _option(db, "CARE_PLAN_CHANGED").label == "Care or support plan changed"
    assert _option(db, "NOT_YET_KNOWN").is_active is False
    assert _option(db, "DISCHARGE_SUPPORTED").is_active is True
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "taxonomy.outcomes_changed"))
    refused = client.post_form(
        "/admin/taxonomy/outcomes", {**data, f"label_{options[0].id}": "x", "new_label": ""}
    )
    assert refused.status_code == 422 and b"3 to 120 characters" in refused.data
