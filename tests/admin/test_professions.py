"""Professions through the HTTP forms: staff group code check, code immutable once used, retirement."""

from __future__ import annotations

from sqlalchemy import select

from indirect_work.org.models import Profession
from tests.admin.conftest import events


def form(**overrides):
    data = {
        "code": "SPORT_PSY",
        "label": "Sport and exercise psychologist",
        "group": "Psychologists",
        "staff_group_code": "03",
        "is_active": "y",
    }
    data.update(overrides)
    return data


def test_add_profession_with_staff_group_and_audit(client, db, admin):
    assert client.post_form("/admin/professions/new", form(code="sport_psy")).status_code == 302
    profession = db.session.scalar(select(Profession).where(Profession.code == "SPORT_PSY"))
    assert profession.staff_group_code == "03" and profession.is_active
    assert events(db, "profession.create", profession.id)[0].details["label"] == profession.label
    assert profession.label in client.get("/admin/professions").get_data(as_text=True)


def test_profession_errors_are_shown_next_to_fields(client, db, admin):
    response = client.post_form(
        "/admin/professions/new", form(code="CLIN_PSY", staff_group_code="3x", label="Typed")
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "already used by another entry" in html and "2-digit MHSDS staff group code" in html
    assert 'value="Typed"' in html


def test_used_profession_keeps_its_code_and_retiring_hides_it_from_new_people(client, db, make, admin):
    clinician = make.clinician()
    profession = clinician.profession
    refused = client.post_form(
        f"/admin/professions/{profession.id}/edit",
        form(code="RENAMED", label=profession.label, group=profession.group),
    )
    assert refused.status_code == 422 and "The code cannot change" in refused.get_data(as_text=True)
    retired = client.post_form(
        f"/admin/professions/{profession.id}/edit",
        {
            "code": profession.code,
            "label": profession.label,
            "group": profession.group,
            "staff_group_code": profession.staff_group_code,
        },
    )  # "offered" box unticked
    assert retired.status_code == 302
    assert events(db, "profession.update", profession.id)[0].details == {"is_active": [True, False]}
    new_person = client.get("/admin/people/new").get_data(as_text=True)
    other = db.session.scalar(select(Profession).where(Profession.code == "CBT"))
    assert f'value="{other.id}">{other.label}<' in new_person
    assert f'value="{profession.id}">{profession.label}<' not in new_person
    their_page = client.get(f"/admin/people/{clinician.id}/edit").get_data(as_text=True)
    assert profession.label in their_page
