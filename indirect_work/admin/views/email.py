"""The "Email and jobs" page: whether email is on, and the latest reminders and links with their results."""

from __future__ import annotations

from typing import Any

from flask import render_template
from sqlalchemy import func, select

from indirect_work.admin.views.common import bp
from indirect_work.audit.models import AuditEvent
from indirect_work.auth.models import User
from indirect_work.extensions import db
from indirect_work.jobs.queue import queue_status
from indirect_work.mail import mail_enabled
from indirect_work.reminders.models import SentReminder

RECENT = 50
LINK_ACTIONS = (
    "auth.invite_link_issued",
    "auth.invite_link_used",
    "auth.reset_link_issued",
    "auth.reset_link_used",
    "auth.reset_throttled",
)


@bp.get("/email")
def email() -> Any:
    """Email settings (never the password), recent reminders with failures, recent links."""
    reminders = db.session.execute(
        select(SentReminder, User.email)
        .join(User, User.id == SentReminder.user_id)
        .order_by(SentReminder.id.desc())
        .limit(RECENT)
    ).all()
    by_status = dict(
        db.session.execute(select(SentReminder.status, func.count()).group_by(SentReminder.status)).all()
    )
    links = db.session.scalars(
        select(AuditEvent)
        .where(AuditEvent.action.in_(LINK_ACTIONS))
        .order_by(AuditEvent.id.desc())
        .limit(RECENT)
    ).all()
    return render_template(
        "admin/email.html",
        mail_on=mail_enabled(),
        reminders=reminders,
        by_status=by_status,
        links=links,
        queue=queue_status(),
    )
