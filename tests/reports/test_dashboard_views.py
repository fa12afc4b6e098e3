"""The dashboard pages: who may open them, what they show, drill-down and the CSV download."""

from __future__ import annotations

import csv
import html
import io
import re
from datetime import date

import pytest
from sqlalchemy import select

from indirect_work.audit.models import AuditEvent
from indirect_work.auth.models import Role, RoleAssignment
from indirect_work.core.dates import add_months, month_start
from indirect_work.core.db import utcnow

PERIOD = {"start": "2026-01", "end": "2026-06"}
SECRET_NOTE = "Joint session with the crisis team"


@pytest.fixture
def setup(make, db):
    team = make.team(name="Riverside Early Intervention")
    other = make.team(name="Hillside Liaison")
    lead = make.lead(team)
    alice = make.clinician(team, full_name="Alice Ashdown", profession_code="CBT")
    bob = make.clinician(team, full_name="Bob Brennan", profession_code="PWP")
    outsider = make.clinician(other, full_name="Olive Outsider")
    make.activity(
        alice, type_code="CONSULT_TEAM", activity_on=date(2026, 1, 5), duration_minutes=30, note=SECRET_NOTE
    )
    make.activity(
        alice,
        type_code="TRAIN_STAFF",
        activity_on=date(2026, 2, 10),
        duration_minutes=90,
        people_reached=12,
        recipients=["WARD_STAFF", "TRAINEES"],
    )
    make.activity(
        bob,
        type_code="TRAIN_STAFF",
        activity_on=date(2026, 2, 11),
        duration_minutes=60,
        people_reached=5,
        note='=HYPERLINK("http://evil.example","click")',
    )
    make.activity(
        bob,
        type_code="CONSULT_PATIENT",
        activity_on=date(2026, 4, 2),
        duration_minutes=45,
        service_request_id="SR12345678",
    )
    gone = make.activity(bob, type_code="TRAIN_STAFF", activity_on=date(2026, 2, 12), duration_minutes=999)
    gone.deleted_at = utcnow()
    make.activity(
        outsider,
        type_code="TRAIN_STAFF",
        activity_on=date(2026, 2, 10),
        duration_minutes=777,
        note="Other team only",
    )
    db.session.flush()
    return {
        "team": team,
        "other": other,
        "lead": lead,
        "alice": alice,
        "bob": bob,
        "outsider": outsider,
        "other_lead": make.lead(other),
        "commissioner": make.commissioner(team.organisation),
        "admin": make.admin(),
    }


def _urls(s):
    team = s["team"].id
    return [
        f"/dashboard/teams/{team}",
        f"/dashboard/teams/{team}/records",
        f"/dashboard/teams/{team}/records.csv",
        f"/dashboard/teams/{team}/months/2026-02/unlock",
    ]


@pytest.mark.parametrize("who", ["alice", "other_lead", "commissioner"])
def test_wrong_roles_get_403_and_no_data(client, login, setup, who):
    login(setup[who])
    for url in _urls(setup):
        response = client.get(url, query_string=PERIOD)
        assert response.status_code == 403, url
        body = response.get_data(as_text=True)
        assert SECRET_NOTE not in body and "Bob Brennan" not in body and "Riverside Early" not in body
    response = client.post_form(f"/dashboard/teams/{setup['team'].id}/months/2026-02/lock")
    assert response.status_code == 403


def test_dashboard_index_is_forbidden_to_clinicians_and_commissioners(client, login, setup):
    for who in ("alice", "commissioner"):
        login(setup[who])
        assert client.get("/dashboard").status_code == 403
        client.post_form("/sign-out")


def test_other_teams_lead_sees_only_their_team(client, login, setup):
    login(setup["other_lead"])
    response = client.get("/dashboard")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/dashboard/teams/{setup['other'].id}")


def test_one_team_lead_is_sent_to_the_team_with_the_filters(client, login, setup):
    login(setup["other_lead"])
    response = client.get("/dashboard", query_string=PERIOD)
    assert response.status_code == 302
    assert response.headers["Location"].endswith(
        f"/dashboard/teams/{setup['other'].id}?start=2026-01&end=2026-06"
    )


