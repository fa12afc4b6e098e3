"""Bulk import of people from CSV: preview with per-row errors, one-transaction commit, idempotence."""

from __future__ import annotations

import io
import re
from html import unescape

from sqlalchemy import func, select

from indirect_work.audit.models import AuditEvent
from indirect_work.auth.models import Role, User
from tests.admin.conftest import events

HEADER = (
    "email,full_name,staff_local_id,profession,organisation,clinician_teams,lead_teams,default_team,"
    "commissioner_for,admin\n"
)


def upload(client, text, name="people.csv"):
    return client.post_form("/admin/people/import", {"file": (io.BytesIO(text.encode()), name)})


def confirm(client, preview_response):
    html = preview_response.get_data(as_text=True)
    match = re.search(r'name="csv_text" type="hidden" value="([^"]*)"', html) or re.search(
        r'id="csv_text" name="csv_text" type="hidden" value="([^"]*)"', html
    )
    assert match, "no confirm form on the preview"
    return client.post_form("/admin/people/import/confirm", {"csv_text": unescape(match.group(1))})


def statuses(response):
    html = response.get_data(as_text=True)
    return dict(re.findall(r'data-testid="import-row-(\d+)" data-status="(\w+)"', html))


def audit_count(db):
    return db.session.scalar(select(func.count()).select_from(AuditEvent))


def mixed_file(org, team, lead_team):
    return (
        HEADER
        + "\n".join(
            [
                f"new.person@example.org,New Person,ESR1,CLIN_PSY,{org.ods_code},{team.local_id},,,,no",
                f"lead.person@example.org,Lead Person,,Clinical psychologist,{org.ods_code},{team.local_id},"
                f"{lead_team.local_id},{lead_team.local_id},,",
                f"existing@example.org,Existing Renamed,ESR9,CLIN_PSY,{org.ods_code},{team.local_id},,,,no",
                f"same@example.org,Same Person,ESR8,CLIN_PSY,{org.ods_code},{team.local_id},,,,no",
                f"bad-team@example.org,Bad Team,,,{org.ods_code},NOPE,,,,",
                "not-an-email,No Email,,,,,,,,",
                f"new.person@example.org,Twice In File,,,{org.ods_code},,,,,",
                "bad-admin@example.org,Bad Admin,,,,,,,,maybe",
                f"commissioner@example.org,Commissioner,,,,,,,{org.ods_code},",
            ]
        )
        + "\n"
    )


def setup_people(make):
    org = make.organisation()
    team, lead_team = make.team(org), make.team(org)
    make.clinician(team, email="existing@example.org", full_name="Existing Person", staff_local_id="ESR9")
    make.clinician(team, email="same@example.org", full_name="Same Person", staff_local_id="ESR8")
    return org, team, lead_team


def test_preview_reports_each_row_and_changes_nothing(client, db, make, admin):
    org, team, lead_team = setup_people(make)
    before_users = db.session.scalar(select(func.count()).select_from(User))
    before_events = audit_count(db)
    response = upload(client, mixed_file(org, team, lead_team))
    assert response.status_code == 200
    assert statuses(response) == {
        "2": "new",
        "3": "new",
        "4": "update",
        "5": "unchanged",
        "6": "error",
        "7": "error",
        "8": "error",
        "9": "error",
        "10": "new",
    }
    html = response.get_data(as_text=True)
    assert f"{org.ods_code} has no team with identifier NOPE" in html
    assert "appears earlier in the file" in html and "write yes or no" in html
    assert f"organisation: {org.ods_code}<" in html  # what the row sets, as typed in the file
    assert f"roles: clinician of {org.ods_code}/{team.local_id}<" in html
    assert "Existing Person → Existing Renamed" in html.replace("&#x2192;", "→")
    assert db.session.scalar(select(func.count()).select_from(User)) == before_users
    assert audit_count(db) == before_events


