"""Test data builders: each returns a flushed model object inside the test's transaction."""

from __future__ import annotations

import itertools
from datetime import date
from typing import Any

from sqlalchemy import select

from indirect_work.auth.models import Role, RoleAssignment, User
from indirect_work.auth.passwords import hash_password
from indirect_work.capture.models import Activity
from indirect_work.extensions import db
from indirect_work.org.models import Organisation, Profession, Team
from indirect_work.taxonomy.models import ActivityType, RecipientType

_counter = itertools.count(1)


class Factory:
    PASSWORD = "correct horse battery"

    def __init__(self) -> None:
        self._password_hash: str | None = None
        self._default_org: Organisation | None = None

    def _n(self) -> int:
        return next(_counter)

    def organisation(self, **kw: Any) -> Organisation:
        n = self._n()
        org = Organisation(
            ods_code=kw.pop("ods_code", f"T{n:04d}"[:6]), name=kw.pop("name", f"Trust {n}"), **kw
        )
        db.session.add(org)
        db.session.flush()
        return org

    def default_organisation(self) -> Organisation:
        if self._default_org is None:
            self._default_org = self.organisation()
        return self._default_org

    def team(self, organisation: Organisation | None = None, **kw: Any) -> Team:
        n = self._n()
        team = Team(
            organisation=organisation or self.default_organisation(),
            local_id=kw.pop("local_id", f"TEAM{n}"),
            name=kw.pop("name", f"Team {n}"),
            service_team_type_code=kw.pop("service_team_type_code", "A06"),
            **kw,
        )
        db.session.add(team)
        db.session.flush()
        return team

    def profession(self, code: str = "CLIN_PSY") -> Profession:
        return db.session.scalar(select(Profession).where(Profession.code == code))  # type: ignore[return-value]

    def user(self, *, roles: list[tuple[Role, int | None]] | None = None, **kw: Any) -> User:
        n = self._n()
        if self._password_hash is None:
            self._password_hash = hash_password(self.PASSWORD)
        user = User(
            email=kw.pop("email", f"user{n}@example.org"),
            full_name=kw.pop("full_name", f"User {n}"),
            password_hash=kw.pop("password_hash", self._password_hash),
            **kw,
        )
        for role, scope in roles or []:
            if role in (Role.CLINICIAN, Role.TEAM_LEAD):
                user.role_assignments.append(RoleAssignment(role=role.value, team_id=scope))
            elif role is Role.COMMISSIONER:
                user.role_assignments.append(RoleAssignment(role=role.value, organisation_id=scope))
            else:
                user.role_assignments.append(RoleAssignment(role=role.value))
        db.session.add(user)
        db.session.flush()
        return user

    def clinician(self, team: Team | None = None, **kw: Any) -> User:
        team = team or self.team()
        kw.setdefault("organisation_id", team.organisation_id)
        kw.setdefault("default_team_id", team.id)
        kw.setdefault("staff_local_id", f"STAFF{self._n()}")
        kw.setdefault("profession_id", self.profession(kw.pop("profession_code", "CLIN_PSY")).id)
        return self.user(roles=[(Role.CLINICIAN, team.id)], **kw)

    def lead(self, team: Team | None = None, **kw: Any) -> User:
        team = team or self.team()
        kw.setdefault("organisation_id", team.organisation_id)
        kw.setdefault("default_team_id", team.id)
        kw.setdefault("profession_id", self.profession().id)
        return self.user(roles=[(Role.CLINICIAN, team.id), (Role.TEAM_LEAD, team.id)], **kw)

    def commissioner(self, organisation: Organisation | None = None, **kw: Any) -> User:
        org = organisation or self.default_organisation()
        return self.user(roles=[(Role.COMMISSIONER, org.id)], **kw)

    def admin(self, **kw: Any) -> User:
        return self.user(roles=[(Role.ADMIN, None)], **kw)

    def activity_type(self, code: str = "CONSULT_TEAM") -> ActivityType:
        return db.session.scalar(select(ActivityType).where(ActivityType.code == code))  # type: ignore[return-value]

    def activity(self, clinician: User, team: Team | None = None, **kw: Any) -> Activity:
        """An activity written directly (bypassing the rules), for tests of reads and reports."""
        team = team or db.session.get(Team, clinician.default_team_id)
        assert team is not None
        activity_type = kw.pop("activity_type", None) or self.activity_type(
            kw.pop("type_code", "CONSULT_TEAM")
        )
        recipients = kw.pop("recipients", ["MH_TEAM_STAFF"])
        activity = Activity(
            organisation_id=team.organisation_id,
            team_id=team.id,
            clinician_id=clinician.id,
            activity_type=activity_type,
            activity_on=kw.pop("activity_on", date.today()),
            duration_minutes=kw.pop("duration_minutes", 60),
            consultation_mechanism_code=kw.pop("consultation_mechanism_code", "01"),
            people_reached=kw.pop("people_reached", 1),
            created_by_id=clinician.id,
            updated_by_id=clinician.id,
            **kw,
        )
        activity.recipient_types = list(
            db.session.scalars(select(RecipientType).where(RecipientType.code.in_(recipients)))
        )
        db.session.add(activity)
        db.session.flush()
        return activity
