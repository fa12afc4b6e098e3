"""Reminders through the real SMTP server: exactly the right people, once, and opt-outs respected."""

from __future__ import annotations

from datetime import UTC, date, timedelta

from sqlalchemy import select

from indirect_work.audit.models import AuditEvent
from indirect_work.auth.models import RoleAssignment
from indirect_work.capture.models import MonthLock
from indirect_work.core.db import utcnow
from indirect_work.reminders import services
from indirect_work.reminders.models import ReminderOptOut, SentReminder
from tests.mailbox import link_in, text_of

TODAY = date(2026, 11, 27)  # a Friday
MONDAY = TODAY - timedelta(days=TODAY.weekday())


def _weekly_world(make, db, today: date = TODAY):
    monday = today - timedelta(days=today.weekday())
    team = make.team()
    silent = make.clinician(team, email="silent@example.nhs.uk")
    busy = make.clinician(team, email="busy@example.nhs.uk")
    last_week_only = make.clinician(team, email="lastweek@example.nhs.uk")
    opted_out = make.clinician(team, email="optedout@example.nhs.uk")
    make.clinician(team, email="gone@example.nhs.uk", is_active=False)  # deactivated
    make.commissioner(team.organisation, email="commissioner@example.nhs.uk")
    make.activity(busy, team, activity_on=monday)
    make.activity(last_week_only, team, activity_on=monday - timedelta(days=1))
    db.session.add(ReminderOptOut(user_id=opted_out.id, kind="weekly"))
    db.session.commit()
    return team, silent, last_week_only


def test_weekly_reminder_reaches_exactly_the_clinicians_with_nothing_logged(make, db, mailbox):
    _team, silent, last_week_only = _weekly_world(make, db)
    outcomes = services.send_reminders(["weekly"], TODAY)
    assert sorted(o.planned.email for o in outcomes) == sorted([silent.email, last_week_only.email])
    assert {o.result for o in outcomes} == {"sent"}
    received = mailbox.wait_for(2)
    assert sorted(m["To"] for m in received) == sorted([silent.email, last_week_only.email])
    message = mailbox.to(silent.email)[0]
    assert "23 November 2026" in text_of(message)
    assert link_in(message).endswith("/week")

    assert services.send_reminders(["weekly"], TODAY) == []  # a second run sends nothing
    assert len(mailbox.messages) == 2
    audited = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "reminder.sent")).all()
    assert sorted(int(e.object_id) for e in audited) == sorted([silent.id, last_week_only.id])


def test_a_reminder_claimed_by_another_run_is_not_sent_again(make, db, mailbox):
    _team, silent, last_week_only = _weekly_world(make, db)
    planned = services.plan(["weekly"], TODAY)
    # Another scheduler claims the silent clinician's reminder between our planning and our send.
    db.session.add(SentReminder(user_id=silent.id, kind="weekly", period=planned[0].period, status="sent"))
    db.session.commit()
    results = {p.email: services.send_one(p) for p in planned}
    assert results == {silent.email: "skipped", last_week_only.email: "sent"}
    assert [m["To"] for m in mailbox.wait_for(1)] == [last_week_only.email]


