"""The shared roll-up: grouped sums match totals computed by hand from the same rows."""

from datetime import date, timedelta

from indirect_work.reports.dimensions import Dimension
from indirect_work.reports.queries import ActivityFilter, rollup, totals


def test_rollup_by_month_and_category_matches_hand_totals(make, db):
    team = make.team()
    other_team = make.team()
    alice = make.clinician(team, profession_code="CBT")
    bob = make.clinician(team, profession_code="PWP")
    outsider = make.clinician(other_team)
    day = date(2026, 3, 10)
    rows = [
        make.activity(
            alice, type_code="CONSULT_TEAM", duration_minutes=30, people_reached=2, activity_on=day
        ),
        make.activity(
            alice,
            type_code="TRAIN_STAFF",
            duration_minutes=90,
            people_reached=12,
            activity_on=day + timedelta(days=30),
            recipients=["WARD_STAFF", "TRAINEES"],
        ),
        make.activity(bob, type_code="CONSULT_TEAM", duration_minutes=45, people_reached=1, activity_on=day),
    ]
    deleted = make.activity(bob, type_code="CONSULT_TEAM", duration_minutes=600, activity_on=day)
    from indirect_work.core.db import utcnow

    deleted.deleted_at = utcnow()
    make.activity(outsider, duration_minutes=999, activity_on=day)
    db.session.flush()

    f = ActivityFilter(start=date(2026, 1, 1), end=date(2026, 12, 31), team_ids=frozenset({team.id}))
    t = totals(f)
    assert (t.activities, t.minutes, t.people_reached, t.clinicians) == (3, 165, 15, 2)

    by_month = {r.keys[0]: r for r in rollup(f, [Dimension.MONTH])}
    assert {k: v.minutes for k, v in by_month.items()} == {"2026-03": 75, "2026-04": 90}
    by_category = {r.labels[0]: r.minutes for r in rollup(f, [Dimension.CATEGORY])}
    assert by_category == {"Consultation": 75, "Teaching and training delivered": 90}
    by_profession = {r.labels[0]: r.minutes for r in rollup(f, [Dimension.PROFESSION])}
    assert by_profession == {
        "Cognitive behavioural therapist": 120,
        "Psychological wellbeing practitioner": 45,
    }
    by_recipient = {r.labels[0]: r.activities for r in rollup(f, [Dimension.RECIPIENT_TYPE])}
    assert by_recipient == {
        "Mental health team staff": 2,
        "Inpatient ward staff": 1,
        "Trainees or students": 1,
    }
    # The same figures summed by hand from the three records that count, month by month.
    hand: dict[str, list[int]] = {}
    for row in rows:
        month = hand.setdefault(row.activity_on.strftime("%Y-%m"), [0, 0, 0])
        month[0] += 1
        month[1] += row.duration_minutes
        month[2] += row.people_reached
    assert {k: [v.activities, v.minutes, v.people_reached] for k, v in by_month.items()} == hand
