"""Organisations and teams through the HTTP forms: ODS code checks, team identifiers, audit."""

from __future__ import annotations

from sqlalchemy import select

from indirect_work.org.models import Organisation, Team
from tests.admin.conftest import events


def test_create_organisation_normalises_and_audits_the_ods_code(client, db, admin):
    response = client.post_form(
        "/admin/organisations/new",
        {
            "ods_code": " rx4 ",
            "name": "Northshire Partnership",
            "default_commissioner_code": "15n",
            "is_active": "y",
        },
    )
    assert response.status_code == 302
    org = db.session.scalar(select(Organisation).where(Organisation.ods_code == "RX4"))
    assert org.name == "Northshire Partnership" and org.default_commissioner_code == "15N"
    [event] = events(db, "organisation.create", org.id)
    assert event.details["ods_code"] == "RX4" and event.actor_id == admin.id


def test_bad_ods_code_and_duplicate_are_shown_next_to_the_field(client, db, make, admin):
    make.organisation(ods_code="RDM")
    bad = client.post_form("/admin/organisations/new", {"ods_code": "R-1", "name": "Typed name"})
    assert bad.status_code == 422
    html = bad.get_data(as_text=True)
    assert "ODS code must be 3 to 6 letters or digits" in html and 'href="#ods_code"' in html
    assert 'value="Typed name"' in html and 'value="R-1"' in html
    duplicate = client.post_form("/admin/organisations/new", {"ods_code": "rdm", "name": "Again"})
    assert duplicate.status_code == 422 and "already exists" in duplicate.get_data(as_text=True)
    assert db.session.scalar(select(Organisation).where(Organisation.name == "Again")) is None


def test_edit_organisation_audits_only_changed_fields(client, db, make, admin):
    org = make.organisation(ods_code="RDM", name="Old name")
    response = client.post_form(
        f"/admin/organisations/{org.id}/edit", {"ods_code": "RDM", "name": "New name", "is_active": "y"}
    )
    assert response.status_code == 302
    [event] = events(db, "organisation.update", org.id)
    assert event.details == {"name": ["Old name", "New name"]}


def test_create_and_edit_team_with_mhsds_type(client, db, make, admin):
    org = make.organisation()
    response = client.post_form(
        "/admin/teams/new",
        {
            "organisation_id": org.id,
            "local_id": "EIP-01",
            "name": "Early Intervention",
            "service_team_type_code": "A14",
            "is_active": "y",
        },
    )
    assert response.status_code == 302
    team = db.session.scalar(select(Team).where(Team.local_id == "EIP-01"))
    assert team.organisation_id == org.id and team.service_team_type_code == "A14" and team.is_active
    assert events(db, "team.create", team.id)
    client.post_form(
        f"/admin/teams/{team.id}/edit",
        {
            "organisation_id": org.id,
            "local_id": "EIP-01",
            "name": "Early Intervention",
            "service_team_type_code": "A14",  # active box unticked
        },
    )
    db.session.expire_all()
    assert not team.is_active
    assert events(db, "team.update", team.id)[0].details == {"is_active": [True, False]}


def test_team_errors_unknown_type_duplicate_identifier(client, db, make, admin):
    org = make.organisation()
    make.team(org, local_id="CMHT1")
    response = client.post_form(
        "/admin/teams/new",
        {
            "organisation_id": org.id,
            "local_id": "CMHT1",
            "name": "Copy",
            "service_team_type_code": "Z99",
        },
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "already has the identifier CMHT1" in html and "Choose the MHSDS service or team type" in html
    retired = client.post_form(
        "/admin/teams/new",
        {
            "organisation_id": org.id,
            "local_id": "CRT",
            "name": "Crisis",
            "service_team_type_code": "A03",
        },
    )
    assert retired.status_code == 422  # A03 is retired from the MHSDS list
    missing_org = client.post_form(
        "/admin/teams/new",
        {
            "organisation_id": "abc",
            "local_id": "X1",
            "name": "X",
            "service_team_type_code": "A06",
        },
    )
    assert missing_org.status_code == 422 and "Choose the organisation" in missing_org.get_data(as_text=True)


def test_organisations_page_lists_teams(client, make, admin):
    team = make.team(name="Perinatal Team")
    html = client.get("/admin/organisations").get_data(as_text=True)
    assert "Perinatal Team" in html and team.organisation.ods_code in html
