"""Between preview and commit: the signed payload of the valid rows, then saving them all or none."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, time

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import select

from indirect_work.audit.services import record_event
from indirect_work.auth.models import User
from indirect_work.capture.activity_data import ActivityInput
from indirect_work.capture.importer.files import ImportFileError
from indirect_work.capture.importer.rows import ImportPreview
from indirect_work.capture.models import Activity
from indirect_work.capture.outcomes import set_outcomes
from indirect_work.capture.services.bulk import create_many
from indirect_work.extensions import db

PAYLOAD_MAX_AGE = 3600


def _serializer(secret_key: str | bytes) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret_key, salt="capture-import-v1")


def sign_preview(preview: ImportPreview, user: User, secret_key: str | bytes) -> str:
    rows = []
    for row in preview.valid_rows:
        d = row.data
        assert d is not None
        rows.append(
            [
                row.number,
                d.activity_type_id,
                d.activity_on.isoformat(),
                d.duration_minutes,
                d.team_id,
                d.consultation_mechanism_code,
                d.recipient_type_ids,
                d.people_reached,
                d.start_time.strftime("%H:%M:%S") if d.start_time else None,
                ";".join([d.service_request_id, *d.more_service_request_ids])
                if d.service_request_id
                else None,
                d.note,
                row.outcome_ids,
            ]
        )
    return _serializer(secret_key).dumps(
        {"u": user.id, "h": preview.file_hash, "f": preview.filename[:200], "r": rows}
    )


def load_signed(
    token: str, user: User, secret_key: str | bytes
) -> tuple[str, list[tuple[int, ActivityInput]], dict[int, list[int]]]:
    """Undo :func:`sign_preview`; raises :class:`ImportFileError` when stale, altered or someone else's."""
    try:
        payload = _serializer(secret_key).loads(token or "", max_age=PAYLOAD_MAX_AGE)
    except SignatureExpired:
        raise ImportFileError("The preview is more than an hour old. Upload the file again") from None
    except BadSignature:
        raise ImportFileError("The preview could not be read. Upload the file again") from None
    if payload.get("u") != user.id:
        raise ImportFileError("The preview could not be read. Upload the file again")
    rows = []
    outcomes: dict[int, list[int]] = {}
    for row in payload["r"]:
        number, type_id, on, minutes, team_id, mechanism, recipients, people, start, sri, note = row[:11]
        if len(row) > 11 and row[11]:
            outcomes[number] = [int(i) for i in row[11]]
        rows.append(
            (
                number,
                ActivityInput(
                    activity_type_id=type_id,
                    activity_on=date.fromisoformat(on),
                    duration_minutes=minutes,
                    team_id=team_id,
                    consultation_mechanism_code=mechanism,
                    recipient_type_ids=list(recipients),
                    people_reached=people,
                    start_time=time.fromisoformat(start) if start else None,
                    service_request_id=(sri or "").split(";")[0] or None,
                    more_service_request_ids=(sri or "").split(";")[1:],
                    note=note,
                ),
            )
        )
    return payload["h"], rows, outcomes


@dataclass(frozen=True)
class ImportResult:
    created: int
    already_imported: int


def commit_rows(
    user: User,
    file_hash: str,
    rows: list[tuple[int, ActivityInput]],
    outcomes: dict[int, list[int]] | None = None,
) -> ImportResult:
    """Save every row not imported before, and the import's audit event (flush only).

    Any row failing the rules now (a month locked since the preview) fails them all
    (``ValidationFailed``, keyed by row).
    """
    tokens = {number: row_token(user, file_hash, number) for number, _ in rows}
    existing: set[str | None] = set()
    for chunk in range(0, len(rows), 500):
        part = [tokens[number] for number, _ in rows[chunk : chunk + 500]]
        existing |= set(
            db.session.scalars(select(Activity.submission_token).where(Activity.submission_token.in_(part)))
        )
    todo = [
        (f"row {number}", data, tokens[number]) for number, data in rows if tokens[number] not in existing
    ]
    created = create_many(actor=user, rows=todo, source="import")
    new_tokens = {tokens[number]: number for number, _ in rows if tokens[number] not in existing}
    _record_outcomes(user, new_tokens, outcomes or {})
    result = ImportResult(created, len(rows) - len(todo))
    record_event(
        "activity.import",
        actor=user,
        object_type="import",
        object_id=file_hash[:16],
        details={"created": result.created, "already_imported": result.already_imported},
    )
    return result


def row_token(user: User, file_hash: str, number: int) -> str:
    return hashlib.sha256(f"import:{user.id}:{file_hash}:{number}".encode()).hexdigest()


def _record_outcomes(user: User, tokens: dict[str, int], outcomes: dict[int, list[int]]) -> None:
    """The imported rows' outcomes, checked and audited by the one outcome service."""
    wanted = {token: outcomes[number] for token, number in tokens.items() if outcomes.get(number)}
    if not wanted:
        return
    created = db.session.scalars(select(Activity).where(Activity.submission_token.in_(sorted(wanted))))
    for activity in created:
        set_outcomes(
            actor=user,
            activity=activity,
            values=wanted[activity.submission_token or ""],
            field=f"row {tokens[activity.submission_token or '']}",
        )
