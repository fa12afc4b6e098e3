"""Environment-driven settings for development, testing and production.

Every setting is read from the environment when the app is created (never at import time), so one
process can build apps for several configurations, as the tests do.
"""

from __future__ import annotations

import os
from datetime import timedelta
from typing import Any


class ConfigError(RuntimeError):
    """Raised when the configuration is unsafe or incomplete; the app refuses to start."""


def _env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value is None or not value.strip():
        return default
    try:
        return int(value)
    except ValueError as exc:
        raise ConfigError(f"{name} must be a whole number, not {value!r}") from exc


def _env_list(name: str, default: tuple[str, ...]) -> tuple[str, ...]:
    value = os.environ.get(name)
    if value is None:
        return default
    return tuple(part.strip() for part in value.split(",") if part.strip())


def normalise_database_url(url: str) -> str:
    """Point plain ``postgres://``/``postgresql://`` URLs at the psycopg 3 driver."""
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://") :]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    return url


class BaseConfig:
    """Settings shared by every environment; subclasses override what differs."""

    NAME = "base"
    DEBUG = False
    TESTING = False

    #: Cookies: HttpOnly and SameSite everywhere; Secure and the __Host- prefix in production.
    SESSION_COOKIE_NAME = "iw_session"
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = False
    REMEMBER_COOKIE_NAME = "iw_remember"
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_SECURE = False
    REMEMBER_COOKIE_DURATION = timedelta(hours=12)

    #: Uploads (spreadsheet import) are capped well below anything that could exhaust memory.
    MAX_CONTENT_LENGTH = 10 * 1024 * 1024

    SQLALCHEMY_ENGINE_OPTIONS: dict[str, Any] = {"pool_pre_ping": True}
    SQLALCHEMY_RECORD_QUERIES = False

    WTF_CSRF_TIME_LIMIT = 8 * 3600

    #: Server-side session limits (minutes).
    IW_SESSION_IDLE_MINUTES = 30
    IW_SESSION_ABSOLUTE_MINUTES = 12 * 60
    #: Commissioner outputs suppress cells built from fewer distinct clinicians than this.
    IW_SUPPRESSION_THRESHOLD = 3
    #: A PostgreSQL read replica for dashboards, workbooks and roll-ups (docs/deployment.md); none by default.
    IW_REPLICA_DATABASE_URL: str | None = None
    #: A replica further behind than this is passed over for the primary.
    IW_REPLICA_MAX_LAG_SECONDS = 30
    #: After the replica fails, the primary serves for this long before the replica is tried again.
    IW_REPLICA_RETRY_SECONDS = 10
    #: Commissioner outputs round every published figure to the nearest multiple of this, so no
    #: suppressed figure can be worked out by subtraction (docs/disclosure.md). 1 publishes exact
    #: figures and is refused in production.
    IW_DISCLOSURE_ROUNDING = 5
    #: Production only: allow SQLite (single-server installs that accept its limits).
    IW_ALLOW_SQLITE_IN_PRODUCTION = False
    #: Number of reverse proxies in front of the app whose X-Forwarded-* headers are trusted.
    IW_TRUSTED_PROXIES = 0
    #: Failed sign-ins allowed per account within the window before sign-in is refused.
    IW_LOGIN_MAX_FAILURES = 10
    IW_LOGIN_WINDOW_MINUTES = 5
    #: Roles that must use two-step verification (an authenticator app) to sign in. Production
    #: requires it for admins and team leads (DTAC C3.4); development and tests leave it optional.
    IW_MFA_REQUIRED_ROLES: tuple[str, ...] = ()
    #: Name shown in the authenticator app next to the account.
    IW_MFA_ISSUER = "Indirect Work"
    #: Minutes between the password and the authenticator code at sign-in.
    IW_MFA_PENDING_MINUTES = 5
    #: Activities whose date is older than this many months are removed by ``purge-expired``
    #: (the trust's information governance lead sets it from the Records Management Code of Practice).
    IW_RETENTION_MONTHS = 96
    #: Days a recipient feedback link stays open unless its clinician closes it first.
    IW_FEEDBACK_EXPIRY_DAYS = 30
    #: Feedback form posts allowed from one client address within the sign-in throttle's window
    #: (a training room behind one NAT address must still be able to answer).
    IW_FEEDBACK_MAX_PER_ADDRESS = 60
    #: Outgoing email (invitations, password reset links, reminders). No host: email is off.
    IW_SMTP_HOST: str | None = None
    IW_SMTP_PORT = 587
    IW_SMTP_USERNAME: str | None = None
    IW_SMTP_PASSWORD: str | None = None
    #: Upgrade the SMTP connection with STARTTLS before signing in and sending.
    IW_SMTP_STARTTLS = True
    IW_SMTP_TIMEOUT_SECONDS = 10
    #: Further tries after a temporary SMTP failure, waiting this many seconds, then twice as long...
    IW_SMTP_RETRIES = 2
    IW_SMTP_RETRY_SECONDS = 2
    IW_MAIL_FROM = "Indirect Work <no-reply@localhost>"
    #: The address links in emails point at (scheme and host, e.g. https://indirect-work.example.nhs.uk),
    #: never taken from the request's Host header; required in production when email is on.
    IW_BASE_URL: str | None = None
    #: Hours an invitation or password reset link stays valid.
    IW_LINK_HOURS = 24
    #: Redis for the job queue (``redis://host:6379/1``); none: jobs run inline, in the command or request.
    IW_REDIS_URL: str | None = None
    IW_JOB_QUEUE = "indirect-work"
    #: Retries of a failed job, the first after this many seconds, then 6 and 30 times as long.
    IW_JOB_RETRIES = 3
    IW_JOB_RETRY_SECONDS = 10
    #: Weekly reminder: weekday (0 Monday .. 6 Sunday) and hour (UTC) from which it is due.
    IW_REMINDER_WEEKDAY = 4
    IW_REMINDER_HOUR = 14

    @classmethod
    def from_environment(cls, instance_path: str) -> dict[str, Any]:
        """Return this class's settings with environment overrides applied."""
        settings = {key: getattr(cls, key) for key in dir(cls) if key.isupper()}
        settings["SECRET_KEY"] = os.environ.get("SECRET_KEY") or cls.default_secret_key()
        url = os.environ.get("DATABASE_URL") or cls.default_database_url(instance_path)
        settings["SQLALCHEMY_DATABASE_URI"] = normalise_database_url(url) if url else None
        settings["IW_SESSION_IDLE_MINUTES"] = _env_int("IW_SESSION_IDLE_MINUTES", cls.IW_SESSION_IDLE_MINUTES)
        settings["IW_SESSION_ABSOLUTE_MINUTES"] = _env_int(
            "IW_SESSION_ABSOLUTE_MINUTES", cls.IW_SESSION_ABSOLUTE_MINUTES
        )
        settings["IW_SUPPRESSION_THRESHOLD"] = _env_int(
            "IW_SUPPRESSION_THRESHOLD", cls.IW_SUPPRESSION_THRESHOLD
        )
        settings["IW_DISCLOSURE_ROUNDING"] = _env_int("IW_DISCLOSURE_ROUNDING", cls.IW_DISCLOSURE_ROUNDING)
        settings["IW_TRUSTED_PROXIES"] = _env_int("IW_TRUSTED_PROXIES", cls.IW_TRUSTED_PROXIES)
        settings["IW_ALLOW_SQLITE_IN_PRODUCTION"] = _env_bool(
            "IW_ALLOW_SQLITE_IN_PRODUCTION", cls.IW_ALLOW_SQLITE_IN_PRODUCTION
        )
        settings["DEBUG"] = _env_bool("IW_DEBUG", cls.DEBUG)
        settings["IW_MFA_REQUIRED_ROLES"] = _env_list("IW_MFA_REQUIRED_ROLES", cls.IW_MFA_REQUIRED_ROLES)
        settings["IW_LOGIN_MAX_FAILURES"] = _env_int("IW_LOGIN_MAX_FAILURES", cls.IW_LOGIN_MAX_FAILURES)
        settings["IW_LOGIN_WINDOW_MINUTES"] = _env_int("IW_LOGIN_WINDOW_MINUTES", cls.IW_LOGIN_WINDOW_MINUTES)
        settings["IW_RETENTION_MONTHS"] = _env_int("IW_RETENTION_MONTHS", cls.IW_RETENTION_MONTHS)
        settings["IW_REPLICA_DATABASE_URL"] = os.environ.get("IW_REPLICA_DATABASE_URL") or None
        settings.update(_mail_settings(cls))
        for name in ("IW_REPLICA_MAX_LAG_SECONDS", "IW_REPLICA_RETRY_SECONDS"):
            settings[name] = _env_int(name, getattr(cls, name))
        settings["IW_FEEDBACK_EXPIRY_DAYS"] = _env_int("IW_FEEDBACK_EXPIRY_DAYS", cls.IW_FEEDBACK_EXPIRY_DAYS)
        settings["IW_FEEDBACK_MAX_PER_ADDRESS"] = _env_int(
            "IW_FEEDBACK_MAX_PER_ADDRESS", cls.IW_FEEDBACK_MAX_PER_ADDRESS
        )
        return settings

    @classmethod
    def default_secret_key(cls) -> str | None:
        return None

    @classmethod
    def default_database_url(cls, instance_path: str) -> str | None:
        return "sqlite:///" + os.path.join(instance_path, "indirect_work.sqlite3")

    @classmethod
    def validate(cls, settings: dict[str, Any]) -> None:
        """Raise :class:`ConfigError` when the settings are unusable."""
        if not settings.get("SECRET_KEY"):
            raise ConfigError("SECRET_KEY is not set")
        if not settings.get("SQLALCHEMY_DATABASE_URI"):
            raise ConfigError("DATABASE_URL is not set")
        if (
            int(settings.get("IW_SUPPRESSION_THRESHOLD", 0)) < 1
            or int(settings.get("IW_DISCLOSURE_ROUNDING", 0)) < 1
        ):
            raise ConfigError("IW_SUPPRESSION_THRESHOLD and IW_DISCLOSURE_ROUNDING must be 1 or more")
        replica = settings.get("IW_REPLICA_DATABASE_URL")
        if replica and not (
            normalise_database_url(replica).startswith("postgresql")
            and str(settings["SQLALCHEMY_DATABASE_URI"]).startswith("postgresql")
        ):
            raise ConfigError("IW_REPLICA_DATABASE_URL needs PostgreSQL for both the primary and the replica")


