"""Two-step verification: required for admins and team leads, codes used once, recovery, reset."""

from __future__ import annotations

import pyotp
import pytest
from sqlalchemy import func, select

from indirect_work.audit.models import AuditEvent
from indirect_work.auth.models import RecoveryCode
from tests.security.conftest import enrol, totp_code


def actions(db, user):
    return list(
        db.session.scalars(
            select(AuditEvent.action).where(AuditEvent.actor_id == user.id).order_by(AuditEvent.id)
        )
    )


def sign_in_with_password(client, user, password):
    return client.post_form("/sign-in", {"email": user.email, "password": password})


def enrolled_at_code_step(client, make, login):
    """A clinician with two-step verification on, signed out, then half-way through signing in."""
    user = make.clinician()
    login(user)
    codes = enrol(client, user, make.PASSWORD)
    client.post_form("/sign-out")
    response = sign_in_with_password(client, user, make.PASSWORD)
    assert response.headers["Location"].endswith("/sign-in/code")
    return user, codes


def simple_get_routes(app):
    """Every GET page without URL arguments (the routes a signed-in user could open directly)."""
    return sorted(
        rule.rule
        for rule in app.url_map.iter_rules()
        if "GET" in rule.methods and not rule.arguments and rule.endpoint != "static"
    )


@pytest.mark.parametrize("kind", ["lead", "admin"])
def test_mfa_required_for_admin_and_teamlead(app, client, make, login, mfa_on, db, kind):
    user = getattr(make, kind)()
    login(user)  # the password is right...
    for path in simple_get_routes(app):
        response = client.get(path)
        # ...but nothing is reachable except setting up the second factor (and the health check).
        if path in ("/healthz", "/sign-in", "/sign-in/code", "/account/two-step/start", "/account/two-step"):
            continue
        if path.startswith("/api/"):
            assert response.status_code in (401, 403), path  # the API answers, it does not redirect
            continue
        assert response.status_code == 302, path
        assert response.headers["Location"].endswith("/account/two-step/start"), path
    codes = enrol(client, user, make.PASSWORD)
    assert len(codes) == 10
    assert client.get("/").status_code in (200, 302)
    assert not client.get("/").headers.get("Location", "").endswith("/two-step/start")


def test_mfa_optional_for_clinicians_and_off_by_default(client, make, login):
    user = make.clinician()
    login(user)
    assert not client.get("/account").get_data(as_text=True).count("your role requires it")
    assert client.get("/").headers.get("Location", "").find("two-step") == -1


def test_enrolment_needs_password_and_a_confirmed_code(client, make, login, db):
    user = make.clinician()
    login(user)
    wrong = client.post_form("/account/two-step/start", {"current_password": "not my password"})
    assert wrong.status_code == 422 and "Your password is not correct" in wrong.get_data(as_text=True)
    db.session.refresh(user)
    assert user.mfa_secret is None
    assert client.post_form("/account/two-step/start", {"current_password": make.PASSWORD}).status_code == 302
    page = client.get("/account/two-step")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and 'src="data:image/svg+xml' in html  # QR drawn locally, no third party
    db.session.refresh(user)
    assert user.mfa_secret and not user.mfa_enabled
    wrong = "000000" if totp_code(user) != "000000" else "111111"
    bad = client.post_form("/account/two-step", {"code": wrong})
    assert bad.status_code == 422 and "The code is not correct" in bad.get_data(as_text=True)
    db.session.refresh(user)
    assert not user.mfa_enabled


def test_recovery_codes_shown_once_and_stored_hashed(client, make, login, db):
    user = make.clinician()
    login(user)
    codes = enrol(client, user, make.PASSWORD)
    assert len(codes) == len(set(codes)) == 10
    stored = list(db.session.scalars(select(RecoveryCode.code_hash).where(RecoveryCode.user_id == user.id)))
    assert len(stored) == 10 and all(h.startswith("$argon2id$") for h in stored)
    assert not any(code.replace("-", "") in h for code in codes for h in stored)
    # The account page never shows them again.
    account = client.get("/account").get_data(as_text=True)
    assert not any(code in account for code in codes)
    assert "10 recovery codes left" in account


def test_totp_code_never_accepted_twice(client, make, login, db):
    user, _codes = enrolled_at_code_step(client, make, login)  # enrolment used the current step's code
    # Password alone reaches nothing.
    assert client.get("/account").status_code == 302
    used_step = user.mfa_last_step
    totp = pyotp.TOTP(user.mfa_secret)
    replay = client.post_form("/sign-in/code", {"code": totp.generate_otp(used_step)})
    assert replay.status_code == 422
    fresh = client.post_form("/sign-in/code", {"code": totp.generate_otp(used_step + 1)})
    assert fresh.status_code == 302
    assert client.get("/account").status_code == 200
    assert actions(db, user)[-3:] == ["auth.password_verified", "auth.mfa_failed", "auth.login"]


