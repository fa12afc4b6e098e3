"""Health check, error pages, demo seed idempotence and the create-user command."""

from __future__ import annotations

from sqlalchemy import func, select

from indirect_work import create_app
from indirect_work.auth.models import RoleAssignment, User
from indirect_work.capture.models import Activity
from indirect_work.demo.seed import DEMO_ACCOUNTS, seed_demo
from indirect_work.org.models import Organisation, Team
from indirect_work.taxonomy.models import ActivityType


def test_healthz_reports_database_ok(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok"}


def test_healthz_is_503_when_the_database_is_unreachable(tmp_path):
    app = create_app(
        {"IW_CONFIG": "testing", "SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://postgres@127.0.0.1:1/none"}
    )
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["database"] == "unreachable"


def test_not_found_page_leaks_nothing(client):
    response = client.get("/no/such/page")
    html = response.get_data(as_text=True)
    assert response.status_code == 404
    assert "Page not found" in html and "Traceback" not in html and "werkzeug" not in html.lower()


def test_seed_demo_is_realistic_and_idempotent(db):
    first = seed_demo()
    counts = lambda model: db.session.scalar(select(func.count()).select_from(model))  # noqa: E731
    before = {m: counts(m) for m in (Organisation, Team, User, RoleAssignment, Activity, ActivityType)}
    second = seed_demo()
    after = {m: counts(m) for m in (Organisation, Team, User, RoleAssignment, Activity, ActivityType)}
    assert first.users_added == 42 and first.activities_added > 5000
    assert (second.users_added, second.activities_added) == (0, 0)
    assert before == after
    org = db.session.scalar(select(Organisation).where(Organisation.ods_code == "RDM"))
    team_types = {t.service_team_type_code for t in org.teams}
    assert len(org.teams) == 6 and len(team_types) == 6
    for email in DEMO_ACCOUNTS.values():
        assert db.session.scalar(select(User).where(User.email == email)) is not None
    professions = db.session.scalar(
        select(func.count(func.distinct(User.profession_id))).where(User.organisation_id == org.id)
    )
    assert professions >= 10
    assert db.session.scalar(select(func.max(Activity.activity_on))) <= __import__("datetime").date.today()


def test_create_user_command(app, db):
    runner = app.test_cli_runner()
    result = runner.invoke(
        args=[
            "create-user",
            "--email",
            "New.Admin@Example.org",
            "--name",
            "New Admin",
            "--role",
            "admin",
            "--password",
            "a decent passphrase here",
        ]
    )
    assert result.exit_code == 0, result.output
    user = db.session.scalar(select(User).where(User.email == "new.admin@example.org"))
    assert user is not None and user.is_admin


def test_create_user_command_refuses_weak_password_and_bad_role(app, db):
    runner = app.test_cli_runner()
    weak = runner.invoke(
        args=[
            "create-user",
            "--email",
            "x@example.org",
            "--name",
            "X",
            "--role",
            "admin",
            "--password",
            "short",
        ]
    )
    assert weak.exit_code != 0 and "at least 10 characters" in weak.output
    bad = runner.invoke(
        args=[
            "create-user",
            "--email",
            "y@example.org",
            "--name",
            "Y",
            "--role",
            "wizard",
            "--password",
            "a decent passphrase here",
        ]
    )
    assert bad.exit_code != 0 and "unknown role" in bad.output
    assert (
        db.session.scalar(
            select(func.count()).select_from(User).where(User.email.in_(["x@example.org", "y@example.org"]))
        )
        == 0
    )