def _mail_settings(cls: type[BaseConfig]) -> dict[str, Any]:
    """The email settings (``IW_SMTP_*``, ``IW_MAIL_FROM``, ``IW_BASE_URL``, links and reminders)."""
    settings: dict[str, Any] = {}
    for name in ("IW_SMTP_HOST", "IW_SMTP_USERNAME", "IW_SMTP_PASSWORD", "IW_BASE_URL", "IW_REDIS_URL"):
        settings[name] = os.environ.get(name) or getattr(cls, name)
    settings["IW_MAIL_FROM"] = os.environ.get("IW_MAIL_FROM") or cls.IW_MAIL_FROM
    settings["IW_JOB_QUEUE"] = os.environ.get("IW_JOB_QUEUE") or cls.IW_JOB_QUEUE
    settings["IW_SMTP_STARTTLS"] = _env_bool("IW_SMTP_STARTTLS", cls.IW_SMTP_STARTTLS)
    for name in (
        "IW_SMTP_PORT",
        "IW_SMTP_TIMEOUT_SECONDS",
        "IW_SMTP_RETRIES",
        "IW_SMTP_RETRY_SECONDS",
        "IW_LINK_HOURS",
        "IW_REMINDER_WEEKDAY",
        "IW_REMINDER_HOUR",
        "IW_JOB_RETRIES",
        "IW_JOB_RETRY_SECONDS",
    ):
        settings[name] = _env_int(name, getattr(cls, name))
    return settings


