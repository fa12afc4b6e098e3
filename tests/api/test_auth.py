"""API authentication: tokens (shown once, hashed, expiring, revocable), cookies, throttles, rate limits."""

from __future__ import annotations

import os
import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from indirect_work.api import ratelimit
from indirect_work.api.tokens import hash_token
from indirect_work.audit.models import AuditEvent
from indirect_work.auth.models import ApiToken
from indirect_work.core.db import utcnow
from indirect_work.extensions import db
from tests.api.conftest import Api, activity_json
from tests.factories import Factory


def _events(action):
    return list(
        db.session.scalars(select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id))
    )


def test_token_page_creates_shows_once_stores_hash_and_revokes(client, login, clinician):
    login(clinician)
    page = client.get("/account/api-tokens/")
    assert page.status_code == 200 and "You have no API tokens" in page.get_data(as_text=True)
    created = client.post_form(
        "/account/api-tokens/",
        {"name": "Data warehouse", "lifetime_days": "90", "current_password": Factory.PASSWORD},
    )
    assert created.status_code == 200
    assert created.headers["Cache-Control"] == "no-store"
    secret = re.search(r'data-testid="new-token">([^<]+)<', created.get_data(as_text=True)).group(1)
    token = db.session.scalar(select(ApiToken).where(ApiToken.user_id == clinician.id))
    assert token.token_hash == hash_token(secret) and secret not in (token.token_hash, token.prefix)
    assert secret.startswith(token.prefix) and token.name == "Data warehouse"
    assert timedelta(days=89) < token.expires_at - utcnow() <= timedelta(days=90)
    listing = client.get("/account/api-tokens/").get_data(as_text=True)
    assert "Data warehouse" in listing and secret not in listing
    assert _events("api_token.create")[0].details["prefix"] == token.prefix
    assert secret not in str(_events("api_token.create")[0].details)

    assert Api(client, secret).get("/me").status_code == 200
    revoked = client.post_form("/account/api-tokens/revoke", {"token_id": str(token.id)})
    assert revoked.status_code == 302
    db.session.refresh(token)
    assert token.revoked_at is not None and _events("api_token.revoke")
    assert Api(client, secret).get("/me").status_code == 401
    assert "Revoked" in client.get("/account/api-tokens/").get_data(as_text=True)


def test_token_form_errors_are_shown_and_csrf_is_required(client, login, clinician):
    login(clinician)
    empty = client.post_form(
        "/account/api-tokens/", {"name": " ", "lifetime_days": "9999", "current_password": Factory.PASSWORD}
    )
    html = empty.get_data(as_text=True)
    assert empty.status_code == 422 and "Enter a name for the token" in html and "Select how long" in html
    forged = client.post_form(
        "/account/api-tokens/",
        {"name": "x", "lifetime_days": "30", "current_password": Factory.PASSWORD},
        csrf=False,
    )
    assert forged.status_code == 400
    assert db.session.scalar(select(ApiToken.id)) is None


def test_token_needs_the_password_and_wrong_ones_are_throttled(app, monkeypatch, client, login, clinician):
    monkeypatch.setitem(app.config, "IW_LOGIN_MAX_FAILURES", 2)
    login(clinician)
    form = {"name": "Script", "lifetime_days": "30", "current_password": "not my password"}
    wrong = client.post_form("/account/api-tokens/", form)
    assert wrong.status_code == 422 and "Your password is not correct" in wrong.get_data(as_text=True)
    assert client.post_form("/account/api-tokens/", form).status_code == 422
    paused = client.post_form("/account/api-tokens/", {**form, "current_password": Factory.PASSWORD})
    assert paused.status_code == 429 and paused.headers["Retry-After"]
    assert db.session.scalar(select(ApiToken.id)) is None
    assert len(_events("auth.reauth_failed")) == 2


def test_another_users_token_cannot_be_revoked(client, login, make, api_as, team, clinician):
    other = make.clinician(team)
    api = api_as(other)
    token = db.session.scalar(select(ApiToken).where(ApiToken.user_id == other.id))
    login(clinician)
    assert client.post_form("/account/api-tokens/revoke", {"token_id": str(token.id)}).status_code == 404
    assert api.get("/me").status_code == 200


def test_token_page_needs_sign_in(client):
    assert client.get("/account/api-tokens/").status_code == 302


def test_me_reports_the_tokens_user_and_roles(api, clinician, team):
    me = api.get("/me")
    body = me.get_json()
    assert body["id"] == clinician.id and body["clinician_team_ids"] == [team.id]
    assert body["permissions"] == ["activity.log"] and body["authenticated_by"] == "token"
    assert body["token"]["name"] == "tests"
    assert me.headers["Cache-Control"] == "no-store"
    assert int(me.headers["X-RateLimit-Limit"]) >= int(me.headers["X-RateLimit-Remaining"])


@pytest.mark.parametrize("header", [None, "Bearer", "Basic dXNlcjpwYXNz", "Bearer iw_not-a-real-token"])
def test_missing_or_wrong_token_is_401(client, header):
    headers = {"Authorization": header} if header else {}
    response = client.get("/api/v1/me", headers=headers)
    assert response.status_code == 401
    assert response.get_json()["error"]["code"] == "unauthorized"
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_expired_token_and_deactivated_user_are_401(api_as, make, team, clinician):
    api = api_as(clinician)
    token = db.session.scalar(select(ApiToken).where(ApiToken.user_id == clinician.id))
    token.expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    assert api.get("/me").status_code == 401
    other = make.clinician(team)
    other_api = api_as(other)
    other.is_active = False
    db.session.commit()
    assert other_api.get("/me").status_code == 401


