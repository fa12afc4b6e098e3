"""Password storage (argon2id, upgraded at sign-in) and the password policy (length, deny-list, no rules)."""

from __future__ import annotations

import re

import pytest
from argon2 import PasswordHasher
from sqlalchemy import select

from indirect_work.auth.models import User
from indirect_work.auth.passwords import hash_password, password_problems, verify_password


def test_password_hash_is_argon2id(app, client, make, db, monkeypatch):
    monkeypatch.setitem(app.config, "IW_FAST_PASSWORD_HASHING", False)
    with app.app_context():
        stored = hash_password("correct horse battery")
    params = dict(re.findall(r"([mtp])=(\d+)", stored))
    assert stored.startswith("$argon2id$")
    assert int(params["m"]) >= 19456 and int(params["t"]) >= 2  # ASVS 5.0 appendix C minimum
    assert verify_password(stored, "correct horse battery") and not verify_password(stored, "wrong")


def test_legacy_hash_is_upgraded_at_sign_in(client, make, db):
    legacy = PasswordHasher(time_cost=1, memory_cost=16, parallelism=2).hash(make.PASSWORD)
    user = make.clinician(password_hash=legacy)
    assert client.post_form("/sign-in", {"email": user.email, "password": make.PASSWORD}).status_code == 302
    db.session.expire_all()
    upgraded = db.session.scalar(select(User.password_hash).where(User.id == user.id))
    assert upgraded != legacy and upgraded.startswith("$argon2id$")
    assert verify_password(upgraded, make.PASSWORD)


@pytest.mark.parametrize(
    ("password", "accepted"),
    [
        ("short1", False),  # under the minimum length
        ("ninechars", False),
        ("tenletters", True),  # no composition rule: lower-case letters only is fine
        ("purple elephant umbrella", True),  # a passphrase
        ("x" * 3 + "y" * 61, False),  # 64 characters but only two different ones
        ("Seven brave otters swim past the old mill at dawn every single day!!", True),  # long is allowed
        ("p" * 129, False),  # over the maximum
        ("password123", False),  # on the deny-list
        ("Password123", False),  # deny-list ignores case
    ],
)
def test_password_policy(password, accepted):
    assert (password_problems(password) == []) is accepted


def test_password_may_not_contain_the_email_name():
    assert password_problems("jennifer-rules-ok", email="jennifer@example.org")
    assert not password_problems("purple elephant umbrella", email="jennifer@example.org")


def test_weak_new_password_is_refused_on_the_form(client, make, login):
    login(make.clinician())
    response = client.post_form(
        "/account/password",
        {"current_password": make.PASSWORD, "new_password": "password123", "confirm_password": "password123"},
    )
    assert response.status_code == 422 and "too common" in response.text