class DevelopmentConfig(BaseConfig):
    """Local development: SQLite in the instance folder, a fixed throwaway secret."""

    NAME = "development"

    @classmethod
    def default_secret_key(cls) -> str:
        return "development-only-secret-key-not-for-production"


class TestingConfig(DevelopmentConfig):
    """The test suite: fast password hashing and an isolated database supplied by the tests."""

    NAME = "testing"
    TESTING = True
    IW_FAST_PASSWORD_HASHING = True


class ProductionConfig(BaseConfig):
    """Production: no defaults for secrets, secure cookies, PostgreSQL unless SQLite is allowed."""

    NAME = "production"
    SESSION_COOKIE_NAME = "__Host-session"
    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_NAME = "__Host-remember"
    REMEMBER_COOKIE_SECURE = True
    PREFERRED_URL_SCHEME = "https"
    IW_MFA_REQUIRED_ROLES = ("admin", "team_lead")

    @classmethod
    def default_database_url(cls, instance_path: str) -> str | None:
        return None

    @classmethod
    def validate(cls, settings: dict[str, Any]) -> None:
        super().validate(settings)
        problems = production_problems(settings)
        if problems:
            raise ConfigError("; ".join(problems))


WEAK_SECRETS = {"dev", "secret", "changeme", "change-me", "development-only-secret-key-not-for-production"}


