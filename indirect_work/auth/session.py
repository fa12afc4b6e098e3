"""Flask-Login user loader using the alternative-token pattern."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from indirect_work.auth.models import User
from indirect_work.extensions import db


def load_user(session_token: str) -> User | None:
    """Find the user whose current session token is in the cookie; rotated tokens find nobody.

    The roles come in the same query: every request checks them, so that saves a round trip each time.
    """
    stmt = select(User).options(joinedload(User.role_assignments)).where(User.session_token == session_token)
    user = db.session.execute(stmt).unique().scalar_one_or_none()
    if user is None or not user.is_active:
        return None
    return user
