"""The audit trail page and CSV export, and the append-only guarantee of the audit table."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import delete, select, text, update
from sqlalchemy.exc import DBAPIError

from indirect_work.audit.models import AuditEvent
from indirect_work.audit.services import record_event
from tests.admin.conftest import events


def add_event(
    db,
    action,
    *,
    actor_email="someone@example.org",
    object_type="team",
    object_id=1,
    details=None,
    days_ago=0,
):
    event = record_event(
        action, actor_email=actor_email, object_type=object_type, object_id=object_id, details=details or {}
    )
    event.occurred_at = datetime.now(UTC) - timedelta(days=days_ago)
    db.session.flush()
    return event


def rows(response):
    return response.get_data(as_text=True).count('data-testid="audit-event"')


def test_audit_page_shows_who_what_and_the_field_changes(client, db, admin):
    add_event(
        db,
        "team.update",
        actor_email="lead.admin@example.org",
        object_id=7,
        details={"name": ["Old team", "New team"]},
    )
    html = client.get("/admin/audit?object_type=team&object_id=7").get_data(as_text=True)
    assert "lead.admin@example.org" in html and "team.update" in html
    assert "Old team → New team" in html.replace("&#x2192;", "→")


def test_audit_filters_by_person_action_object_and_period(client, db, admin):
    add_event(db, "team.update", actor_email="alice@example.org", object_id=1, days_ago=40)
    add_event(db, "team.create", actor_email="alice@example.org", object_id=2)
    add_event(db, "user.update", actor_email="bob@example.org", object_type="user", object_id=2)
    assert rows(client.get("/admin/audit?actor=ALICE")) == 2
    assert rows(client.get("/admin/audit?actor=alice&action=team.create")) == 1
    assert rows(client.get("/admin/audit?object_type=user&object_id=2")) == 1
    today = datetime.now(UTC).date()
    recent = client.get(f"/admin/audit?actor=alice&date_from={(today - timedelta(days=7)).isoformat()}")
    assert rows(recent) == 1
    old = client.get(f"/admin/audit?actor=alice&date_to={(today - timedelta(days=30)).isoformat()}")
    assert rows(old) == 1
    bad = client.get("/admin/audit?date_from=not-a-date")
    assert bad.status_code == 422 and 'href="#date_from"' in bad.get_data(as_text=True)
    assert rows(client.get("/admin/audit?actor=%25")) == 0  # wildcards are literal


def test_audit_is_paginated(client, db, admin):
    for n in range(55):
        add_event(db, "team.update", actor_email="pager@example.org", object_id=n)
    first = client.get("/admin/audit?actor=pager")
    assert rows(first) == 50 and "Page 2 of 2" in first.get_data(as_text=True)
    assert "actor=pager" in first.get_data(as_text=True).split("Page 2 of 2")[0].rsplit("href=", 1)[1]
    assert rows(client.get("/admin/audit?actor=pager&page=2")) == 5


def test_csv_export_is_filtered_formula_safe_and_audited(client, db, admin):
    add_event(
        db,
        "team.update",
        actor_email="=cmd@example.org",
        object_id=3,
        details={"name": ["A", "=HYPERLINK(1)"], "password": "leaked"},
    )
    add_event(db, "user.update", actor_email="other@example.org", object_type="user", object_id=3)
    response = client.get("/admin/audit/export.csv?action=team.update")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    table = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert table[0][:5] == ["id", "occurred_at_utc", "actor_email", "actor_id", "action"]
    assert len(table) == 2
    assert table[1][2] == "'=cmd@example.org"
    assert "HYPERLINK" in table[1][7] and "leaked" not in table[1][7]
    [export] = events(db, "audit.export")
    assert export.actor_id == admin.id and export.details == {"filters": {"action": "team.update"}}


def test_admin_changes_appear_in_the_trail(client, db, make, admin):
    org = make.organisation(name="Before")
    client.post_form(
        f"/admin/organisations/{org.id}/edit", {"ods_code": org.ods_code, "name": "After", "is_active": "y"}
    )
    html = client.get(f"/admin/audit?object_type=organisation&object_id={org.id}").get_data(as_text=True)
    assert "organisation.update" in html and admin.email in html
    assert "Before → After" in html.replace("&#x2192;", "→")


def test_the_audit_table_refuses_update_and_delete(db):
    event = add_event(db, "team.update")
    for statement in (
        update(AuditEvent).where(AuditEvent.id == event.id).values(action="tampered"),
        delete(AuditEvent).where(AuditEvent.id == event.id),
    ):
        with pytest.raises(DBAPIError, match="append-only"), db.session.begin_nested():
            db.session.execute(statement)
    db.session.expire_all()
    assert db.session.scalar(select(AuditEvent.action).where(AuditEvent.id == event.id)) == "team.update"


def test_postgres_trigger_stops_raw_sql_too(db, db_backend):
    if db_backend != "postgresql":
        pytest.skip("the PostgreSQL trigger; SQLite's is covered by the test above")
    event = add_event(db, "team.update")
    with pytest.raises(DBAPIError, match="append-only"), db.session.begin_nested():
        db.session.execute(text("DELETE FROM audit_events WHERE id = :id"), {"id": event.id})
    triggers = db.session.scalars(
        text("SELECT tgname FROM pg_trigger WHERE tgrelid = 'audit_events'::regclass AND NOT tgisinternal")
    ).all()
    assert "audit_events_append_only" in triggers
