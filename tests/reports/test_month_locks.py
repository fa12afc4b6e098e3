"""Month locks: who may lock and unlock, the audit trail, the dashboard, and every capture entry path."""

from __future__ import annotations

import io
import re
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from indirect_work.audit.models import AuditEvent
from indirect_work.capture.locks import lock_month, locked_month, unlock_month
from indirect_work.capture.models import Activity, MonthLock
from indirect_work.core.dates import add_months, month_start
from indirect_work.core.errors import Conflict, PermissionDenied, ValidationFailed
from indirect_work.extensions import db as _db
from tests.capture.helpers import form_for

LAST_MONTH = add_months(month_start(date.today()), -1)
KEY = LAST_MONTH.strftime("%Y-%m")
DAY = LAST_MONTH + timedelta(days=9)


@pytest.fixture
def setup(make, db):
    team = make.team(name="Locked Team")
    other = make.team(name="Other Team")
    clinician = make.clinician(team, full_name="Carol Clinician")
    record = make.activity(clinician, activity_on=DAY, duration_minutes=60, note="before the lock")
    return {
        "team": team,
        "other": other,
        "lead": make.lead(team),
        "clinician": clinician,
        "record": record,
        "other_lead": make.lead(other),
        "admin": make.admin(),
        "commissioner": make.commissioner(),
    }


def _live_in_month(team_id: int) -> int:
    return int(
        _db.session.scalar(
            select(func.count())
            .select_from(Activity)
            .where(
                Activity.team_id == team_id,
                Activity.deleted_at.is_(None),
                Activity.activity_on >= LAST_MONTH,
                Activity.activity_on < add_months(LAST_MONTH, 1),
            )
        )
        or 0
    )


def _events(action: str) -> list[AuditEvent]:
    stmt = select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)
    return list(_db.session.scalars(stmt))


# Services ---------------------------------------------------------------------------------------


def test_lead_locks_and_unlocks_with_audit(setup):
    lock = lock_month(user=setup["lead"], team=setup["team"], month=DAY)
    assert lock.month == LAST_MONTH and lock.is_locked and lock.locked_by_id == setup["lead"].id
    assert locked_month(setup["team"].id, DAY) is not None and locked_month(setup["other"].id, DAY) is None
    [event] = _events("month.lock")
    assert event.actor_id == setup["lead"].id and event.details == {"team_id": setup["team"].id, "month": KEY}

    unlock_month(
        user=setup["lead"], team=setup["team"], month=LAST_MONTH, reason="  Two records need fixing "
    )
    assert locked_month(setup["team"].id, DAY) is None
    assert (lock.unlocked_by_id, lock.unlock_reason) == (setup["lead"].id, "Two records need fixing")
    [event] = _events("month.unlock")
    assert event.details["reason"] == "Two records need fixing" and event.details["month"] == KEY

    relocked = lock_month(user=setup["admin"], team=setup["team"], month=LAST_MONTH)
    assert relocked.id == lock.id and relocked.is_locked and relocked.locked_by_id == setup["admin"].id
    assert len(_events("month.lock")) == 2


@pytest.mark.parametrize("who", ["other_lead", "clinician", "commissioner"])
def test_only_the_teams_lead_or_an_admin_may_lock(setup, who):
    with pytest.raises(PermissionDenied):
        lock_month(user=setup[who], team=setup["team"], month=LAST_MONTH)
    lock_month(user=setup["lead"], team=setup["team"], month=LAST_MONTH)
    with pytest.raises(PermissionDenied):
        unlock_month(user=setup[who], team=setup["team"], month=LAST_MONTH, reason="please")
    assert locked_month(setup["team"].id, DAY) is not None


def test_lock_rules(setup):
    with pytest.raises(ValidationFailed) as exc:
        lock_month(user=setup["lead"], team=setup["team"], month=add_months(month_start(date.today()), 1))
    assert "month" in exc.value.fields
    lock_month(user=setup["lead"], team=setup["team"], month=LAST_MONTH)
    with pytest.raises(Conflict):
        lock_month(user=setup["lead"], team=setup["team"], month=LAST_MONTH)
    for reason in ("", "   ", "x" * 501):
        with pytest.raises(ValidationFailed) as exc:
            unlock_month(user=setup["lead"], team=setup["team"], month=LAST_MONTH, reason=reason)
        assert "reason" in exc.value.fields
    assert locked_month(setup["team"].id, DAY) is not None
    with pytest.raises(Conflict):
        unlock_month(user=setup["lead"], team=setup["team"], month=add_months(LAST_MONTH, -1), reason="why")


def test_two_leads_locking_at_once_get_a_conflict_not_an_error(setup, monkeypatch):
    from indirect_work.capture import locks

    other_lead = setup["lead"]
    _db.session.add(MonthLock(team_id=setup["team"].id, month=LAST_MONTH, locked_by_id=other_lead.id))
    _db.session.flush()
    # The second request read "no lock yet" just before the first one saved its row.
    monkeypatch.setattr(locks, "_lock_row", lambda team_id, month: None)
    with pytest.raises(Conflict):
        lock_month(user=setup["admin"], team=setup["team"], month=LAST_MONTH)
    assert locked_month(setup["team"].id, DAY) is not None  # the session is still usable
    assert _events("month.lock") == []


