"""Indirect Work: record, review and report the indirect work of psychological professionals."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from config import BaseConfig, load_config
from indirect_work.core.error_handlers import register_error_handlers
from indirect_work.core.inputs import install_bounded_ids
from indirect_work.core.sqlite import configure_sqlite_engine
from indirect_work.core.transactions import IndirectWorkFlask
from indirect_work.core.web import init_web
from indirect_work.extensions import csrf, db, login_manager, migrate
from indirect_work.models import import_all_models


def create_app(config: type[BaseConfig] | Mapping[str, Any] | str | None = None) -> Flask:
    """Build the application.

    ``config`` is a configuration class, a configuration name, or a mapping of overrides applied
    on top of the class selected by ``IW_CONFIG`` (the tests use the mapping form).
    """
    app = IndirectWorkFlask(__name__, instance_relative_config=True)
    overrides: Mapping[str, Any] = {}
    if isinstance(config, Mapping):
        overrides = config
        config_class = load_config(overrides.get("IW_CONFIG"))
    elif isinstance(config, str) or config is None:
        config_class = load_config(config)
    else:
        config_class = config
    settings = config_class.from_environment(app.instance_path)
    settings.update(overrides)
    config_class.validate(settings)
    app.config.update(settings)
    app.config["IW_CONFIG_NAME"] = config_class.NAME
    os.makedirs(app.instance_path, exist_ok=True)

    if app.config["IW_TRUSTED_PROXIES"]:
        hops = app.config["IW_TRUSTED_PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)  # type: ignore[method-assign]

    _init_extensions(app)
    install_bounded_ids(app)
    _register_blueprints(app)
    _wire_ground_floor(app)
    return app


def _wire_ground_floor(app: Flask) -> None:
    """Hand core the feature rules it needs (core imports no feature), then add the commands.

    The imports are deliberately inside: every module imports ``indirect_work.extensions``, which
    runs this package first, so this package must not load the features at import time.
    """
    from indirect_work.audit.services import audit_refused_request
    from indirect_work.auth.mfa import needs_enrolment
    from indirect_work.cli import register_cli

    init_web(app, needs_enrolment=needs_enrolment)
    register_error_handlers(app, audit_refusal=audit_refused_request)
    register_cli(app)


def _init_extensions(app: Flask) -> None:
    import_all_models()
    db.init_app(app)
    migrate.init_app(
        app, db, directory=os.path.join(os.path.dirname(os.path.dirname(__file__)), "migrations")
    )
    csrf.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Sign in to continue."
    login_manager.login_message_category = "info"
    with app.app_context():
        for engine in db.engines.values():
            configure_sqlite_engine(engine)

    from indirect_work.auth.session import load_user  # a feature: see _wire_ground_floor

    login_manager.user_loader(load_user)


def _register_blueprints(app: Flask) -> None:
    """Register every feature's blueprints (imported here, not at the top: see _wire_ground_floor)."""
    from indirect_work.auth.views import bp as auth_bp
    from indirect_work.core.views import bp as core_bp

    app.register_blueprint(core_bp)
    app.register_blueprint(auth_bp)
    from indirect_work.auth.link_views import bp as passwords_bp

    app.register_blueprint(passwords_bp)
    from indirect_work.reports.views import bp as reports_bp

    app.register_blueprint(reports_bp)
    from indirect_work.capture.views import bp as capture_bp

    app.register_blueprint(capture_bp)
    from indirect_work.impact.views import bp as impact_bp

    app.register_blueprint(impact_bp)
    from indirect_work.reports.views import commissioning_bp

    app.register_blueprint(commissioning_bp)
    from indirect_work.reminders.views import bp as reminders_bp

    app.register_blueprint(reminders_bp)
    from indirect_work.admin.views import bp as admin_bp

    app.register_blueprint(admin_bp)
    from indirect_work.api import register as register_api

    register_api(app)
