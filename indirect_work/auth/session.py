"""Flask-Login user loader using the alternative-token pattern."""

from __future__ import annotations

from sqlalchemy import select

from indirect_work.auth.models import User
from indirect_work.extensions import db


def load_user(session_token: str) -> User | None:
    """Find the user whose current session token is in the cookie; rotated tokens find nobody."""
    user = db.session.scalar(select(User).where(User.session_token == session_token))
    if user is None or not user.is_active:
        return None
    return user
