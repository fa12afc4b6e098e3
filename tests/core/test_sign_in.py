"""Sign-in and sign-out through the real forms: audit, revocation by cookie replay, CSRF, roles."""

from __future__ import annotations

import pytest
from flask import Blueprint
from sqlalchemy import select

from indirect_work.audit.models import AuditEvent
from indirect_work.core.permissions import Permission, require_permission
from indirect_work.extensions import db as _db


def audit_actions(db, email):
    return list(
        db.session.scalars(
            select(AuditEvent.action).where(AuditEvent.actor_email == email).order_by(AuditEvent.id)
        )
    )


def test_sign_in_success_and_failure_are_audited(client, make, db):
    user = make.clinician()
    bad = client.post_form("/sign-in", {"email": user.email, "password": "wrong password"})
    assert bad.status_code == 200
    assert "The email address or password is not correct" in bad.get_data(as_text=True)
    good = client.post_form("/sign-in", {"email": user.email.upper(), "password": make.PASSWORD})
    assert good.status_code == 302
    assert audit_actions(db, user.email) == ["auth.login_failed", "auth.login"]
    failure = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "auth.login_failed"))
    assert "password" not in str(failure.details).lower() or failure.details == {"reason": "bad_credentials"}


def test_unknown_email_fails_the_same_way(client, db):
    response = client.post_form("/sign-in", {"email": "nobody@example.org", "password": "whatever it is"})
    assert "The email address or password is not correct" in response.get_data(as_text=True)
    assert audit_actions(db, "nobody@example.org") == ["auth.login_failed"]


def test_sign_in_form_keeps_email_and_shows_errors_next_to_fields(client):
    response = client.post_form("/sign-in", {"email": "someone@example.org", "password": ""})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'value="someone@example.org"' in html
    assert "Enter your password" in html and 'href="#password"' in html


def test_sign_out_revokes_a_replayed_session_cookie(app, client, make, login):
    user = make.clinician()
    login(user)
    assert client.get("/account/password").status_code == 200
    cookie = client.get_cookie(app.config["SESSION_COOKIE_NAME"])
    assert cookie is not None
    stolen = cookie.value
    assert client.post_form("/sign-out").status_code == 302
    attacker = app.test_client()
    attacker.set_cookie(app.config["SESSION_COOKIE_NAME"], stolen)
    replay = attacker.get("/account/password")
    assert replay.status_code == 302 and "/sign-in" in replay.headers["Location"]


def test_password_change_signs_out_other_sessions(app, client, make, login):
    user = make.clinician()
    other = app.test_client()
    login(user, target=other)
    login(user)
    response = client.post_form(
        "/account/password",
        {
            "current_password": make.PASSWORD,
            "new_password": "a much better passphrase",
            "confirm_password": "a much better passphrase",
        },
    )
    assert response.status_code == 302
    assert client.get("/account/password").status_code == 200  # this browser stays signed in
    assert other.get("/account/password").status_code == 302  # the other session is gone


def test_weak_new_password_is_refused_next_to_the_field(client, make, login):
    user = make.clinician()
    login(user)
    response = client.post_form(
        "/account/password",
        {"current_password": make.PASSWORD, "new_password": "password123", "confirm_password": "password123"},
    )
    assert response.status_code == 422
    assert "too common" in response.get_data(as_text=True)


def test_deactivated_user_loses_an_open_session(client, make, login, db):
    user = make.clinician()
    login(user)
    user.is_active = False
    db.session.commit()
    assert client.get("/account/password").status_code == 302


def test_form_post_without_csrf_token_is_rejected(client, make, db):
    user = make.clinician()
    response = client.post_form("/sign-in", {"email": user.email, "password": make.PASSWORD}, csrf=False)
    assert response.status_code == 400
    assert audit_actions(db, user.email) == []


def test_sign_out_without_csrf_token_does_not_sign_out(client, make, login):
    user = make.clinician()
    login(user)
    client.post_form("/sign-out", csrf=False)
    assert client.get("/account/password").status_code == 200


def test_open_redirect_after_sign_in_is_ignored(client, make):
    user = make.clinician()
    response = client.post_form(
        "/sign-in?next=https://evil.example/", {"email": user.email, "password": make.PASSWORD}
    )
    assert response.headers["Location"] in ("/", "http://localhost/")


def test_admin_set_password_must_be_changed_before_anything_else(client, make, login, db):
    user = make.clinician(must_change_password=True)
    response = login(user)
    assert response.headers["Location"].endswith("/account/password")
    assert client.get("/").headers["Location"].endswith("/account/password")


@pytest.fixture(params=["sqlite", "postgresql"])
def guarded_app(request, tmp_path):
    """A separate app, on its own fresh database, with one page that needs the admin permission."""
    from contextlib import ExitStack

    from tests import dbutil
    from tests.conftest import build_test_app

    with ExitStack() as stack:
        if request.param == "sqlite":
            url = f"sqlite:///{tmp_path}/guarded.sqlite3"
        else:
            dbutil.skip_or_fail_without_postgres()
            url = stack.enter_context(dbutil.temporary_postgres_database())
        app = build_test_app(url)
        bp = Blueprint("guarded", __name__)

        @bp.get("/guarded")
        @require_permission(Permission.ADMIN)
        def guarded():
            return "secret admin page"

        app.register_blueprint(bp)
        yield app
        with app.app_context():
            _db.session.remove()
            _db.engine.dispose()


@pytest.mark.parametrize(
    ("role", "status"),
    [("anonymous", 302), ("clinician", 403), ("lead", 403), ("commissioner", 403), ("admin", 200)],
)
def test_role_check_on_a_protected_page(guarded_app, role, status):
    from tests.factories import Factory

    client = guarded_app.test_client()
    if role != "anonymous":
        with guarded_app.app_context():
            make = Factory()
            user = {
                "clinician": make.clinician,
                "lead": make.lead,
                "commissioner": make.commissioner,
                "admin": make.admin,
            }[role]()
            email = user.email
            _db.session.commit()
        assert client.post_form("/sign-in", {"email": email, "password": Factory.PASSWORD}).status_code == 302
    response = client.get("/guarded")
    assert response.status_code == status
    assert ("secret admin page" in response.get_data(as_text=True)) == (status == 200)
