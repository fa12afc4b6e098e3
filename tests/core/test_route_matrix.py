"""Every route x every role: who may use it, and that a refused request changes nothing.

The table below must name every endpoint the app registers; adding a route without deciding who
may use it fails ``test_every_route_is_in_the_matrix``. Each request is made through the real
sign-in and the real HTTP stack, with URL parameters pointing at real objects of a small world:
one organisation, one team (led by the lead, with the clinician as member), one activity and one
favourite of the clinician.
"""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select

from indirect_work.auth.models import ApiToken, RoleAssignment, User
from indirect_work.capture.models import Activity, Favourite, MonthLock
from indirect_work.impact.models import FeedbackLink, FeedbackResponse
from indirect_work.impact.services import create_link
from indirect_work.org.models import Organisation, Team
from indirect_work.taxonomy.models import ActivityCategory, ActivityType

ROLES = ("anonymous", "clinician", "lead", "commissioner", "admin")

# Outcome per role, in ROLES order:
# "pub" = open to anyone (it may still send a signed-out visitor to sign in first, as the second
#         sign-in step does);
# "ok"  = the role may use the route;
# "no"  = refused (sign-in redirect or 401 when signed out; 403 or 404 when signed in);
# "tok" = a JSON API write, which a browser session never authorises (401 without a bearer token).
PUBLIC = ("pub",) * 5
SIGNED_IN = ("no", "ok", "ok", "ok", "ok")
LOGGERS = ("no", "ok", "ok", "no", "ok")
OWN_RECORD = ("no", "ok", "no", "no", "ok")
OWN_ONLY = ("no", "ok", "no", "no", "no")
LEADS = ("no", "no", "ok", "no", "ok")
OWN_OR_LED = ("no", "ok", "ok", "no", "ok")  # the record's clinician, the leads of its team, admins
COMMISSIONERS = ("no", "no", "no", "ok", "ok")
ADMINS = ("no", "no", "no", "no", "ok")
TOKEN = ("tok",) * 5  # API writes: a browser session alone never authorises them