def test_confirm_saves_valid_rows_and_reimport_changes_nothing(client, db, make, admin):
    org, team, lead_team = setup_people(make)
    text = mixed_file(org, team, lead_team)
    done = confirm(client, upload(client, text))
    assert done.status_code == 200
    assert "3 added, 1 updated, 1 unchanged, 4 rejected" in done.get_data(as_text=True)
    new = db.session.scalar(select(User).where(User.email == "new.person@example.org"))
    assert new.full_name == "New Person" and new.clinician_team_ids == {team.id}
    assert new.default_team_id == team.id
    assert new.password_hash is None  # no password until an admin issues a one-time one
    lead = db.session.scalar(select(User).where(User.email == "lead.person@example.org"))
    assert lead.led_team_ids == {lead_team.id} and lead.default_team_id == lead_team.id
    assert lead.profession.code == "CLIN_PSY"
    commissioner = db.session.scalar(select(User).where(User.email == "commissioner@example.org"))
    assert commissioner.roles == {Role.COMMISSIONER}
    assert commissioner.commissioned_organisation_ids == {org.id}
    existing = db.session.scalar(select(User).where(User.email == "existing@example.org"))
    assert existing.full_name == "Existing Renamed"
    [update] = events(db, "user.update", existing.id)
    assert update.details["full_name"] == ["Existing Person", "Existing Renamed"]
    assert len(events(db, "user.create")) == 3
    [summary] = events(db, "user.import")
    assert summary.details == {"created": 3, "updated": 1, "unchanged": 1, "rejected": 4}
    assert db.session.scalar(select(User).where(User.email == "bad-team@example.org")) is None

    before_events = audit_count(db)
    again = upload(client, text)
    assert set(statuses(again).values()) == {"unchanged", "error"}
    assert "Nothing to save" in again.get_data(as_text=True)
    confirm_again = client.post_form("/admin/people/import/confirm", {"csv_text": text})
    assert "0 added, 0 updated, 5 unchanged, 4 rejected" in confirm_again.get_data(as_text=True)
    assert audit_count(db) == before_events


def test_columns_left_out_keep_current_values(client, db, make, admin):
    team = make.team()
    person = make.clinician(team, email="keep@example.org", full_name="Keep Me", staff_local_id="ESR5")
    response = upload(client, "email,full_name\nkeep@example.org,Keep Me Renamed\n")
    assert statuses(response) == {"2": "update"}
    confirm(client, response)
    db.session.expire_all()
    assert person.full_name == "Keep Me Renamed" and person.staff_local_id == "ESR5"
    assert person.clinician_team_ids == {team.id} and person.default_team_id == team.id


def test_import_cannot_remove_the_admins_own_role(client, db, admin):
    response = upload(client, f"email,full_name,admin\n{admin.email},{admin.full_name},no\n")
    assert statuses(response) == {"2": "error"}
    assert "cannot remove your own administrator role" in response.get_data(as_text=True)


def test_file_problems_are_explained(client, admin):
    no_columns = upload(client, "name,mail\nA,b@example.org\n")
    assert "The file has no email or full_name column" in no_columns.get_data(as_text=True)
    garbage = io.BytesIO(b"\x00\x81\x8d\x8f\x90\x9d")
    binary = client.post_form("/admin/people/import", {"file": (garbage, "x.csv")})
    assert binary.status_code == 422 and "not a text CSV file" in binary.get_data(as_text=True)
    missing = client.post_form("/admin/people/import", {})
    assert missing.status_code == 422 and "Choose a CSV file" in missing.get_data(as_text=True)


def test_template_lists_every_column(client, admin):
    response = client.get("/admin/people/import/template.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    header = response.get_data(as_text=True).splitlines()[0]
    assert header.startswith('"email","full_name"') and '"admin"' in header
    upload_back = upload(client, response.get_data(as_text=True))
    assert upload_back.status_code == 200  # the template itself can be previewed


def test_confirm_needs_the_csrf_token(client, db, admin):
    response = client.post_form(
        "/admin/people/import/confirm", {"csv_text": "email,full_name\nx@example.org,X\n"}, csrf=False
    )
    assert response.status_code == 400
    assert db.session.scalar(select(User).where(User.email == "x@example.org")) is None
