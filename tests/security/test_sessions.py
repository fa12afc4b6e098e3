"""Sessions: server-side revocation, idle and absolute timeouts, sign out everywhere, cookie flags."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask_login.utils import encode_cookie
from sqlalchemy import select

from indirect_work import create_app
from indirect_work.audit.models import AuditEvent
from indirect_work.core import web
from indirect_work.core.db import utcnow
from tests.conftest import extract_csrf
from tests.factories import Factory
from tests.security.conftest import add_user, production_settings

PROTECTED = "/account"


def signed_in(client):
    return client.get(PROTECTED).status_code == 200


def test_logout_revokes_replayed_cookie(app, client, make, login):
    user = make.clinician()
    login(user)
    stolen = client.get_cookie(app.config["SESSION_COOKIE_NAME"]).value
    client.post_form("/sign-out")
    attacker = app.test_client()
    attacker.set_cookie(app.config["SESSION_COOKIE_NAME"], stolen)
    replay = attacker.get(PROTECTED)
    assert replay.status_code == 302 and "/sign-in" in replay.headers["Location"]


def test_remember_token_revoked(app, client, make, login, db):
    """No remember-me cookie is issued; a forged one (even with the live token) grants nothing."""
    user = make.clinician()
    response = login(user)
    assert app.config["REMEMBER_COOKIE_NAME"] not in response.headers.get("Set-Cookie", "")
    assert app.config["REMEMBER_COOKIE_DURATION"] <= timedelta(hours=12)
    for token in (user.session_token, "old-token"):
        forger = app.test_client()
        forger.set_cookie(app.config["REMEMBER_COOKIE_NAME"], encode_cookie(token))
        assert not signed_in(forger)
    # After a password change the old token identifies nobody at all.
    old = user.session_token
    client.post_form(
        "/account/password",
        {
            "current_password": make.PASSWORD,
            "new_password": "a brand new passphrase",
            "confirm_password": "a brand new passphrase",
        },
    )
    db.session.refresh(user)
    assert user.session_token != old
    from indirect_work.auth.session import load_user

    assert load_user(old) is None


def test_deactivated_user_sessions_killed(client, make, login, db):
    user = make.clinician()
    login(user)
    assert signed_in(client)
    user.is_active = False
    db.session.commit()
    response = client.get(PROTECTED)
    assert response.status_code == 302 and "/sign-in" in response.headers["Location"]


def test_password_change_signs_out_other_sessions(app, client, make, login):
    user = make.clinician()
    laptop, phone = app.test_client(), app.test_client()
    login(user, target=laptop)
    login(user, target=phone)
    response = laptop.post_form(
        "/account/password",
        {
            "current_password": make.PASSWORD,
            "new_password": "another good passphrase",
            "confirm_password": "another good passphrase",
        },
    )
    assert response.status_code == 302
    assert signed_in(laptop) and not signed_in(phone)


def test_password_change_needs_the_current_password(client, make, login, db):
    user = make.clinician()
    login(user)
    response = client.post_form(
        "/account/password",
        {
            "current_password": "not the password",
            "new_password": "another good passphrase",
            "confirm_password": "another good passphrase",
        },
    )
    assert response.status_code == 422 and "Your password is not correct" in response.text
    assert (
        db.session.scalar(
            select(AuditEvent.action)
            .where(AuditEvent.actor_id == user.id)
            .order_by(AuditEvent.id.desc())
            .limit(1)
        )
        == "auth.reauth_failed"
    )


def test_sign_out_everywhere(app, client, make, login, db):
    user = make.clinician()
    other = app.test_client()
    login(user)
    login(user, target=other)
    assert client.post_form("/account/sign-out-everywhere", csrf=False).status_code == 400
    assert signed_in(client) and signed_in(other)
    response = client.post_form("/account/sign-out-everywhere")
    assert response.status_code == 302
    assert not signed_in(client) and not signed_in(other)
    assert (
        db.session.scalar(
            select(AuditEvent).where(
                AuditEvent.action == "auth.logout_everywhere", AuditEvent.actor_id == user.id
            )
        )
        is not None
    )


def _at(monkeypatch, moment):
    monkeypatch.setattr(web, "utcnow", lambda: moment)


def test_session_timeouts(app, client, make, login, monkeypatch):
    user = make.clinician()
    start = utcnow()
    _at(monkeypatch, start)
    login(user)
    # Idle: activity every 29 minutes keeps the session...
    moment = start
    for _ in range(3):
        moment += timedelta(minutes=29)
        _at(monkeypatch, moment)
        assert signed_in(client)
    # ...31 minutes without a request ends it, on the server.
    _at(monkeypatch, moment + timedelta(minutes=31))
    response = client.get(PROTECTED)
    assert response.status_code == 302 and "expired=1" in response.headers["Location"]
    assert "inactive or too old" in client.get(response.headers["Location"]).text

    # Absolute: however active, 12 hours after sign-in the session ends.
    _at(monkeypatch, start)
    login(user)
    moment = start
    while moment + timedelta(minutes=25) < start + timedelta(hours=12):
        moment += timedelta(minutes=25)
        _at(monkeypatch, moment)
        assert signed_in(client)
    _at(monkeypatch, start + timedelta(hours=12, minutes=1))
    assert not signed_in(client)


def test_session_timeouts_are_configurable(app, client, make, login, monkeypatch):
    monkeypatch.setitem(app.config, "IW_SESSION_IDLE_MINUTES", 5)
    user = make.clinician()
    start = utcnow()
    _at(monkeypatch, start)
    login(user)
    _at(monkeypatch, start + timedelta(minutes=6))
    assert not signed_in(client)


def test_session_without_its_clock_is_refused(app, client, make, login):
    """A session cookie whose login time was stripped (or never set) does not count as signed in."""
    user = make.clinician()
    login(user)
    with client.session_transaction() as sess:
        del sess["login_at"]
    assert not signed_in(client)


@pytest.fixture
def production_client(fresh_database_url):
    app = create_app(production_settings(fresh_database_url))
    from tests.conftest import IWClient

    app.test_client_class = IWClient
    yield app
    from indirect_work.extensions import db

    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def test_cookie_flags(production_client):
    app = production_client
    email = add_user(app)
    client = app.test_client()
    page = client.get("/sign-in", base_url="https://localhost")
    response = client.post(
        "/sign-in",
        base_url="https://localhost",
        headers={"Referer": "https://localhost/sign-in"},
        data={"email": email, "password": Factory.PASSWORD, "csrf_token": extract_csrf(page.text)},
    )
    assert response.status_code == 302
    cookies = page.headers.getlist("Set-Cookie") + response.headers.getlist("Set-Cookie")
    assert cookies, "signing in must set the session cookie"
    for cookie in cookies:
        name, _, _ = cookie.partition("=")
        attributes = {part.strip().split("=")[0].lower(): part.strip() for part in cookie.split(";")[1:]}
        assert name.startswith("__Host-"), cookie
        assert "secure" in attributes and "httponly" in attributes, cookie
        assert attributes.get("samesite") == "SameSite=Lax", cookie
        assert attributes.get("path") == "Path=/" and "domain" not in attributes, cookie