def test_anonymous_is_sent_to_sign_in(client, setup):
    for url in [*_urls(setup), "/dashboard"]:
        response = client.get(url)
        assert response.status_code == 302 and "/sign-in" in response.headers["Location"], url
    response = client.post_form(f"/dashboard/teams/{setup['team'].id}/months/2026-02/lock")
    assert response.status_code == 302 and "/sign-in" in response.headers["Location"]


def test_unknown_team_is_404(client, login, setup):
    login(setup["admin"])
    assert client.get("/dashboard/teams/999999").status_code == 404


def test_admin_sees_every_team(client, login, setup):
    login(setup["admin"])
    body = client.get("/dashboard").get_data(as_text=True)
    assert "Riverside Early Intervention" in body and "Hillside Liaison" in body
    assert client.get(f"/dashboard/teams/{setup['other'].id}", query_string=PERIOD).status_code == 200


def test_lead_dashboard_shows_the_team_figures(client, login, setup):
    login(setup["lead"])
    response = client.get(f"/dashboard/teams/{setup['team'].id}", query_string=PERIOD)
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    figures = re.findall(r'data-testid="figure-\d"[^>]*>([^<]+)<', body)
    # 4 live records; 225 minutes = 3.8 hours; 1+12+5+1 people; 2 clinicians;
    # 45 of 225 minutes patient-specific.
    assert figures == ["4", "3.8", "19", "2", "20.0%"]
    # "User 777" may be a factory-made name in the page header; the other team's 777 minutes must not show.
    assert "Other team only" not in body and not re.search(r"(?<!User )\b777\b", body)
    for table in ("hours-by-category", "hours-by-month", "hours-by-profession", "reach-by-recipient"):
        assert f'data-testid="{table}-table"' in body
    assert body.count("data-iw-chart=") == 4
    assert "<script>" not in body and 'style="' not in body


def test_every_figure_and_segment_link_opens_its_records(client, login, setup):
    login(setup["lead"])
    body = client.get(f"/dashboard/teams/{setup['team'].id}", query_string=PERIOD).get_data(as_text=True)
    links = {html.unescape(u) for u in re.findall(r'href="(/dashboard/teams/\d+/records\?[^"]+)"', body)}
    assert links
    category = next(u for u in links if "category=" in u and "start=2026-02&end=2026-02" in u)
    listed = client.get(category).get_data(as_text=True)
    # February's training: Alice's and Bob's records, not the deleted one nor the other team's.
    assert 'data-testid="records-summary"' in listed
    assert re.search(r"<strong>2</strong> records,\s+2.5 hours", listed)
    assert "Other team only" not in listed
    for url in links:
        assert client.get(url).status_code == 200, url


def test_records_list_shows_only_the_team(client, login, setup):
    login(setup["lead"])
    url = f"/dashboard/teams/{setup['team'].id}/records"
    body = client.get(url, query_string=PERIOD).get_data(as_text=True)
    assert SECRET_NOTE in body and "Other team only" not in body and "Olive Outsider" not in body
    assert re.search(r"<strong>4</strong> records", body)


def test_records_filtered_to_one_clinician_and_month(client, login, setup):
    login(setup["lead"])
    query = {"start": "2026-02", "end": "2026-02", "clinician": setup["bob"].id}
    url = f"/dashboard/teams/{setup['team'].id}/records"
    body = client.get(url, query_string=query).get_data(as_text=True)
    assert re.search(r"<strong>1</strong> record,", body) and "Bob Brennan" in body


def test_bad_filters_show_errors_not_500(client, login, setup):
    login(setup["lead"])
    team = setup["team"].id
    cases = [
        {"start": "2026-13"},
        {"start": "2026-06", "end": "2026-01"},
        {"start": "2020-01", "end": "2026-01"},
        {"start": "2019-01"},
        {"end": "2026-02x"},
        {"category": "not-a-number"},
        {"profession": "999999"},
    ]
    for query in cases:
        for url in (f"/dashboard/teams/{team}", f"/dashboard/teams/{team}/records"):
            response = client.get(url, query_string=query)
            assert response.status_code == 400, (url, query)
            assert 'data-testid="error-summary"' in response.get_data(as_text=True)
    response = client.get(f"/dashboard/teams/{team}/records", query_string={"clinician": "abc"})
    assert response.status_code == 400