def production_problems(settings: dict[str, Any]) -> list[str]:
    """List every reason these settings are unsafe for production (empty when they are fine)."""
    problems = []
    secret = settings.get("SECRET_KEY") or ""
    if len(secret) < 32 or secret.lower() in WEAK_SECRETS or len(set(secret)) < 10:
        problems.append(
            "SECRET_KEY must be at least 32 random characters (try: python -c "
            "'import secrets; print(secrets.token_urlsafe(48))')"
        )
    if settings.get("DEBUG"):
        problems.append("debug mode must be off in production (unset IW_DEBUG)")
    uri = settings.get("SQLALCHEMY_DATABASE_URI") or ""
    if uri.startswith("sqlite") and not settings.get("IW_ALLOW_SQLITE_IN_PRODUCTION"):
        problems.append("production uses PostgreSQL; set IW_ALLOW_SQLITE_IN_PRODUCTION=1 to accept SQLite")
    if not settings.get("SESSION_COOKIE_SECURE") or not settings.get("REMEMBER_COOKIE_SECURE"):
        problems.append("session cookies must be Secure in production")
    for name in ("SESSION_COOKIE_NAME", "REMEMBER_COOKIE_NAME"):
        if not str(settings.get(name) or "").startswith("__Host-"):
            problems.append(f"{name} must start with __Host- in production")
    for name in ("SESSION_COOKIE_HTTPONLY", "REMEMBER_COOKIE_HTTPONLY"):
        if not settings.get(name):
            problems.append(f"{name} must be on in production")
    for name in ("SESSION_COOKIE_SAMESITE", "REMEMBER_COOKIE_SAMESITE"):
        if settings.get(name) not in ("Lax", "Strict"):
            problems.append(f"{name} must be Lax or Strict in production")
    if settings.get("WTF_CSRF_ENABLED") is False:
        problems.append("CSRF protection must be on in production")
    if not settings.get("MAX_CONTENT_LENGTH"):
        problems.append("MAX_CONTENT_LENGTH must be set in production")
    if (
        int(settings.get("IW_DISCLOSURE_ROUNDING") or 0) < 3
        or int(settings.get("IW_SUPPRESSION_THRESHOLD") or 0) < 3
    ):
        problems.append(
            "commissioner figures must be suppressed below 3 clinicians and rounded to at least 3 in "
            "production (IW_SUPPRESSION_THRESHOLD, IW_DISCLOSURE_ROUNDING; see docs/disclosure.md)"
        )
    missing = {"admin", "team_lead"} - set(settings.get("IW_MFA_REQUIRED_ROLES") or ())
    if missing:
        problems.append(
            "two-step verification must be required for admins and team leads "
            f"(IW_MFA_REQUIRED_ROLES lacks {', '.join(sorted(missing))})"
        )
    if not 0 < int(settings.get("IW_SESSION_IDLE_MINUTES") or 0) <= 30:
        problems.append("IW_SESSION_IDLE_MINUTES must be between 1 and 30 in production")
    if not 0 < int(settings.get("IW_SESSION_ABSOLUTE_MINUTES") or 0) <= 12 * 60:
        problems.append("IW_SESSION_ABSOLUTE_MINUTES must be between 1 and 720 in production")
    if (
        not 0 < int(settings.get("IW_LOGIN_MAX_FAILURES") or 0) <= 10
        or int(settings.get("IW_LOGIN_WINDOW_MINUTES") or 0) < 5
    ):
        problems.append("sign-in throttling must allow at most 10 failures in at least 5 minutes")
    if int(settings.get("IW_RETENTION_MONTHS") or 0) <= 0:
        problems.append("IW_RETENTION_MONTHS must be a positive number of months")
    if settings.get("IW_SMTP_HOST") and not str(settings.get("IW_BASE_URL") or "").startswith("https://"):
        problems.append("IW_BASE_URL must be the https:// address of the service when email is on")
    if not 1 <= int(settings.get("IW_LINK_HOURS") or 0) <= 72:
        problems.append("IW_LINK_HOURS must be between 1 and 72 in production")
    return problems


CONFIGS: dict[str, type[BaseConfig]] = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}


def load_config(name: str | None = None) -> type[BaseConfig]:
    """Return the configuration class named by ``name`` or ``IW_CONFIG`` (default: development)."""
    name = (name or os.environ.get("IW_CONFIG") or "development").strip().lower()
    try:
        return CONFIGS[name]
    except KeyError:
        raise ConfigError(f"IW_CONFIG must be one of {', '.join(CONFIGS)}, not {name!r}") from None