def test_use_is_recorded_and_audited(api, clinician):
    assert api.get("/me").status_code == 200
    assert api.get("/me").status_code == 200
    token = db.session.scalar(select(ApiToken).where(ApiToken.user_id == clinician.id))
    assert token.last_used_at is not None
    uses = _events("api_token.use")
    assert len(uses) == 1 and uses[0].actor_id == clinician.id and uses[0].details["first_use"] is True


def test_wrong_tokens_are_throttled_with_retry_after(client, app, monkeypatch, api):
    monkeypatch.setitem(app.config, "IW_LOGIN_MAX_FAILURES", 3)
    for _ in range(3):
        assert client.get("/api/v1/me", headers={"Authorization": "Bearer iw_wrong"}).status_code == 401
    refused = client.get("/api/v1/me", headers={"Authorization": "Bearer iw_wrong"})
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) > 0
    # Once throttled, even a good token from that address waits.
    assert api.get("/me").status_code == 429
    assert len(_events("api_token.rejected")) == 3


def test_a_browser_session_may_read_but_never_write(client, login, clinician, team):
    login(clinician)
    me = client.get("/api/v1/me")
    assert me.status_code == 200 and me.get_json()["authenticated_by"] == "session"
    for response in (
        client.post("/api/v1/activities", json=activity_json(team)),
        client.patch("/api/v1/activities/1", json={"version": 1}),
        client.delete("/api/v1/activities/1"),
    ):
        assert response.status_code == 401
    assert client.get("/api/v1/activities").get_json()["total"] == 0


def test_rate_limit_answers_429_with_retry_after(app, monkeypatch, api):
    monkeypatch.setitem(app.config, "IW_API_RATE_LIMIT_PER_MINUTE", 3)
    monkeypatch.setitem(app.extensions, "iw_api_rate_limit", ratelimit.MemoryStore())
    statuses = [api.get("/me").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    refused = api.get("/me")
    assert 1 <= int(refused.headers["Retry-After"]) <= 60
    assert refused.get_json()["error"]["code"] == "too_many_requests"


def test_rate_limit_counter_outage_lets_requests_through(app, monkeypatch, api):
    class Broken:
        def incr(self, key, window):
            raise ConnectionError("redis is down")

    monkeypatch.setitem(app.extensions, "iw_api_rate_limit", Broken())
    assert api.get("/me").status_code == 200


def test_rate_limit_store_is_chosen_from_the_uri():
    assert isinstance(ratelimit.make_store("memory://"), ratelimit.MemoryStore)
    assert isinstance(ratelimit.make_store("redis://127.0.0.1:6379/0"), ratelimit.RedisStore)
    with pytest.raises(ValueError):
        ratelimit.make_store("postgres://nope")


def test_role_needing_two_step_verification_must_enrol_first(app, monkeypatch, make, api_as, team):
    monkeypatch.setitem(app.config, "IW_MFA_REQUIRED_ROLES", ("team_lead",))
    api = api_as(make.lead(team))
    response = api.get("/me")
    assert response.status_code == 403 and "two-step" in response.get_json()["error"]["message"]


def redis_store(url: str) -> ratelimit.RedisStore:
    """A store on a reachable Redis; without one, skip on a workstation but fail in CI, where it runs."""
    store = ratelimit.RedisStore(url)
    try:
        store._client.ping()
    except Exception as exc:  # noqa: BLE001 - any connection problem means there is no Redis here
        reason = f"Redis is not reachable at {url} ({exc.__class__.__name__})"
        if os.environ.get("CI", "").lower() == "true" or os.environ.get("IW_REQUIRE_REDIS") == "1":
            pytest.fail(f"{reason}; CI runs Redis, so the shared rate-limit counters must be tested")
        pytest.skip(reason)
    return store


def test_redis_counters_are_shared_by_every_worker():
    import uuid

    url = os.environ.get("IW_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
    first = redis_store(url)
    second = ratelimit.RedisStore(url)  # another worker's connection
    key = f"iw:test:{uuid.uuid4()}"
    assert [first.incr(key, 1), second.incr(key, 1), first.incr(key, 1)] == [1, 2, 3]
    assert 0 < first._client.ttl(key) <= 2 * ratelimit.WINDOW_SECONDS


@pytest.mark.parametrize(("ci", "outcome"), [("true", pytest.fail.Exception), ("", pytest.skip.Exception)])
def test_a_missing_redis_fails_in_ci_and_skips_elsewhere(monkeypatch, ci, outcome):
    monkeypatch.setenv("CI", ci)
    monkeypatch.delenv("IW_REQUIRE_REDIS", raising=False)
    with pytest.raises(outcome, match="not reachable"):
        redis_store("redis://127.0.0.1:9/15")  # the discard port: nothing answers there


def test_a_refused_credential_is_never_written_to_the_audit_log(client):
    client.get("/api/v1/me", headers={"Authorization": "Bearer my-network-password"})
    client.get("/api/v1/me", headers={"Authorization": "Bearer iw_abcdefghijklmnop"})
    assert [e.details["prefix"] for e in _events("api_token.rejected")] == [None, "iw_abcdefg"]
