"""Production guard and the ``check-deploy`` command."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import func, select

from config import ConfigError
from indirect_work import create_app
from indirect_work.auth.models import User
from indirect_work.extensions import db
from tests.security.conftest import STRONG_SECRET, production_settings

ROOT = Path(__file__).resolve().parents[2]
ENV_NAMES = (
    "SECRET_KEY",
    "DATABASE_URL",
    "IW_DEBUG",
    "IW_API_RATE_LIMIT_STORAGE_URI",
    "IW_MFA_REQUIRED_ROLES",
    "IW_SESSION_IDLE_MINUTES",
    "IW_SESSION_ABSOLUTE_MINUTES",
    "IW_LOGIN_MAX_FAILURES",
    "IW_RETENTION_MONTHS",
    "IW_ALLOW_SQLITE_IN_PRODUCTION",
    "IW_CONFIG",
)


@pytest.fixture
def clean_env(monkeypatch):
    for name in ENV_NAMES:
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"SECRET_KEY": "short"}, "SECRET_KEY must be at least 32"),
        ({"DEBUG": True}, "debug mode must be off"),
        ({"IW_MFA_REQUIRED_ROLES": ("admin",)}, "two-step verification must be required"),
        ({"IW_MFA_REQUIRED_ROLES": ()}, "two-step verification must be required"),
        ({"SESSION_COOKIE_NAME": "session"}, "SESSION_COOKIE_NAME must start with __Host-"),
        ({"SESSION_COOKIE_SECURE": False}, "session cookies must be Secure"),
        ({"SESSION_COOKIE_SAMESITE": None}, "SESSION_COOKIE_SAMESITE must be Lax or Strict"),
        ({"SESSION_COOKIE_HTTPONLY": False}, "SESSION_COOKIE_HTTPONLY must be on"),
        ({"WTF_CSRF_ENABLED": False}, "CSRF protection must be on"),
        ({"MAX_CONTENT_LENGTH": None}, "MAX_CONTENT_LENGTH must be set"),
        ({"IW_SESSION_IDLE_MINUTES": 120}, "IW_SESSION_IDLE_MINUTES"),
        ({"IW_SESSION_ABSOLUTE_MINUTES": 24 * 60}, "IW_SESSION_ABSOLUTE_MINUTES"),
        ({"IW_LOGIN_MAX_FAILURES": 50}, "at most 10 failures"),
        ({"IW_RETENTION_MONTHS": 0}, "IW_RETENTION_MONTHS"),
    ],
)
def test_production_config_guard(clean_env, tmp_path, overrides, message):
    with pytest.raises(ConfigError, match=message):
        create_app(production_settings(f"sqlite:///{tmp_path}/p.db", **overrides))


def test_production_config_guard_mfa_on_and_dev_off(clean_env, tmp_path):
    prod = create_app(production_settings(f"sqlite:///{tmp_path}/p.db"))
    assert set(prod.config["IW_MFA_REQUIRED_ROLES"]) >= {"admin", "team_lead"}
    assert prod.config["SESSION_COOKIE_NAME"].startswith("__Host-")
    dev = create_app({"IW_CONFIG": "development", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/d.db"})
    assert dev.config["IW_MFA_REQUIRED_ROLES"] == ()
    clean_env.setenv("IW_MFA_REQUIRED_ROLES", "admin, team_lead")
    assert create_app(
        {"IW_CONFIG": "testing", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/t.db"}
    ).config["IW_MFA_REQUIRED_ROLES"] == ("admin", "team_lead")


def test_no_default_accounts_in_a_new_database(clean_env, tmp_path):
    """The documented install (``db upgrade``, ``load-reference-data``) creates no account to sign in with."""
    import flask_migrate

    from indirect_work.taxonomy.models import ActivityType

    app = create_app({"IW_CONFIG": "testing", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/new.db"})
    with app.app_context():
        flask_migrate.upgrade(directory=str(ROOT / "migrations"))
        result = app.test_cli_runner().invoke(args=["load-reference-data"])
        assert result.exit_code == 0, result.output
        assert db.session.scalar(select(func.count()).select_from(ActivityType)) > 10  # the steps ran
        assert db.session.scalar(select(func.count()).select_from(User)) == 0
        db.engine.dispose()


def _stamped_production_app(url):
    import flask_migrate

    app = create_app(production_settings(url))
    with app.app_context():
        flask_migrate.stamp(directory=str(ROOT / "migrations"))
    return app


def test_check_deploy_passes_on_a_safe_installation(clean_env, fresh_database_url):
    app = _stamped_production_app(fresh_database_url)
    result = app.test_cli_runner().invoke(args=["check-deploy"])
    assert result.exit_code == 0, result.output
    assert "OK" in result.output
    with app.app_context():
        db.engine.dispose()


def test_check_deploy_fails_on_old_schema_and_demo_accounts(clean_env, fresh_database_url):
    unstamped = create_app(production_settings(fresh_database_url))
    result = unstamped.test_cli_runner().invoke(args=["check-deploy"])
    assert result.exit_code == 1 and "schema is not up to date" in result.output
    app = _stamped_production_app(fresh_database_url)
    with app.app_context():
        from tests.factories import Factory

        Factory().admin(email="admin@example.org")
        db.session.commit()
    result = app.test_cli_runner().invoke(args=["check-deploy"])
    assert result.exit_code == 1 and "demonstration accounts exist" in result.output
    for each in (app, unstamped):
        with each.app_context():
            db.engine.dispose()


def test_check_deploy_lists_every_unsafe_setting(clean_env, tmp_path):
    """Run from a development install, it reports what production would refuse, and fails."""
    clean_env.setenv("SECRET_KEY", "changeme")
    clean_env.setenv("IW_DEBUG", "1")
    clean_env.setenv("IW_MFA_REQUIRED_ROLES", "admin")
    clean_env.setenv("IW_SESSION_IDLE_MINUTES", "240")
    app = create_app({"IW_CONFIG": "development", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/d.db"})
    result = app.test_cli_runner().invoke(args=["check-deploy"])
    assert result.exit_code == 1
    for text in (
        "IW_CONFIG is not 'production'",
        "SECRET_KEY",
        "debug mode",
        "team_lead",
        "IW_SESSION_IDLE_MINUTES",
        "API rate limits are counted per worker",
    ):
        assert text in result.output, text
    with app.app_context():
        db.engine.dispose()


def test_check_deploy_command_exit_status(tmp_path):
    env = {
        **os.environ,
        "IW_CONFIG": "production",
        "SECRET_KEY": STRONG_SECRET,
        "DATABASE_URL": f"sqlite:///{tmp_path}/cli.db",
        "IW_ALLOW_SQLITE_IN_PRODUCTION": "1",
    }
    command = [sys.executable, "-m", "flask", "--app", "indirect_work", "check-deploy"]
    unsafe = subprocess.run(
        command,
        env={**env, "IW_MFA_REQUIRED_ROLES": ""},
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert unsafe.returncode != 0
    assert "two-step verification must be required" in unsafe.stderr