# Pages ------------------------------------------------------------------------------------------


def test_lead_locks_from_the_dashboard(client, login, setup):
    login(setup["lead"])
    url = f"/dashboard/teams/{setup['team'].id}/months/{KEY}/lock"
    assert client.post_form(url, csrf=False).status_code == 400
    assert locked_month(setup["team"].id, DAY) is None
    response = client.post_form(url)
    assert response.status_code == 302
    assert locked_month(setup["team"].id, DAY) is not None
    body = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "is locked for Locked Team" in body
    row = body[body.index(f'data-testid="lock-row-{KEY}"') :]
    row = row[: row.index("</tr>")]
    assert "Locked" in row and setup["lead"].full_name in row and "Unlock" in row
    history = body[body.index('data-testid="lock-history"') :]
    assert f"locked {KEY}" in history[: history.index("</ul>")]
    # Locking twice says so rather than failing.
    again = client.post_form(url, follow_redirects=True)
    assert again.status_code == 200 and "is already locked" in again.get_data(as_text=True)


def test_unlock_needs_a_reason_and_keeps_what_was_typed(client, login, setup):
    lock_month(user=setup["lead"], team=setup["team"], month=LAST_MONTH)
    login(setup["lead"])
    url = f"/dashboard/teams/{setup['team'].id}/months/{KEY}/unlock"
    assert client.get(url).status_code == 200
    response = client.post_form(url, {"reason": ""})
    assert response.status_code == 422
    assert 'data-testid="error-summary"' in response.get_data(as_text=True)
    response = client.post_form(url, {"reason": "y" * 501})
    assert response.status_code == 422 and "y" * 501 in response.get_data(as_text=True)
    assert locked_month(setup["team"].id, DAY) is not None
    response = client.post_form(url, {"reason": "Carol's training session was on the wrong date"})
    assert response.status_code == 302
    assert locked_month(setup["team"].id, DAY) is None
    body = client.get(f"/dashboard/teams/{setup['team'].id}").get_data(as_text=True)
    row = body[body.index(f'data-testid="lock-row-{KEY}"') :]
    assert "Unlocked" in row[: row.index("</tr>")]
    assert "Carol&#39;s training session was on the wrong date" in row[: row.index("</tr>")]


@pytest.mark.parametrize("who", ["other_lead", "clinician", "commissioner"])
def test_lock_pages_refuse_other_people(client, login, setup, who):
    lock_month(user=setup["lead"], team=setup["team"], month=LAST_MONTH)
    login(setup[who])
    base = f"/dashboard/teams/{setup['team'].id}/months/{KEY}"
    assert client.post_form(base + "/unlock", {"reason": "mine now"}).status_code == 403
    assert client.post_form(base + "/lock").status_code == 403
    assert locked_month(setup["team"].id, DAY) is not None
    assert _db.session.scalar(select(func.count()).select_from(MonthLock)) == 1


def test_bad_month_in_url_is_404(client, login, setup):
    login(setup["lead"])
    assert client.post_form(f"/dashboard/teams/{setup['team'].id}/months/2026-13/lock").status_code == 404


# Capture entry paths ----------------------------------------------------------------------------


@pytest.fixture
def locked(setup):
    lock_month(user=setup["lead"], team=setup["team"], month=LAST_MONTH)
    _db.session.flush()
    return setup


def test_log_form_refuses_a_locked_month(client, login, locked):
    login(locked["clinician"])
    before = _live_in_month(locked["team"].id)
    response = client.post_form("/log", form_for(locked["team"], activity_on=DAY.isoformat()))
    assert response.status_code == 422
    assert "locked" in response.get_data(as_text=True)
    assert _live_in_month(locked["team"].id) == before
    # The same entry in this month (not locked) is accepted.
    response = client.post_form(
        "/log",
        form_for(locked["team"], activity_on=date.today().isoformat(), submission_token="tok-open-month"),
    )
    assert response.status_code == 302


def test_edit_and_delete_refuse_a_locked_record(client, login, locked):
    record = locked["record"]
    login(locked["clinician"])
    response = client.post_form(
        f"/activities/{record.id}/edit",
        form_for(locked["team"], activity_on=DAY.isoformat(), duration="2h", version=str(record.version)),
    )
    assert response.status_code in (409, 422)
    response = client.post_form(f"/activities/{record.id}/delete", {"version": str(record.version)})
    assert response.status_code in (409, 422)
    _db.session.expire_all()
    fresh = _db.session.get(Activity, record.id)
    assert fresh.duration_minutes == 60 and fresh.deleted_at is None
    # Moving an open-month record into the locked month is refused too.
    response = client.post_form(
        "/log", form_for(locked["team"], activity_on=date.today().isoformat(), submission_token="tok-to-move")
    )
    assert response.status_code == 302
    moved = _db.session.scalar(select(Activity).where(Activity.submission_token == "tok-to-move"))
    response = client.post_form(
        f"/activities/{moved.id}/edit",
        form_for(locked["team"], activity_on=DAY.isoformat(), version=str(moved.version)),
    )
    assert response.status_code == 422
    assert _live_in_month(locked["team"].id) == 1


