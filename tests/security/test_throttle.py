"""Brute-force defence: per-account limits held in the database, shared by every worker."""

from __future__ import annotations

from flask import Blueprint, request
from sqlalchemy import func, select

from indirect_work.audit.models import AuditEvent
from indirect_work.auth.throttle import clear_failures, is_throttled, note_failure, recent_failures
from tests.factories import Factory
from tests.security.conftest import add_user


def sign_in(client, email, password, **kwargs):
    return client.post_form("/sign-in", {"email": email, "password": password}, **kwargs)


def count_actions(db, action, email):
    return db.session.scalar(
        select(func.count())
        .select_from(AuditEvent)
        .where(AuditEvent.action == action, AuditEvent.actor_email == email)
    )


def test_login_throttle(app, client, make, db):
    user = make.clinician()
    for n in range(10):
        # Each guess comes from a different address and claims yet another via X-Forwarded-For.
        response = sign_in(
            client,
            user.email,
            f"wrong guess {n}",
            environ_base={"REMOTE_ADDR": f"10.0.0.{n}"},
            headers={"X-Forwarded-For": f"192.0.2.{n}"},
        )
        assert response.status_code == 200
    eleventh = sign_in(
        app.test_client(),
        user.email,
        make.PASSWORD,
        environ_base={"REMOTE_ADDR": "10.9.9.9"},
        headers={"X-Forwarded-For": "203.0.113.1"},
    )
    assert eleventh.status_code == 429
    html = eleventh.get_data(as_text=True)
    assert "try again later" in html.lower() and "5 minutes" in html
    assert eleventh.headers["Retry-After"] == "300"
    assert count_actions(db, "auth.login_throttled", user.email) == 1
    assert count_actions(db, "auth.login", user.email) == 0
    # The audit trail records the real peer, not the forged header (no proxy is trusted by default).
    ips = set(db.session.scalars(select(AuditEvent.ip_address).where(AuditEvent.actor_email == user.email)))
    assert ips <= {f"10.0.0.{n}" for n in range(10)} | {"10.9.9.9"}


def test_login_throttle_expires_after_the_window(app, client, make, db, monkeypatch):
    user = make.clinician()
    for _ in range(10):
        sign_in(client, user.email, "wrong wrong wrong")
    assert sign_in(client, user.email, make.PASSWORD).status_code == 429
    from datetime import timedelta

    from indirect_work.auth import throttle
    from indirect_work.core.db import utcnow

    later = utcnow() + timedelta(minutes=5, seconds=1)
    monkeypatch.setattr(throttle, "utcnow", lambda: later)
    assert sign_in(client, user.email, make.PASSWORD).status_code == 302


def test_other_accounts_are_not_locked_out(client, make):
    victim, other = make.clinician(), make.clinician()
    for _ in range(11):
        sign_in(client, victim.email, "wrong wrong wrong")
    assert sign_in(client, other.email, make.PASSWORD).status_code == 302


def test_login_throttle_is_shared_between_workers(fresh_app):
    """Two app instances (two workers, two connection pools) on one database share the counter."""
    worker_a, worker_b = fresh_app(), fresh_app()
    email = add_user(worker_a)
    for n in range(10):
        client = (worker_a if n % 2 else worker_b).test_client()
        assert sign_in(client, email, "wrong wrong wrong").status_code == 200
    assert sign_in(worker_a.test_client(), email, Factory.PASSWORD).status_code == 429
    assert sign_in(worker_b.test_client(), email, Factory.PASSWORD).status_code == 429


def test_generic_counter_for_api_tokens_and_other_keys(app, db):
    with app.test_request_context(method="POST"):
        key = "api-token:abc123"
        for _ in range(9):
            note_failure(key)
        assert recent_failures(key) == 9 and not is_throttled(key)
        note_failure(key)
        assert is_throttled(key)
        assert not is_throttled("api-token:another")
        clear_failures(key)
        assert not is_throttled(key)


def test_forwarded_for_trusted_only_through_configured_proxies(fresh_app):
    def echo_app(**settings):
        app = fresh_app(**settings)
        bp = Blueprint("echo", __name__)
        bp.add_url_rule("/echo-ip", "echo", lambda: request.remote_addr or "")
        app.register_blueprint(bp)
        return app.test_client()

    forged = {"X-Forwarded-For": "198.51.100.7, 203.0.113.9"}
    direct = echo_app()  # IW_TRUSTED_PROXIES = 0: the header is ignored
    assert direct.get("/echo-ip", headers=forged, environ_base={"REMOTE_ADDR": "10.1.1.1"}).text == "10.1.1.1"
    one_proxy = echo_app(IW_TRUSTED_PROXIES=1)  # only the address our own proxy appended is believed
    behind_proxy = one_proxy.get("/echo-ip", headers=forged, environ_base={"REMOTE_ADDR": "10.1.1.1"})
    assert behind_proxy.text == "203.0.113.9"
