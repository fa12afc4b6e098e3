"""Reports services: generate (or serve the published) commissioner workbook and audit it.

Flush, never commit: the request (or command) that asked commits once.
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select

from indirect_work.audit.services import record_event
from indirect_work.capture.models import Activity, MonthLock
from indirect_work.core.dates import month_end, month_start
from indirect_work.extensions import db
from indirect_work.org.models import Organisation, Team
from indirect_work.reports.commissioning import expected_to_report
from indirect_work.reports.disclosure import DisclosurePolicy
from indirect_work.reports.models import Publication
from indirect_work.reports.published import published_month
from indirect_work.reports.workbook import build_workbook, workbook_filename

#: Raised when the workbook's layout or disclosure rules change, so older publications are rebuilt.
WORKBOOK_FORMAT = 2


@dataclass(frozen=True)
class GeneratedWorkbook:
    """The workbook's file name and bytes, their SHA-256, and whether they are the published file."""

    filename: str
    content: bytes
    sha256: str
    published: bool = False


def generate_workbook(
    organisation: Organisation,
    month: date,
    *,
    policy: DisclosurePolicy,
    team_type_code: str | None = None,
    action: str = "report.workbook_download",
    actor_email: str | None = None,
    generated_at: datetime | None = None,
) -> GeneratedWorkbook:
    """The month's workbook, and an audit event naming the file and its SHA-256.

    A month that every team of the provider has locked is published the first time it is asked
    for; later requests get the published bytes for as long as those locks stand.
    """
    month = month_start(month)
    variant = team_type_code or "all"
    key = f"t{policy.threshold}-r{policy.rounding}-f{WORKBOOK_FORMAT}"
    publication = _standing_publication(organisation, month, variant, key)
    if publication is None:
        filename, content = _build(organisation, month, policy, team_type_code, generated_at)
        locks = _complete_locks(organisation, month)
        if locks is not None:
            publication = _publish(organisation, month, variant, key, locks, filename, content)
    else:
        filename, content = publication.filename, publication.content
    digest = hashlib.sha256(content).hexdigest()
    record_event(
        action,
        actor_email=actor_email,
        object_type="organisation",
        object_id=organisation.id,
        details={
            "month": f"{month:%Y-%m}",
            "team_type": team_type_code,
            "file": filename,
            "threshold": policy.threshold,
            "rounding": policy.rounding,
            "sha256": digest,
            "published": publication is not None,
        },
    )
    return GeneratedWorkbook(filename, content, digest, publication is not None)


def _build(
    organisation: Organisation,
    month: date,
    policy: DisclosurePolicy,
    team_type_code: str | None,
    generated_at: datetime | None,
) -> tuple[str, bytes]:
    """Gather and write the workbook; a team type's is cut from the whole provider's pattern."""
    published = published_month(organisation, month, policy, team_type_code, generated_at=generated_at)
    buffer = io.BytesIO()
    build_workbook(published.report, buffer, disclosure=published.disclosure)
    return workbook_filename(organisation.ods_code, month, team_type_code), buffer.getvalue()


def month_fully_locked(organisation: Organisation, month: date) -> bool:
    """True when every team expected to report the month has locked it (the workbook can be published)."""
    return _complete_locks(organisation, month) is not None


def _complete_locks(organisation: Organisation, month: date) -> list[list[object]] | None:
    """``[[team_id, locked_at], ...]`` when every team expected to report has locked the month."""
    with_records = select(Activity.team_id).where(
        Activity.organisation_id == organisation.id,
        Activity.activity_on.between(month, month_end(month)),
        Activity.deleted_at.is_(None),
    )
    teams = set(db.session.scalars(select(Team.id).where(expected_to_report(organisation, with_records))))
    locks = {
        lock.team_id: lock
        for lock in db.session.scalars(
            select(MonthLock).where(MonthLock.month == month, MonthLock.team_id.in_(sorted(teams)))
        )
    }
    if not teams or any(t not in locks or not locks[t].is_locked for t in teams):
        return None
    return [[team_id, locks[team_id].locked_at.isoformat()] for team_id in sorted(teams)]


def _standing_publication(
    organisation: Organisation, month: date, variant: str, key: str
) -> Publication | None:
    """The newest publication of the month whose month locks all still stand."""
    latest = db.session.scalar(
        select(Publication)
        .where(
            Publication.organisation_id == organisation.id,
            Publication.month == month,
            Publication.variant == variant,
            Publication.policy == key,
        )
        .order_by(Publication.id.desc())
        .limit(1)
    )
    if latest is None:
        return None
    team_ids = [int(team_id) for team_id, _ in latest.locks]
    standing = {
        (lock.team_id, lock.locked_at.isoformat())
        for lock in db.session.scalars(
            select(MonthLock).where(
                MonthLock.month == month, MonthLock.team_id.in_(team_ids), MonthLock.is_locked.is_(True)
            )
        )
    }
    return latest if all((int(t), at) in standing for t, at in latest.locks) else None


def _publish(
    organisation: Organisation,
    month: date,
    variant: str,
    key: str,
    locks: list[list[object]],
    filename: str,
    content: bytes,
) -> Publication:
    publication = Publication(
        organisation_id=organisation.id,
        month=month,
        variant=variant,
        policy=key,
        locks=locks,
        filename=filename,
        sha256=hashlib.sha256(content).hexdigest(),
        content=content,
    )
    db.session.add(publication)
    db.session.flush()
    return publication
