"""The factory picks the configuration, and production refuses unsafe settings."""

import pytest
from sqlalchemy import text

from config import ConfigError
from config.settings import normalise_database_url
from indirect_work import create_app

STRONG = "k3Jx9-QwPz81_LmN2vBc7Ty5Re4Ua6Io0SdFgHjKl"


def test_factory_defaults_to_development_not_testing(monkeypatch, tmp_path):
    monkeypatch.delenv("IW_CONFIG", raising=False)
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path}/dev.sqlite3")
    app = create_app()
    assert app.config["IW_CONFIG_NAME"] == "development"
    assert not app.testing
    assert not app.debug


def test_testing_config_is_selected_by_name(tmp_path):
    app = create_app({"IW_CONFIG": "testing", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/t.db"})
    assert app.testing


def test_unknown_config_name_is_refused():
    with pytest.raises(ConfigError, match="IW_CONFIG must be one of"):
        create_app("staging")


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({}, "SECRET_KEY is not set"),
        ({"SECRET_KEY": "short"}, "SECRET_KEY must be at least 32"),
        ({"SECRET_KEY": "a" * 40}, "SECRET_KEY must be at least 32"),
        ({"SECRET_KEY": STRONG, "IW_DEBUG": "1"}, "debug mode must be off"),
        ({"SECRET_KEY": STRONG, "DATABASE_URL": "sqlite:////tmp/x.db"}, "production uses PostgreSQL"),
        ({"SECRET_KEY": STRONG, "DATABASE_URL": ""}, "DATABASE_URL is not set"),
        ({"SECRET_KEY": STRONG, "IW_DISCLOSURE_ROUNDING": "1"}, "rounded to at least 3"),
        ({"SECRET_KEY": STRONG, "IW_SUPPRESSION_THRESHOLD": "2"}, "suppressed below 3 clinicians"),
        ({"SECRET_KEY": STRONG, "IW_DISCLOSURE_ROUNDING": "0"}, "must be 1 or more"),
        ({"SECRET_KEY": STRONG, "IW_SMTP_HOST": "smtp.example.nhs.uk"}, "IW_BASE_URL must be the https"),
        (
            {"SECRET_KEY": STRONG, "IW_SMTP_HOST": "smtp.example.nhs.uk", "IW_BASE_URL": "http://iw.example"},
            "IW_BASE_URL must be the https",
        ),
        ({"SECRET_KEY": STRONG, "IW_LINK_HOURS": "200"}, "IW_LINK_HOURS must be between"),
    ],
)
def test_production_refuses_unsafe_settings(monkeypatch, env, message):
    for name in (
        "SECRET_KEY",
        "DATABASE_URL",
        "IW_DEBUG",
        "IW_ALLOW_SQLITE_IN_PRODUCTION",
        "IW_DISCLOSURE_ROUNDING",
        "IW_SUPPRESSION_THRESHOLD",
        "IW_SMTP_HOST",
        "IW_BASE_URL",
        "IW_LINK_HOURS",
    ):
        monkeypatch.delenv(name, raising=False)
    env = {"DATABASE_URL": "postgresql://u@127.0.0.1/db", **env}
    for name, value in env.items():
        if value:
            monkeypatch.setenv(name, value)
    with pytest.raises(ConfigError, match=message):
        create_app("production")


def test_production_starts_with_safe_settings_and_secure_cookies(monkeypatch, tmp_path):
    monkeypatch.setenv("SECRET_KEY", STRONG)
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path}/prod.db")
    monkeypatch.setenv("IW_ALLOW_SQLITE_IN_PRODUCTION", "1")
    monkeypatch.delenv("IW_DEBUG", raising=False)
    app = create_app("production")
    assert app.config["SESSION_COOKIE_NAME"] == "__Host-session"
    assert app.config["SESSION_COOKIE_SECURE"] and app.config["SESSION_COOKIE_HTTPONLY"]
    assert app.config["SESSION_COOKIE_SAMESITE"] == "Lax"
    assert not app.debug


def test_postgres_urls_use_psycopg3():
    assert normalise_database_url("postgres://u@h/d") == "postgresql+psycopg://u@h/d"
    assert normalise_database_url("postgresql://u@h/d") == "postgresql+psycopg://u@h/d"
    assert normalise_database_url("sqlite:///x.db") == "sqlite:///x.db"


def test_sqlite_connections_use_wal_foreign_keys_and_busy_timeout(tmp_path):
    from indirect_work.extensions import db

    app = create_app({"IW_CONFIG": "testing", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/p.db"})
    with app.app_context():
        for _ in range(2):  # a fresh pooled connection each time must be set up the same way
            with db.engine.connect() as conn:
                assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
                assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
                assert conn.execute(text("PRAGMA busy_timeout")).scalar() >= 5000
            db.engine.dispose()
        db.engine.dispose()
