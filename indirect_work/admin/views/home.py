"""The admin landing page."""

from __future__ import annotations

from typing import Any

from flask import render_template
from sqlalchemy import func, select

from indirect_work.admin.views.common import bp
from indirect_work.audit.models import AuditEvent
from indirect_work.auth.models import User
from indirect_work.extensions import db
from indirect_work.mail import mail_enabled
from indirect_work.org.models import Organisation, Team
from indirect_work.taxonomy.models import ActivityType


@bp.get("/")
def index() -> Any:
    """The admin landing page with what can be kept here."""

    def count(model: Any, *where: Any) -> int:
        return db.session.scalar(select(func.count()).select_from(model).where(*where)) or 0

    counts = {
        "types": count(ActivityType, ActivityType.is_active.is_(True)),
        "organisations": count(Organisation),
        "teams": count(Team, Team.is_active.is_(True)),
        "people": count(User, User.is_active.is_(True)),
        "events": count(AuditEvent),
    }
    return render_template("admin/index.html", counts=counts, mail_on=mail_enabled())
