"""The counting rules of shared work, stated once; every figure (dashboard, workbook, API, lists) uses them.

A session can be delivered by several staff. Its record holds the creator's part (the record's
clinician, team and ``duration_minutes``); each co-deliverer adds a part (``activity_deliverers``:
their clinician and their own minutes, attributed to the record's team). Figures are computed over
:data:`PARTS`, one row per deliverer of a live session, joined to its record:

* **sessions** (``activities``) count a shared session once: on its creator's part (the *lead*
  part). In the figures of one clinician (``ActivityFilter.clinician_id``), on that clinician's part,
  so each clinician's own figures count every session they delivered;
* **staff minutes / hours** add each deliverer's own minutes;
* **people reached** count once per session, on the same part as the session;
* **clinicians** are distinct people over all deliverers;
* **breakdowns** by profession (and the clinician) attribute each deliverer's minutes to their own
  profession; the session and its people reached go to the creator's profession, so a breakdown's
  rows still add up to its total. Every other dimension (team, team type, category, type, month,
  mechanism, recipient type) belongs to the session, so each of its rows counts the session once
  with all its deliverers' minutes.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, Subquery, case, distinct, func, literal, select, union_all

from indirect_work.capture.filters import ActivityFilter
from indirect_work.capture.models import Activity, ActivityDeliverer
from indirect_work.taxonomy.models import ActivityType

#: One row per deliverer of each record: ``activity_id``, ``clinician_id``, ``minutes``, ``is_lead``.
PARTS: Subquery = union_all(
    select(
        Activity.id.label("activity_id"),
        Activity.clinician_id.label("clinician_id"),
        Activity.duration_minutes.label("minutes"),
        literal(1).label("is_lead"),
    ),
    select(
        ActivityDeliverer.activity_id,
        ActivityDeliverer.clinician_id,
        ActivityDeliverer.minutes,
        literal(0),
    ),
).subquery("parts")

#: Join condition from ``activities`` to its parts.
PARTS_ON = PARTS.c.activity_id == Activity.id


def session_weight(f: ActivityFilter) -> ColumnElement[int]:
    """1 on the part a session (and its people reached) is counted on, else 0."""
    if f.clinician_id is not None:
        return literal(1)
    return PARTS.c.is_lead


def measures(f: ActivityFilter) -> list[Any]:
    """The five measures of :class:`~indirect_work.capture.totals.Totals`, over ``PARTS`` joined to records.

    The statement must join ``activities``, ``activity_types`` and :data:`PARTS` (``PARTS_ON``).
    """
    weight = session_weight(f)
    patient_minutes = func.sum(case((ActivityType.is_patient_specific.is_(True), PARTS.c.minutes), else_=0))
    return [
        func.coalesce(func.sum(weight), 0).label("activities"),
        func.coalesce(func.sum(PARTS.c.minutes), 0).label("minutes"),
        func.coalesce(func.sum(weight * Activity.people_reached), 0).label("people_reached"),
        func.count(distinct(PARTS.c.clinician_id)).label("clinicians"),
        func.coalesce(patient_minutes, 0).label("patient_specific_minutes"),
    ]
