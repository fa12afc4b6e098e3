"""``check-deploy``: every reason this installation is not safe to run as production."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import Flask
from sqlalchemy import func, inspect, select, text

from config.settings import ProductionConfig, production_problems
from indirect_work.auth.models import User
from indirect_work.demo.seed import DEMO_ACCOUNTS
from indirect_work.extensions import db

MIGRATIONS = Path(__file__).resolve().parents[2] / "migrations"


def effective_production_settings(app: Flask) -> dict[str, Any]:
    """The running settings in production; otherwise what production would load from this environment."""
    if app.config.get("IW_CONFIG_NAME") == "production":
        return dict(app.config)
    return ProductionConfig.from_environment(app.instance_path)


def schema_problems() -> list[str]:
    """The database must answer and carry the newest migration."""
    try:
        with db.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
            current = set(MigrationContext.configure(connection).get_current_heads())
    except Exception as exc:  # noqa: BLE001 - any failure means the database is unusable
        return [f"the database does not answer ({exc.__class__.__name__})"]
    config = Config(str(MIGRATIONS / "alembic.ini"))
    config.set_main_option("script_location", str(MIGRATIONS))
    heads = set(ScriptDirectory.from_config(config).get_heads())
    if current != heads:
        return [
            "the database schema is not up to date (run: flask db upgrade); "
            f"at {sorted(current) or 'none'}, "
            f"expected {sorted(heads)}"
        ]
    return []


def account_problems() -> list[str]:
    """No demonstration accounts (with their published password) may exist in production."""
    if not inspect(db.engine).has_table("users"):
        return []
    demo = db.session.scalar(
        select(func.count()).select_from(User).where(User.email.in_(list(DEMO_ACCOUNTS.values())))
    )
    return ["demonstration accounts exist (seed-demo was run): remove them"] if demo else []


def rate_limit_problems(app: Flask) -> list[str]:
    """API rate limits must be counted in one place for every worker, not per process."""
    uri = str(app.config.get("IW_API_RATE_LIMIT_STORAGE_URI") or "memory://")
    if uri.startswith("memory://"):
        return [
            "API rate limits are counted per worker (IW_API_RATE_LIMIT_STORAGE_URI is memory://); "
            "set it to a shared store such as redis://127.0.0.1:6379/0"
        ]
    return []


def deploy_problems(app: Flask) -> list[str]:
    """Everything that would make this installation unsafe as a production service."""
    problems = []
    if app.config.get("IW_CONFIG_NAME") != "production":
        problems.append("IW_CONFIG is not 'production'")
    problems += production_problems(effective_production_settings(app))
    problems += rate_limit_problems(app)
    problems += schema_problems()
    if not problems:
        problems += account_problems()
    return problems
