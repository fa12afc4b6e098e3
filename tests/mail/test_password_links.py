"""Invitations and password reset through the real SMTP server: single use, expiry, throttle, sessions."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from indirect_work.audit.models import AuditEvent
from indirect_work.auth.links import token_hash
from indirect_work.auth.models import PasswordLink
from indirect_work.core.db import utcnow
from tests.mailbox import html_of, link_in, text_of

NEW_PASSWORD = "a brand new passphrase"


def _path(link: str) -> str:
    return "/" + link.split("/", 3)[3]


def _ask_reset(client, email: str):
    return client.post_form("/sign-in/forgotten-password", {"email": email})


def test_reset_link_sets_the_password_once_and_signs_out_other_sessions(
    app, client, make, db, mailbox, login
):
    user = make.clinician()
    other = app.test_client()
    login(user, target=other)
    assert other.get("/account").status_code == 200

    response = _ask_reset(client, user.email)
    assert response.status_code == 200
    (message,) = mailbox.wait_for(1)
    assert message["To"] == user.email
    assert "<img" not in html_of(message)  # no tracking pixel or remote image
    link = link_in(message)
    assert link in html_of(message)

    stored = db.session.scalar(select(PasswordLink).where(PasswordLink.user_id == user.id))
    token = link.rsplit("/", 1)[1]
    assert stored.token_hash == token_hash(token) and token not in stored.token_hash
    assert len(token) >= 43  # 256 random bits

    page = client.get(_path(link))
    assert page.status_code == 200
    done = client.post_form(_path(link), {"new_password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD})
    assert done.status_code == 302 and "/sign-in" in done.headers["Location"]

    assert other.get("/account").status_code == 302  # the other session is signed out
    login(user, password=NEW_PASSWORD)
    again = client.post_form(
        _path(link), {"new_password": "yet another passphrase", "confirm_password": "yet another passphrase"}
    )
    assert again.status_code == 404  # single use
    actions = set(db.session.scalars(select(AuditEvent.action).where(AuditEvent.object_id == str(user.id))))
    assert {"auth.reset_link_issued", "auth.reset_link_used"} <= actions


def test_the_answer_is_the_same_for_an_unknown_address(client, make, mailbox):
    user = make.clinician()
    known = _ask_reset(client, user.email)
    unknown = _ask_reset(client, "nobody-here@example.nhs.uk")
    assert known.status_code == unknown.status_code == 200
    strip = lambda r, e: r.get_data(as_text=True).replace(e, "EMAIL")  # noqa: E731
    assert strip(known, user.email) == strip(unknown, "nobody-here@example.nhs.uk")
    mailbox.wait_for(1)
    assert [m["To"] for m in mailbox.messages] == [user.email]


def test_an_expired_link_is_refused(client, make, db, mailbox):
    user = make.clinician()
    _ask_reset(client, user.email)
    link = link_in(mailbox.wait_for(1)[0])
    stored = db.session.scalar(select(PasswordLink).where(PasswordLink.user_id == user.id))
    stored.expires_at = utcnow() - timedelta(seconds=1)
    db.session.flush()
    response = client.post_form(_path(link), {"new_password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD})
    assert response.status_code == 404


def test_the_password_rules_apply(client, make, mailbox):
    user = make.clinician()
    _ask_reset(client, user.email)
    link = link_in(mailbox.wait_for(1)[0])
    response = client.post_form(
        _path(link), {"new_password": "password123", "confirm_password": "password123"}
    )
    assert response.status_code == 422
    assert "too common" in response.get_data(as_text=True)


def test_reset_requests_are_throttled(app, client, make, db, mailbox):
    user = make.clinician()
    limit = app.config["IW_LOGIN_MAX_FAILURES"]
    for _ in range(limit):
        assert _ask_reset(client, user.email).status_code == 200
    assert _ask_reset(client, user.email).status_code == 429
    mailbox.wait_for(limit)
    assert len(mailbox.messages) == limit


def test_an_admin_invitation_sets_a_password_once(client, make, db, mailbox, login):
    admin = make.admin()
    person = make.clinician(password_hash=None)
    login(admin)
    response = client.post_form(f"/admin/people/{person.id}/invite", {})
    assert response.status_code == 302
    (message,) = mailbox.wait_for(1)
    assert message["To"] == person.email and "choose your password" in text_of(message).lower()
    link = link_in(message)
    fresh = client.application.test_client()
    done = fresh.post_form(_path(link), {"new_password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD})
    assert done.status_code == 302
    login(person, password=NEW_PASSWORD, target=fresh)
    refused = fresh.post_form(_path(link), {"new_password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD})
    assert refused.status_code == 404


def test_with_email_off_the_admin_area_says_so(client, make, login, db):
    login(make.admin())
    page = client.get("/admin/").get_data(as_text=True)
    assert "Email is off" in page
    assert client.get("/sign-in/forgotten-password").status_code == 200
    count = db.session.scalar(select(func.count()).select_from(PasswordLink))
    assert count == 0


def test_the_csv_import_can_invite_each_new_person(client, make, db, mailbox, login):
    import io

    org = make.organisation()
    team = make.team(org)
    login(make.admin())
    text = (
        "email,full_name,organisation,clinician_teams\n"
        f"first.new@example.nhs.uk,First New,{org.ods_code},{team.local_id}\n"
        f"second.new@example.nhs.uk,Second New,{org.ods_code},{team.local_id}\n"
    )
    preview = client.post_form("/admin/people/import", {"file": (io.BytesIO(text.encode()), "p.csv")})
    assert 'name="invite"' in preview.get_data(as_text=True)
    done = client.post_form("/admin/people/import/confirm", {"csv_text": text, "invite": "y"})
    assert "2 invitations sent" in done.get_data(as_text=True)
    received = sorted(m["To"] for m in mailbox.wait_for(2))
    assert received == ["first.new@example.nhs.uk", "second.new@example.nhs.uk"]


def test_a_deactivated_person_gets_no_link_and_cannot_use_an_old_one(client, make, db, mailbox):
    user = make.clinician()
    _ask_reset(client, user.email)
    link = link_in(mailbox.wait_for(1)[0])
    user.is_active = False
    db.session.flush()
    response = client.post_form(_path(link), {"new_password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD})
    assert response.status_code == 404
    mailbox.clear()
    assert _ask_reset(client, user.email).status_code == 200
    assert db.session.scalar(select(func.count()).select_from(PasswordLink)) == 1  # no new link
    assert mailbox.messages == []


def test_a_new_link_retires_the_previous_one(client, make, db, mailbox):
    user = make.clinician()
    _ask_reset(client, user.email)
    first = link_in(mailbox.wait_for(1)[0])
    _ask_reset(client, user.email)
    second = link_in(mailbox.wait_for(2)[1])
    assert client.get(_path(first)).status_code == 404
    assert client.get(_path(second)).status_code == 200
