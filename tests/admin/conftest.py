"""Admin test helpers: a signed-in admin client and audit look-ups."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from indirect_work.audit.models import AuditEvent


@pytest.fixture
def admin(make: Any, client: Any, login: Any) -> Any:
    """An administrator signed in on ``client``."""
    user = make.admin(full_name="Ada Admin")
    login(user)
    return user


def events(db: Any, action: str, object_id: Any = None) -> list[AuditEvent]:
    query = select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)
    if object_id is not None:
        query = query.where(AuditEvent.object_id == str(object_id))
    return list(db.session.scalars(query))
