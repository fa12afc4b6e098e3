"""The README's demo sign-ins: each is the role it is listed as, so a newcomer sees each role as it is."""

from __future__ import annotations

import re
from pathlib import Path

from sqlalchemy import func, select

from indirect_work.auth.models import Role, User
from indirect_work.demo.seed import DEMO_ACCOUNTS, DEMO_PASSWORD, seed_demo
from indirect_work.extensions import db

README = Path(__file__).resolve().parents[2] / "README.md"


def account(email: str) -> User:
    user = db.session.scalar(select(User).where(User.email == email))
    assert user is not None, email
    return user


def test_the_readme_lists_the_seeded_accounts():
    listed = dict(
        re.findall(r"^\| (Clinician|Team lead|Commissioner|Admin) \| `([^`]+)` \|$", README.read_text(), re.M)
    )
    assert {role.lower(): email for role, email in listed.items()} == DEMO_ACCOUNTS


def test_the_clinician_sign_in_is_a_clinician_only_and_the_lead_sees_their_team(db, client, login):
    seed_demo()
    db.session.commit()
    clinician, lead = account(DEMO_ACCOUNTS["clinician"]), account(DEMO_ACCOUNTS["team lead"])
    assert clinician.roles == {Role.CLINICIAN} and clinician.led_team_ids == set()
    assert Role.TEAM_LEAD in lead.roles and clinician.clinician_team_ids <= lead.led_team_ids
    team = next(iter(clinician.clinician_team_ids))
    login(clinician, DEMO_PASSWORD)
    assert client.get("/log").status_code == 200
    assert client.get(f"/dashboard/teams/{team}").status_code in (403, 404)
    client.post_form("/sign-out")
    login(lead, DEMO_PASSWORD)
    dashboard = client.get(f"/dashboard/teams/{team}")
    assert dashboard.status_code == 200 and clinician.full_name in dashboard.text


def test_the_demo_has_feedback_and_outcomes_on_the_leads_dashboard(db, client, login):
    from indirect_work.capture.models import activity_outcomes
    from indirect_work.impact.models import FeedbackResponse

    seed_demo()
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(FeedbackResponse)) > 50
    assert db.session.scalar(select(func.count()).select_from(activity_outcomes)) > 50
    lead = account(DEMO_ACCOUNTS["team lead"])
    login(lead, DEMO_PASSWORD)
    team = sorted(lead.led_team_ids)[0]
    page = client.get(f"/dashboard/teams/{team}").get_data(as_text=True)
    assert 'data-testid="impact-row"' in page and 'data-testid="impact-outcomes"' in page