MATRIX: dict[str, tuple[str, ...]] = {
    "static": PUBLIC,
    "core.healthz": PUBLIC,
    "core.home": SIGNED_IN,
    "auth.login": PUBLIC,
    "auth.login_code": PUBLIC,
    "auth.logout": PUBLIC,
    "auth.logout_everywhere": SIGNED_IN,
    "auth.account": SIGNED_IN,
    "auth.change_password": SIGNED_IN,
    "auth.mfa_start": SIGNED_IN,
    "auth.mfa_setup": SIGNED_IN,
    "auth.mfa_turn_off": SIGNED_IN,
    "auth.mfa_recovery_codes": SIGNED_IN,
    "auth.mfa_reset": ADMINS,
    "reminders.preferences": SIGNED_IN,
    "passwords.forgotten": PUBLIC,
    "passwords.set_password": PUBLIC,
    "admin.person_invite": ADMINS,
    "api_tokens.index": SIGNED_IN,
    "api_tokens.create": SIGNED_IN,
    "api_tokens.revoke": SIGNED_IN,
    "capture.log": LOGGERS,
    "capture.activity_list": LOGGERS,
    "capture.week": LOGGERS,
    "capture.import_upload": LOGGERS,
    "capture.import_commit": LOGGERS,
    "capture.import_template": LOGGERS,
    "capture.activity_edit": OWN_RECORD,
    "capture.activity_delete": OWN_RECORD,
    "capture.activity_shared": OWN_RECORD,
    "capture.favourite_add": OWN_ONLY,
    "capture.favourite_remove": OWN_ONLY,
    "impact.activity_feedback": OWN_OR_LED,
    "impact.link_create": OWN_RECORD,
    "impact.link_close": OWN_RECORD,
    "impact.outcomes_edit": OWN_RECORD,
    "impact.respond": PUBLIC,  # the people who received the work answer without an account
    "reports.dashboard": LEADS,
    "reports.team_dashboard": LEADS,
    "reports.records": LEADS,
    "reports.records_csv": LEADS,
    "reports.lock": LEADS,
    "reports.unlock": LEADS,
    "commissioning.index": COMMISSIONERS,
    "commissioning.workbook": COMMISSIONERS,
    "commissioning.mhsds_extract_download": ADMINS,
    "commissioning.mhsds_validation_download": ADMINS,
    "api.activity_list": LOGGERS,
    "api.activity_get": OWN_RECORD,
    "api.openapi_document": PUBLIC,
    "api.docs": PUBLIC,
    "admin.audit": ADMINS,
    "admin.audit_export": ADMINS,
    "admin.email": ADMINS,
    "admin.category_change": ADMINS,
    "admin.category_edit": ADMINS,
    "admin.category_new": ADMINS,
    "admin.index": ADMINS,
    "admin.organisation_edit": ADMINS,
    "admin.organisation_new": ADMINS,
    "admin.organisations": ADMINS,
    "admin.people": ADMINS,
    "admin.people_import": ADMINS,
    "admin.people_import_confirm": ADMINS,
    "admin.people_import_template": ADMINS,
    "admin.person_edit": ADMINS,
    "admin.person_new": ADMINS,
    "admin.person_password": ADMINS,
    "admin.person_status": ADMINS,
    "admin.profession_edit": ADMINS,
    "admin.profession_new": ADMINS,
    "admin.professions": ADMINS,
    "admin.taxonomy": ADMINS,
    "admin.question_set": ADMINS,
    "admin.outcome_options": ADMINS,
    "admin.team_edit": ADMINS,
    "admin.team_new": ADMINS,
    "admin.type_change": ADMINS,
    "admin.type_edit": ADMINS,
    "admin.type_new": ADMINS,
    # JSON API reads accept the browser session (same permissions as the pages); writes need a token.
    "api.activity_create": TOKEN,
    "api.activity_delete": TOKEN,
    "api.activity_own_part": TOKEN,
    "api.activity_co_deliverer_remove": TOKEN,
    "api.activity_co_deliverers_add": TOKEN,
    "api.activity_types": SIGNED_IN,
    "api.activity_update": TOKEN,
    "api.categories": SIGNED_IN,
    "api.me": SIGNED_IN,
    "api.mechanisms": SIGNED_IN,
    "api.professions": SIGNED_IN,
    "api.recipient_types": SIGNED_IN,
    "api.rollups": SIGNED_IN,
    "api.teams": SIGNED_IN,
    "api.outcome_options": SIGNED_IN,
    "api.impact_rollup": ("no", "no", "ok", "no", "ok"),  # leads and admins (a query is required)
    "api.activity_impact": OWN_OR_LED,
}
API_PREFIX = "api."


def expected(endpoint: str) -> tuple[str, ...] | None:
    """The decision for this endpoint, named in the table: no prefix stands in for a decision."""
    return MATRIX.get(endpoint)


def undecided(app: Any) -> list[str]:
    return sorted({rule.endpoint for rule in app.url_map.iter_rules() if expected(rule.endpoint) is None})


def test_every_route_is_in_the_matrix(app):
    missing = undecided(app)
    assert missing == [], f"routes with no permission decision in the matrix: {missing}"
    stale = sorted(set(MATRIX) - {rule.endpoint for rule in app.url_map.iter_rules()})
    assert stale == [], f"matrix entries for routes that no longer exist: {stale}"