def test_week_view_cannot_change_a_locked_month(client, login, locked):
    record = locked["record"]
    monday = DAY - timedelta(days=DAY.weekday())
    login(locked["clinician"])
    page = client.get("/activities/week", query_string={"start": monday.isoformat()}).get_data(as_text=True)
    cells = re.findall(r'name="(cell-\d+-\d+)"', page)
    data = {name: "45" for name in cells}
    for name in cells:
        data[name + "-version"] = str(record.version)
    response = client.post_form(f"/activities/week?start={monday.isoformat()}", data)
    assert response.status_code in (302, 409, 422)
    _db.session.expire_all()
    assert _db.session.get(Activity, record.id).duration_minutes == 60
    assert _live_in_month(locked["team"].id) == 1


def test_import_refuses_rows_in_a_locked_month_even_after_preview(client, login, setup):
    login(setup["clinician"])
    csv_text = (
        "date,activity_type,duration,team,consultation_mechanism,recipient_types,people_reached,"
        "start_time,service_request_id,note\r\n"
        f"{DAY.isoformat()},CONSULT_TEAM,45,{setup['team'].local_id},01,MH_TEAM_STAFF,2,,,\r\n"
    )
    response = client.post_form(
        "/activities/import",
        {"file": (io.BytesIO(csv_text.encode()), "past.csv")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 200
    payload = re.search(r'name="payload" value="([^"]+)"', response.get_data(as_text=True))
    assert payload, "the preview offers to import the valid row"
    # The lead locks the month between the preview and the confirmation.
    lock_month(user=setup["lead"], team=setup["team"], month=LAST_MONTH)
    _db.session.commit()
    response = client.post_form("/activities/import/commit", {"payload": payload.group(1)})
    assert response.status_code == 422
    assert _live_in_month(setup["team"].id) == 1
    # A fresh preview now marks the row as locked.
    response = client.post_form(
        "/activities/import",
        {"file": (io.BytesIO(csv_text.encode()), "past.csv")},
        content_type="multipart/form-data",
    )
    assert "locked" in response.get_data(as_text=True)


def test_admin_may_still_change_a_locked_month(client, login, locked, make):
    admin = locked["admin"]
    login(admin)
    record = locked["record"]
    response = client.post_form(f"/activities/{record.id}/delete", {"version": str(record.version)})
    assert response.status_code == 302
    _db.session.expire_all()
    assert _db.session.get(Activity, record.id).deleted_at is not None


def test_unlocking_opens_the_month_again(client, login, locked):
    unlock_month(user=locked["lead"], team=locked["team"], month=LAST_MONTH, reason="Late records from Carol")
    _db.session.flush()
    login(locked["clinician"])
    response = client.post_form(
        "/log", form_for(locked["team"], activity_on=DAY.isoformat(), submission_token="tok-after-unlock")
    )
    assert response.status_code == 302
    assert _live_in_month(locked["team"].id) == 2


def test_api_refuses_a_locked_month(client, locked):
    from indirect_work.api.tokens import create_token

    token = create_token(user=locked["clinician"], name="locks", lifetime_days=30).secret
    _db.session.commit()
    headers = {"Authorization": f"Bearer {token}"}
    record = locked["record"]
    body = {
        "activity_type_id": record.activity_type_id,
        "activity_on": DAY.isoformat(),
        "duration_minutes": 30,
        "team_id": locked["team"].id,
        "consultation_mechanism_code": "01",
        "recipient_type_ids": [r.id for r in record.recipient_types],
        "people_reached": 2,
    }
    response = client.post("/api/v1/activities", json=body, headers=headers)
    assert response.status_code == 422 and "locked" in response.get_data(as_text=True)
    response = client.patch(
        f"/api/v1/activities/{record.id}",
        headers=headers,
        json={"duration_minutes": 90, "version": record.version},
    )
    assert response.status_code in (409, 422)
    response = client.delete(
        f"/api/v1/activities/{record.id}", headers=headers, query_string={"version": record.version}
    )
    assert response.status_code in (409, 422)
    _db.session.expire_all()
    fresh = _db.session.get(Activity, record.id)
    assert fresh.duration_minutes == 60 and fresh.deleted_at is None
    assert _live_in_month(locked["team"].id) == 1
    # This month is open: the same body for today is accepted.
    response = client.post(
        "/api/v1/activities", json={**body, "activity_on": date.today().isoformat()}, headers=headers
    )
    assert response.status_code == 201
