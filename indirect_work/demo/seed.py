"""One realistic demo provider: six teams, about forty clinicians and a year of activity.

Deterministic (fixed random seed) and idempotent: a second run adds nothing.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, time, timedelta

from sqlalchemy import func, insert, select

from indirect_work.auth.models import Role, User
from indirect_work.auth.passwords import hash_password
from indirect_work.auth.services import create_user, get_user_by_email
from indirect_work.capture.models import Activity, MonthLock, activity_recipients
from indirect_work.core.dates import add_months, month_start, months_between
from indirect_work.demo.impact import seed_impact
from indirect_work.demo.sample_data import (
    DURATIONS,
    FIRST,
    LAST,
    MECHANISMS,
    NOTES,
    PROFESSION_MIX,
    REACH_BY_PREFIX,
    RECIPIENTS_BY_TYPE,
    TYPE_WEIGHTS,
)
from indirect_work.extensions import db
from indirect_work.org.models import Organisation, Profession, Team
from indirect_work.reminders.models import KINDS as REMINDER_KINDS
from indirect_work.reminders.models import ReminderOptOut
from indirect_work.taxonomy.models import ActivityType, RecipientType
from indirect_work.taxonomy.services import load_reference_data

DEMO_ODS = "RDM"
DEMO_PASSWORD = "demo-password-2026"
DEMO_DOMAIN = "example.org"

#: (local id, name, MHSDS service or team type)
DEMO_TEAMS = [
    ("CMHT-N", "North Community Mental Health Team", "A06"),
    ("EIP", "Early Intervention in Psychosis", "A14"),
    ("PTS", "Psychological Therapies Service", "A13"),
    ("LIAISON", "Psychiatric Liaison Service", "A11"),
    ("MHST", "Mental Health Support Teams in Schools", "F01"),
    ("PDS", "Personality Disorder Service", "A16"),
]

#: The sign-ins listed in the README.
DEMO_ACCOUNTS = {
    "clinician": f"clinician@{DEMO_DOMAIN}",
    "team lead": f"lead@{DEMO_DOMAIN}",
    "commissioner": f"commissioner@{DEMO_DOMAIN}",
    "admin": f"admin@{DEMO_DOMAIN}",
}


@dataclass
class SeedSummary:
    users_added: int
    activities_added: int


def seed_demo(*, today: date | None = None) -> SeedSummary:
    """Create the demo provider, its people and a year of activity (idempotent; flushes only)."""
    load_reference_data()
    today = today or date.today()
    rng = random.Random(2026)
    organisation = _ensure_organisation()
    teams = _ensure_teams(organisation)
    clinicians, users_added = _ensure_people(organisation, teams)
    _no_reminders()
    existing = db.session.scalar(
        select(func.count()).select_from(Activity).where(Activity.organisation_id == organisation.id)
    )
    activities_added = 0
    if not existing:
        activities_added = _generate_year(rng, organisation, clinicians, today)
        _lock_checked_months(teams, clinicians, today)
        _choose_snomed_concepts()
        seed_impact(rng, organisation, today)
    return SeedSummary(users_added, activities_added)


def _no_reminders() -> None:
    """The demo sends no email: every demo person is opted out of every reminder."""
    people = db.session.scalars(select(User.id).where(User.email.endswith(f"@{DEMO_DOMAIN}"))).all()
    have = {(u, k) for u, k in db.session.execute(select(ReminderOptOut.user_id, ReminderOptOut.kind))}
    db.session.add_all(
        ReminderOptOut(user_id=user_id, kind=kind)
        for user_id in people
        for kind in REMINDER_KINDS
        if (user_id, kind) not in have
    )
    db.session.flush()


def _ensure_organisation() -> Organisation:
    """The demo provider, created once."""
    organisation = db.session.scalar(select(Organisation).where(Organisation.ods_code == DEMO_ODS))
    if organisation is None:
        organisation = Organisation(
            ods_code=DEMO_ODS,
            name="Riverside Mental Health NHS Foundation Trust (demo)",
            default_commissioner_code="15N",
        )
        db.session.add(organisation)
        db.session.flush()
    return organisation


def _ensure_teams(organisation: Organisation) -> list[Team]:
    """The demo teams, in ``DEMO_TEAMS`` order, each created once."""
    teams = []
    for local_id, name, type_code in DEMO_TEAMS:
        team = db.session.scalar(
            select(Team).where(Team.organisation_id == organisation.id, Team.local_id == local_id)
        )
        if team is None:
            team = Team(
                organisation=organisation, local_id=local_id, name=name, service_team_type_code=type_code
            )
            db.session.add(team)
        teams.append(team)
    db.session.flush()
    return teams


def _ensure_people(organisation: Organisation, teams: list[Team]) -> tuple[list[tuple[User, Team]], int]:
    """The 40 clinicians (the first of each team also leads it), the commissioner and the admin.

    Returns the clinicians with their teams and how many accounts were new.
    """
    professions = {p.code: p for p in db.session.scalars(select(Profession))}
    added: list[User] = []
    # One hash for every demo account: argon2id is deliberately slow, and these share a password.
    demo_hash = hash_password(DEMO_PASSWORD)

    def ensure_user(
        email: str,
        name: str,
        roles: list[tuple[Role, int | None]],
        *,
        profession_id: int | None = None,
        staff_local_id: str | None = None,
        default_team_id: int | None = None,
    ) -> User:
        user = get_user_by_email(email)
        if user is None:
            user = create_user(
                email=email,
                full_name=name,
                roles=roles,
                organisation_id=organisation.id,
                profession_id=profession_id,
                staff_local_id=staff_local_id,
                default_team_id=default_team_id,
            )
            user.password_hash = demo_hash
            added.append(user)
        return user

    clinicians: list[tuple[User, Team]] = []
    for index in range(40):
        team = teams[index % len(teams)]
        profession = professions[PROFESSION_MIX[index % len(PROFESSION_MIX)]]
        roles: list[tuple[Role, int | None]] = [(Role.CLINICIAN, team.id)]
        if index < len(teams):
            roles.append((Role.TEAM_LEAD, team.id))
        user = ensure_user(
            _clinician_email(index),
            f"{FIRST[index]} {LAST[index]}",
            roles,
            profession_id=profession.id,
            staff_local_id=f"RDM{1000 + index}",
            default_team_id=team.id,
        )
        clinicians.append((user, team))
    ensure_user(DEMO_ACCOUNTS["commissioner"], "Chris Commissioner", [(Role.COMMISSIONER, organisation.id)])
    ensure_user(DEMO_ACCOUNTS["admin"], "Alex Admin", [(Role.ADMIN, None)])
    db.session.flush()
    return clinicians, len(added)


def _clinician_email(index: int) -> str:
    """Two of the clinicians are the published demo sign-ins; the others are named.

    The first clinician of each team also leads it. The lead sign-in is the second team's lead
    (Early Intervention in Psychosis) and the clinician sign-in that team's next clinician: a clinician
    only, whose records the lead sign-in sees, so a newcomer meets each role as it is.
    """
    if index == 1:
        return DEMO_ACCOUNTS["team lead"]
    if index == len(DEMO_TEAMS) + 1:
        return DEMO_ACCOUNTS["clinician"]
    return f"{FIRST[index].lower()}.{LAST[index].lower()}@{DEMO_DOMAIN}"


def _lock_checked_months(teams: list[Team], clinicians: list[tuple[User, Team]], today: date) -> None:
    """Leads have checked and locked every month before last month, as they would at month end."""
    leads = {team.id: user for user, team in clinicians[: len(teams)]}
    last_open = add_months(month_start(today), -1)
    for team in teams:
        for month in months_between(add_months(last_open, -12), add_months(last_open, -1)):
            db.session.add(MonthLock(team_id=team.id, month=month, locked_by_id=leads[team.id].id))
    db.session.flush()


def _choose_snomed_concepts() -> None:
    """The demo trust has mapped its consultation and liaison types to 11429006 Consultation (procedure).

    The other patient-specific types are left unmapped on purpose, so the MHSDS validation report
    shows what a trust still has to configure.
    """
    for code in ("CONSULT_PATIENT", "LIAISON_PATIENT"):
        activity_type = db.session.scalar(select(ActivityType).where(ActivityType.code == code))
        if activity_type is not None and activity_type.snomed_concept_id is None:
            activity_type.snomed_concept_id = "11429006"


def _generate_year(
    rng: random.Random, organisation: Organisation, clinicians: list[tuple[User, Team]], today: date
) -> int:
    """A year of weekday activity for every clinician, inserted in one statement; returns how many."""
    types = {t.code: t for t in db.session.scalars(select(ActivityType))}
    recipients = {r.code: r.id for r in db.session.scalars(select(RecipientType))}
    start = (today.replace(day=1) - timedelta(days=365)).replace(day=1)
    month_start = today.replace(day=1)
    # A few people have not logged this month, so the completeness view has something to show.
    quiet_this_month = {user.id for user, _ in clinicians[-4:]}
    rows: list[dict[str, object]] = []
    links: list[tuple[int, str]] = []
    day = start
    while day <= today:
        if day.weekday() < 5:
            for user, team in clinicians:
                if day >= month_start and user.id in quiet_this_month:
                    continue
                for _ in range(rng.choices([0, 1, 2], weights=[45, 40, 15])[0]):
                    row, chosen = _random_activity(rng, types, organisation, user, team, day)
                    rows.append(row)
                    links.append((len(rows) - 1, ",".join(chosen)))
        day += timedelta(days=1)
    result = db.session.execute(insert(Activity).returning(Activity.id, sort_by_parameter_order=True), rows)
    ids = [row_id for (row_id,) in result]
    recipient_rows = [
        {"activity_id": ids[index], "recipient_type_id": recipients[code]}
        for index, codes_text in links
        for code in codes_text.split(",")
    ]
    db.session.execute(insert(activity_recipients), recipient_rows)
    db.session.flush()
    return len(ids)


def _random_activity(
    rng: random.Random,
    types: dict[str, ActivityType],
    organisation: Organisation,
    user: User,
    team: Team,
    day: date,
) -> tuple[dict[str, object], list[str]]:
    """One plausible activity row of ``user`` on ``day``, with the codes of its recipients."""
    codes = list(TYPE_WEIGHTS)
    code = rng.choices(codes, [TYPE_WEIGHTS[c] for c in codes])[0]
    activity_type = types[code]
    prefix = code.split("_")[0]
    low, high = REACH_BY_PREFIX.get(prefix, (1, 3))
    row: dict[str, object] = {
        "organisation_id": organisation.id,
        "team_id": team.id,
        "clinician_id": user.id,
        "activity_type_id": activity_type.id,
        "activity_on": day,
        "duration_minutes": rng.choice(DURATIONS),
        "consultation_mechanism_code": rng.choice(MECHANISMS),
        "people_reached": rng.randint(low, high),
        "note": rng.choice(NOTES) or None,
        "source": "web",
        "version": 1,
        "created_by_id": user.id,
        "updated_by_id": user.id,
        "start_time": None,
        "service_request_id": None,
    }
    if activity_type.is_patient_specific:
        row["start_time"] = time(rng.randint(9, 16), rng.choice([5, 10, 20, 25, 35, 40, 50, 55]))
        row["service_request_id"] = f"SR{rng.randint(10_000_000, 99_999_999)}"
    pool = RECIPIENTS_BY_TYPE.get(prefix, ["MH_TEAM_STAFF"])
    chosen = rng.sample(pool, k=1 if rng.random() < 0.8 else min(2, len(pool)))
    return row, chosen
