"""JSON API v1 (``/api/v1``): personal bearer tokens, the capture rules, roll-ups and an OpenAPI document."""

from __future__ import annotations

from flask import Flask

from indirect_work.api.ratelimit import init_rate_limits
from indirect_work.extensions import csrf


def register(app: Flask) -> None:
    """Register the API blueprint (CSRF-exempt: writes need a bearer token) and the tokens page.

    The route imports are deliberately inside: importing any ``indirect_work.api`` module (the token
    model's command, the schemas) must not load every API route and, through them, the features.
    """
    from indirect_work.api import (
        impact_views,  # noqa: F401 - adds the impact routes to the blueprint
        sharing_views,  # noqa: F401  (adds the shared-session routes to the API)
    )
    from indirect_work.api.token_views import bp as tokens_bp
    from indirect_work.api.views import bp as api_bp

    csrf.exempt(api_bp)
    init_rate_limits(app)
    app.register_blueprint(api_bp)
    app.register_blueprint(tokens_bp)