def test_dry_run_prints_and_sends_nothing(app, make, db, mailbox):
    _weekly_world(make, db, today=utcnow().date())  # the command's own week
    result = app.test_cli_runner().invoke(args=["send-reminders", "--kind", "weekly", "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "silent@example.nhs.uk" in result.output and "busy@example.nhs.uk" not in result.output
    assert mailbox.messages == []
    assert db.session.scalars(select(SentReminder)).all() == []


def test_a_refused_email_is_recorded_as_failed_and_not_resent(make, db, mailbox):
    _weekly_world(make, db)
    mailbox.refuse = True
    outcomes = services.send_reminders(["weekly"], TODAY)
    assert {o.result for o in outcomes} == {"failed"}
    rows = db.session.scalars(select(SentReminder)).all()
    assert {r.status for r in rows} == {"failed"} and all("554" in (r.error or "") for r in rows)
    mailbox.refuse = False
    assert services.send_reminders(["weekly"], TODAY) == []


def test_month_end_tells_the_lead_who_logged_nothing(make, db, mailbox):
    team = make.team(name="Early Intervention")
    lead = make.lead(team, email="lead@example.nhs.uk")
    make.clinician(team, full_name="Quiet Person")
    busy = make.clinician(team, full_name="Busy Person")
    make.activity(busy, team, activity_on=date(2026, 11, 3))
    locked_team = make.team(name="Locked Team")
    lead.role_assignments.append(RoleAssignment(role="team_lead", team_id=locked_team.id))
    db.session.add(MonthLock(team_id=locked_team.id, month=date(2026, 11, 1), locked_by_id=lead.id))
    db.session.commit()
    outcomes = services.send_reminders(["month-end"], date(2026, 11, 29))
    assert [o.planned.email for o in outcomes] == [lead.email]
    text = text_of(mailbox.wait_for(1)[0])
    assert "November 2026" in text and "Early Intervention: nothing logged by Quiet Person" in text
    assert "Busy Person" not in text


def test_month_ready_links_the_commissioner_to_the_workbook_page(make, db, mailbox):
    org = make.organisation()
    team = make.team(org)
    lead = make.lead(team)
    commissioner = make.commissioner(org, email="commissioner@example.nhs.uk")
    month = date(2026, 10, 1)
    assert services.send_reminders(["month-ready"], date(2026, 11, 5)) == []
    db.session.add(MonthLock(team_id=team.id, month=month, locked_by_id=lead.id))
    db.session.commit()
    outcomes = services.send_reminders(["month-ready"], date(2026, 11, 5))
    assert [o.planned.email for o in outcomes] == [commissioner.email]
    message = mailbox.wait_for(1)[0]
    assert f"organisation={org.id}" in link_in(message) and "month=2026-10" in link_in(message)
    assert not any(part.get_filename() for part in message.iter_attachments())  # never the file


def test_opt_out_on_the_account_page(client, make, login, db):
    clinician = make.clinician()
    login(clinician)
    page = client.get("/account/reminders")
    assert page.status_code == 200 and 'name="weekly"' in page.get_data(as_text=True)
    assert client.post_form("/account/reminders", {}).status_code == 302
    kinds = db.session.scalars(select(ReminderOptOut.kind).where(ReminderOptOut.user_id == clinician.id))
    assert list(kinds) == ["weekly"]
    assert client.post_form("/account/reminders", {"weekly": "y"}).status_code == 302
    assert (
        db.session.scalars(select(ReminderOptOut).where(ReminderOptOut.user_id == clinician.id)).all() == []
    )


def test_the_demo_people_receive_no_reminders(make, db, mailbox):
    from indirect_work.demo.seed import seed_demo

    seed_demo(today=TODAY)
    seed_demo(today=TODAY)  # re-running adds no second opt-out
    db.session.commit()
    kinds = ["weekly", "month-end", "month-ready"]
    assert services.plan(kinds, TODAY) == []


def test_email_bodies_load_nothing_and_run_nothing():
    """Email HTML may style inline (mail clients drop stylesheets) but loads and runs nothing."""
    import re
    from pathlib import Path

    import indirect_work

    folder = Path(indirect_work.__file__).parent / "templates" / "mail"
    for path in folder.glob("*.html"):
        html = path.read_text()
        assert not re.search(r"<(script|img|iframe|link|object)\b", html), path.name
        assert not re.search(r"\s(src|background)\s*=", html), path.name
        assert "url(" not in html, path.name


def test_a_temporary_smtp_failure_is_tried_again(make, db, mailbox):
    _team, silent, _last = _weekly_world(make, db)
    mailbox.temporary_failures = 2  # 451 twice, then accepted: within IW_SMTP_RETRIES
    outcomes = services.send_reminders(["weekly"], TODAY)
    assert {o.result for o in outcomes} == {"sent"}
    assert len(mailbox.wait_for(2)) == 2 and mailbox.attempts == 4


def test_a_permanent_refusal_is_not_tried_again(make, db, mailbox):
    _weekly_world(make, db)
    mailbox.refuse = True
    outcomes = services.send_reminders(["weekly"], TODAY)
    assert {o.result for o in outcomes} == {"failed"} and mailbox.attempts == len(outcomes)


def test_the_admin_email_page_lists_sends_and_failures(client, make, db, mailbox, login):
    _weekly_world(make, db)
    mailbox.refuse = True
    services.send_reminders(["weekly"], TODAY)
    login(make.admin())
    page = client.get("/admin/email").get_data(as_text=True)
    assert "Email is on" in page and "silent@example.nhs.uk" in page
    assert 'data-status="failed"' in page and "554" in page
    assert "IW_SMTP_PASSWORD" not in page


def test_what_is_due_follows_the_weekday_and_hour_settings(app, monkeypatch):
    from datetime import datetime

    monkeypatch.setitem(app.config, "IW_REMINDER_WEEKDAY", 4)
    monkeypatch.setitem(app.config, "IW_REMINDER_HOUR", 14)
    with app.app_context():
        friday_before = datetime(2026, 11, 20, 13, 59, tzinfo=UTC)
        friday_after = datetime(2026, 11, 20, 14, 0, tzinfo=UTC)
        month_last_day = datetime(2026, 11, 30, 15, 0, tzinfo=UTC)
        assert services.due_kinds(friday_before) == ["month-ready"]
        assert services.due_kinds(friday_after) == ["weekly", "month-ready"]
        assert services.due_kinds(month_last_day) == ["month-end", "month-ready"]
        monkeypatch.setitem(app.config, "IW_REMINDER_WEEKDAY", 0)
        assert "weekly" in services.due_kinds(month_last_day)  # 30 November 2026 is a Monday