@pytest.mark.parametrize("endpoint", ["admin.brand_new_page", "api.brand_new_read", "reports.brand_new"])
def test_a_new_route_without_a_decision_fails_the_matrix(tmp_path, endpoint):
    """A new admin or API route is not let through for its prefix: someone must decide who may use it."""
    from indirect_work import create_app

    app = create_app({"IW_CONFIG": "testing", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/m.db"})
    app.add_url_rule(f"/{endpoint.replace('.', '/')}", endpoint=endpoint, view_func=lambda: "new")
    assert undecided(app) == [endpoint]


@pytest.fixture
def world(make, db):
    org = make.organisation()
    team = make.team(org)
    clinician = make.clinician(team)
    lead = make.lead(team)
    people = {
        "clinician": clinician,
        "lead": lead,
        "commissioner": make.commissioner(org),
        "admin": make.admin(),
    }
    activity = make.activity(clinician, team)
    favourite = Favourite(user_id=clinician.id, label="Fav", activity_type_id=activity.activity_type_id)
    db.session.add(favourite)
    db.session.flush()
    link = create_link(actor=clinician, activity=activity)
    category = db.session.scalar(select(ActivityCategory).limit(1))
    activity_type = db.session.scalar(select(ActivityType).limit(1))
    params = {
        "activity_id": activity.id,
        "favourite_id": favourite.id,
        "team_id": team.id,
        "organisation_id": org.id,
        "user_id": clinician.id,
        "clinician_id": clinician.id,
        "category_id": category.id,
        "type_id": activity_type.id,
        "profession_id": make.profession().id,
        "month_text": activity.activity_on.strftime("%Y-%m"),
        "filename": "css/app.css",
        "link_id": link.id,
        "token": link.token,
    }
    db.session.commit()
    return people, params, activity


def _url(app, rule, params) -> str:
    values: dict[str, Any] = {}
    for argument in rule.arguments:
        if argument in params:
            values[argument] = params[argument]
        else:  # any(...) converters: the last value in order ("up", "reactivate": nothing destructive)
            converter = rule._converters[argument]
            values[argument] = sorted(converter.items)[-1] if hasattr(converter, "items") else "x"
    with app.test_request_context():
        from flask import url_for

        return url_for(rule.endpoint, **values)


def _snapshot(db, activity) -> tuple[Any, ...]:
    counts = tuple(
        db.session.scalar(select(func.count()).select_from(model))
        for model in (
            Activity,
            User,
            RoleAssignment,
            Team,
            Organisation,
            ActivityType,
            ActivityCategory,
            Favourite,
            MonthLock,
            ApiToken,
            FeedbackLink,
            FeedbackResponse,
        )
    )
    db.session.expire_all()
    current = db.session.get(Activity, activity.id)
    return counts, current.version, current.deleted_at, current.duration_minutes


def _refused(status: int, location: str, role: str) -> bool:
    if role == "anonymous":
        return status == 401 or (status == 302 and "/sign-in" in location)
    return status in (403, 404)


@pytest.mark.parametrize("role", ROLES)
def test_route_permission_matrix(app, client, world, login, db, role):
    people, params, activity = world
    if role != "anonymous":
        login(people[role])
    problems = []
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        outcome = expected(rule.endpoint)[ROLES.index(role)]
        if rule.endpoint in ("auth.logout", "auth.logout_everywhere"):
            continue  # signing out would end this role's run; covered in test_sign_in
        url = _url(app, rule, params)
        methods = sorted(rule.methods - {"HEAD", "OPTIONS"})
        method = "GET" if "GET" in methods else methods[0]
        before = _snapshot(db, activity)
        if method == "GET":
            response = client.get(url)
        elif rule.endpoint.startswith(API_PREFIX):
            response = client.open(url, method=method, json={})
        else:
            response = client.post_form(url, {}) if method == "POST" else client.open(url, method=method)
        status, location = response.status_code, response.headers.get("Location", "")
        if outcome == "pub":
            ok = status not in (401, 403) and status < 500
        elif outcome == "ok":
            ok = not _refused(status, location, role) and status != 401 and status < 500
        elif outcome == "tok":
            ok = status == 401
        else:
            ok = _refused(status, location, role)
        if outcome in ("no", "tok") and _snapshot(db, activity) != before:
            problems.append(f"{method} {url}: refused but data changed")
        if not ok:
            problems.append(f"{method} {url} as {role}: {status} {location} (expected {outcome})")
        if status >= 500:
            problems.append(f"{method} {url} as {role}: server error {status}")
        assert b"Traceback" not in response.get_data()
        response.close()
    assert problems == [], "\n".join(problems)