def test_recovery_code_signs_in_once(app, client, make, login, db):
    user, codes = enrolled_at_code_step(client, make, login)
    used = client.post_form("/sign-in/code", {"code": codes[3].upper().replace("-", " ")})
    assert used.status_code == 302
    client.post_form("/sign-out")
    sign_in_with_password(client, user, make.PASSWORD)
    again = client.post_form("/sign-in/code", {"code": codes[3]})
    assert again.status_code == 422
    audit = db.session.scalars(
        select(AuditEvent).where(AuditEvent.actor_id == user.id, AuditEvent.action == "auth.login")
    ).all()
    assert audit[-1].details == {"second_factor": "recovery_code"}


def test_mfa_codes_are_throttled(client, make, login, db):
    user, _codes = enrolled_at_code_step(client, make, login)
    for _ in range(10):
        assert client.post_form("/sign-in/code", {"code": "12345x"}).status_code == 422
    blocked = client.post_form("/sign-in/code", {"code": totp_code(user, offset_steps=1)})
    assert blocked.status_code == 429
    assert "try again later" in blocked.get_data(as_text=True).lower()
    assert int(blocked.headers["Retry-After"]) >= 60
    assert client.get("/account").status_code == 302
    assert "auth.mfa_throttled" in actions(db, user)


def test_pending_sign_in_expires(client, make, login, db):
    user, _codes = enrolled_at_code_step(client, make, login)
    with client.session_transaction() as sess:
        sess["mfa_pending_at"] = "2020-01-01T00:00:00+00:00"
    response = client.post_form("/sign-in/code", {"code": totp_code(user, offset_steps=1)})
    assert response.status_code == 302 and response.headers["Location"].endswith("/sign-in")
    assert client.get("/account").status_code == 302


def test_turning_off_needs_password_and_code(app, client, make, login, db):
    user = make.clinician()
    other = app.test_client()
    login(user)
    codes = enrol(client, user, make.PASSWORD)
    # A second browser signs in with both factors.
    other.post_form("/sign-in", {"email": user.email, "password": make.PASSWORD})
    assert other.post_form("/sign-in/code", {"code": totp_code(user, 1)}).status_code == 302
    no_code = client.post_form(
        "/account/two-step/turn-off", {"current_password": make.PASSWORD, "code": "999999"}
    )
    assert no_code.status_code == 422
    db.session.refresh(user)
    assert user.mfa_enabled
    wrong_password = client.post_form(
        "/account/two-step/turn-off", {"current_password": "nope nope nope", "code": codes[0]}
    )
    assert wrong_password.status_code == 422
    # Both authenticator steps in the window are used up: a recovery code works instead.
    ok = client.post_form("/account/two-step/turn-off", {"current_password": make.PASSWORD, "code": codes[0]})
    assert ok.status_code == 302
    db.session.refresh(user)
    assert not user.mfa_enabled and user.mfa_secret is None
    assert (
        db.session.scalar(
            select(func.count()).select_from(RecoveryCode).where(RecoveryCode.user_id == user.id)
        )
        == 0
    )
    assert client.get("/account").status_code == 200  # this browser stays signed in
    assert other.get("/account").status_code == 302  # the other one is signed out
    assert "auth.mfa_disabled" in actions(db, user)


def test_new_recovery_codes_replace_the_old(client, make, login, db):
    user = make.clinician()
    login(user)
    old = enrol(client, user, make.PASSWORD)
    response = client.post_form(
        "/account/two-step/recovery-codes", {"current_password": make.PASSWORD, "code": totp_code(user, 1)}
    )
    assert response.status_code == 200
    assert "no-store" in response.headers["Cache-Control"]
    new = [c for c in old if c in response.get_data(as_text=True)]
    assert new == []
    client.post_form("/sign-out")
    sign_in_with_password(client, user, make.PASSWORD)
    assert client.post_form("/sign-in/code", {"code": old[0]}).status_code == 422


def test_admin_resets_a_lost_factor(app, client, make, login, db, mfa_on):
    lead = make.lead()
    admin = make.admin()
    lead_client = app.test_client()
    login(lead, target=lead_client)
    enrol(lead_client, lead, make.PASSWORD)
    assert lead_client.get("/account").status_code == 200
    # Only an admin may reset.
    other = make.clinician()
    login(other)
    assert client.post_form(f"/users/{lead.id}/two-step/reset").status_code == 403
    client.post_form("/sign-out")
    # The admin (who must use two-step verification too) resets the lead's factor.
    login(admin)
    enrol(client, admin, make.PASSWORD)
    assert client.post_form(f"/users/{lead.id}/two-step/reset", csrf=False).status_code == 400
    response = client.post_form(f"/users/{lead.id}/two-step/reset")
    assert response.status_code == 302
    db.session.refresh(lead)
    assert not lead.mfa_enabled and lead.mfa_secret is None
    assert lead_client.get("/account").status_code == 302  # the lead's sessions ended
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "auth.mfa_reset"))
    assert event.actor_id == admin.id and event.object_id == str(lead.id)
    # At the next sign-in the lead must set up again before anything else.
    login(lead, target=lead_client)
    assert lead_client.get("/").headers["Location"].endswith("/account/two-step/start")
