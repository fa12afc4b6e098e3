"""Route-wide guards: CSRF on every state-changing route, no state change on GET, refusals audited."""

from __future__ import annotations

import re
from typing import Any

import pytest
from sqlalchemy import func, inspect, select

from indirect_work.audit.models import AuditEvent
from indirect_work.extensions import db as _db

UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}
#: Values for URL arguments: ids that exist for nobody, and a plausible month.
ARGUMENTS = {"int": "999999", "default": "2026-01", "any": "csv", "path": "x"}
#: GET routes that refuse a request without their required query parameters, and how.
NEEDS_QUERY = {
    "/api/v1/rollups": (422,),
    "/api/v1/impact": (422,),
    "/feedback/<token>": (404,),
    "/set-password/<token>": (404,),  # an unknown link: no token of the matrix's world opens it
}


def url_for_rule(rule: Any) -> str:
    def value(match: re.Match) -> str:
        converter = match.group(1) or "default"
        if converter.startswith("any("):
            return converter[4:-1].split(",")[0].strip()
        return ARGUMENTS.get(converter.split("(")[0], ARGUMENTS["default"])

    return re.sub(r"<(?:([a-z]+(?:\([^)]*\))?):)?[a-z_]+>", value, rule.rule)


def table_counts(db) -> dict[str, int]:
    tables = inspect(db.session.connection()).get_table_names()
    return {
        name: db.session.scalar(select(func.count()).select_from(db.metadata.tables[name]))
        for name in tables
        if name in db.metadata.tables
    }


@pytest.fixture
def signed_in_admin(client, make, login):
    """An admin (every permission) who also leads a team and logs work, so most guards are passed."""
    from indirect_work.auth.models import Role, RoleAssignment

    team = make.team()
    admin = make.admin(default_team_id=team.id, organisation_id=team.organisation_id)
    admin.role_assignments += [
        RoleAssignment(role=Role.CLINICIAN.value, team_id=team.id),
        RoleAssignment(role=Role.TEAM_LEAD.value, team_id=team.id),
    ]
    _db.session.flush()
    login(admin)
    return client


def test_csrf_enforced(app, signed_in_admin, db, monkeypatch):
    """Every state-changing route refuses a request without a CSRF token, and the check really ran."""
    import flask_wtf.csrf

    calls = {"failed": 0}
    original = flask_wtf.csrf.validate_csrf

    def counting(*args: Any, **kwargs: Any) -> Any:
        try:
            return original(*args, **kwargs)
        except Exception:
            calls["failed"] += 1
            raise

    monkeypatch.setattr(flask_wtf.csrf, "validate_csrf", counting)
    before = table_counts(db)
    checked = []
    for rule in app.url_map.iter_rules():
        exempt = rule.rule.startswith("/api/")  # the token API is CSRF-exempt by design: no cookies
        for method in sorted((rule.methods or set()) & UNSAFE):
            if exempt:
                continue
            response = signed_in_admin.open(url_for_rule(rule), method=method, data={"x": "1"})
            assert response.status_code == 400, f"{method} {rule.rule} answered {response.status_code}"
            checked.append(f"{method} {rule.rule}")
    assert len(checked) >= 10 and calls["failed"] == len(checked)
    assert table_counts(db) == before


def test_no_state_change_on_get(app, signed_in_admin, db):
    """Opening every page (GET) as a user with every role changes no table, audit trail aside."""
    before = table_counts(db)
    rendered = []
    for rule in app.url_map.iter_rules():
        if "GET" not in (rule.methods or set()) or rule.endpoint == "static":
            continue
        response = signed_in_admin.get(url_for_rule(rule))
        expected = (404,) if "<int:" in rule.rule else NEEDS_QUERY.get(rule.rule, (200, 302))
        assert response.status_code in expected, f"GET {rule.rule} answered {response.status_code}"
        if response.status_code < 400:  # the page itself ran: "changes nothing" is about a real handler
            rendered.append(rule.rule)
        response.close()
    assert len(rendered) >= 30, rendered
    after = table_counts(db)
    # Downloads and refusals are audited (that is a write the audit trail needs); nothing else changes.
    assert {k: v for k, v in after.items() if k != "audit_events"} == {
        k: v for k, v in before.items() if k != "audit_events"
    }


def test_refused_access_is_audited(client, make, login, db):
    clinician = make.clinician()
    login(clinician)
    response = client.get(f"/users/{clinician.id}/two-step/reset")
    assert response.status_code == 405
    response = client.post_form(f"/users/{clinician.id}/two-step/reset")
    assert response.status_code == 403
    event = db.session.scalar(
        select(AuditEvent).where(AuditEvent.action == "access.denied").order_by(AuditEvent.id.desc())
    )
    assert event.actor_id == clinician.id and event.details["path"] == f"/users/{clinician.id}/two-step/reset"
    assert event.ip_address and event.occurred_at is not None


def test_audit_trail(app, client, make, login, db):
    """Sign-in success and failure, sign-out and two-step changes: one row each, who/what/when/where,
    never a password or code."""
    user = make.clinician()
    client.post_form("/sign-in", {"email": user.email, "password": "a wrong password"})
    login(user)
    client.post_form("/sign-out")
    rows = list(
        db.session.scalars(
            select(AuditEvent).where(AuditEvent.actor_email == user.email).order_by(AuditEvent.id)
        )
    )
    assert [r.action for r in rows] == ["auth.login_failed", "auth.login", "auth.logout"]
    for row in rows:
        assert row.ip_address and row.request_id and row.occurred_at.tzinfo is not None
        assert "a wrong password" not in str(row.details) and make.PASSWORD not in str(row.details)