def test_csv_download_is_formula_safe_and_audited(client, login, setup, db):
    login(setup["lead"])
    response = client.get(f"/dashboard/teams/{setup['team'].id}/records.csv", query_string=PERIOD)
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    assert response.headers["Cache-Control"] == "no-store"
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    header, data = rows[0], rows[1:]
    assert len(data) == 4
    notes = [row[header.index("Note")] for row in data]
    assert '\'=HYPERLINK("http://evil.example","click")' in notes and SECRET_NOTE in notes
    assert all(not cell.startswith(("=", "+", "-", "@")) for row in data for cell in row)
    assert "Olive Outsider" not in response.get_data(as_text=True)
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "activity.export"))
    assert event is not None and event.actor_id == setup["lead"].id and event.details["rows"] == 4


def test_completeness_shows_who_logged_nothing(client, login, setup, make):
    this_month = month_start(date.today())
    make.activity(setup["alice"], activity_on=this_month)
    make.activity(setup["alice"], activity_on=this_month)
    make.activity(setup["bob"], activity_on=add_months(this_month, -1))
    login(setup["lead"])
    body = client.get(f"/dashboard/teams/{setup['team'].id}").get_data(as_text=True)
    table = body[body.index('data-testid="completeness-table"') :]
    table = table[: table.index("</table>")]
    rows = {name: cells for name, cells in re.findall(r'scope="row">([^<]+)</th>(.*?)</tr>', table, re.S)}
    assert set(rows) == {"Alice Ashdown", "Bob Brennan", setup["lead"].full_name}
    assert ">2</a>" in rows["Alice Ashdown"] and "Nothing logged" in rows["Alice Ashdown"]
    assert ">1</a>" in rows["Bob Brennan"] and "Nothing logged" in rows["Bob Brennan"]
    quiet_now = body[body.index(f'data-testid="nothing-logged-{this_month:%Y-%m}"') :]
    quiet_now = quiet_now[: quiet_now.index("</p>")]
    assert "Bob Brennan" in quiet_now and "Alice Ashdown" not in quiet_now
    assert "Olive Outsider" not in body


def test_empty_team_dashboard_shows_zeros(client, login, make):
    team = make.team(name="Brand New Team")
    lead = make.lead(team)
    login(lead)
    response = client.get(f"/dashboard/teams/{team.id}", query_string=PERIOD)
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert re.findall(r'data-testid="figure-\d"[^>]*>([^<]+)<', body) == ["0", "0.0", "0", "0", "–"]
    assert "No records in this period." in body
    # The month chart still lists every month of the period, at zero.
    table = body[body.index('data-testid="hours-by-month-table"') :]
    assert table[: table.index("</table>")].count('scope="row"') == 6


def test_lead_of_two_teams_chooses_between_them(client, login, make):
    first, second = make.team(name="Alpha Team"), make.team(name="Beta Team")
    lead = make.lead(first)
    lead.role_assignments.append(RoleAssignment(role=Role.TEAM_LEAD.value, team_id=second.id))
    make.team(name="Gamma Team")
    login(lead)
    response = client.get("/dashboard")
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert "Alpha Team" in body and "Beta Team" in body and "Gamma Team" not in body


def test_filters_narrow_the_figures_and_travel_with_every_link(client, login, setup, make):
    login(setup["lead"])
    pwp = make.profession("PWP").id
    query = {**PERIOD, "profession": str(pwp)}
    body = client.get(f"/dashboard/teams/{setup['team'].id}", query_string=query).get_data(as_text=True)
    # Bob (PWP) only: 60 + 45 minutes over two records, one clinician.
    figures = re.findall(r'data-testid="figure-\d"[^>]*>([^<]+)<', body)
    assert figures[0] == "2" and figures[1] == "1.8" and figures[3] == "1"
    links = {html.unescape(u) for u in re.findall(r'href="(/dashboard/teams/\d+/records\?[^"]+)"', body)}
    assert links and all(f"profession={pwp}" in link for link in links)
