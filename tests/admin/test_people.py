"""People through the HTTP forms: create with a one-time password, roles, deactivation, resets."""

from __future__ import annotations

import json
import re

from sqlalchemy import select

from indirect_work.audit.models import AuditEvent
from indirect_work.auth.models import Role, User
from tests.admin.conftest import events


def shown_password(response):
    html = response.get_data(as_text=True)
    match = re.search(r'data-testid="one-time-password"><code>([^<]+)</code>', html)
    assert match, "no one-time password on the page"
    return match.group(1)


def person_form(**overrides):
    data = {
        "full_name": "Priya Shah",
        "email": "Priya.Shah@Example.org",
        "staff_local_id": "ESR123",
        "organisation_id": "",
        "profession_id": "",
        "default_team_id": "",
    }
    data.update(overrides)
    return data


def user_by_email(db, email):
    return db.session.scalar(select(User).where(User.email == email))


def test_create_person_with_roles_and_one_time_password(app, client, db, make, admin):
    team, other = make.team(), make.team()
    response = client.post_form(
        "/admin/people/new",
        person_form(
            organisation_id=team.organisation_id,
            profession_id=make.profession().id,
            clinician_team_ids=[team.id, other.id],
            lead_team_ids=[other.id],
        ),
    )
    assert response.status_code == 200
    password = shown_password(response)
    user = user_by_email(db, "priya.shah@example.org")
    assert user.roles == {Role.CLINICIAN, Role.TEAM_LEAD}
    assert user.clinician_team_ids == {team.id, other.id} and user.led_team_ids == {other.id}
    assert user.default_team_id == min(team.id, other.id) and user.must_change_password
    assert events(db, "user.create", user.id)
    assert password not in json.dumps([e.details for e in db.session.scalars(select(AuditEvent))])
    fresh = app.test_client()
    signed_in = fresh.post_form("/sign-in", {"email": "priya.shah@example.org", "password": password})
    assert signed_in.status_code == 302 and signed_in.headers["Location"].endswith("/account/password")


def test_person_form_errors_keep_what_was_typed(client, db, make, admin):
    make.user(email="taken@example.org")
    team = make.team()
    response = client.post_form(
        "/admin/people/new",
        person_form(
            email="taken@example.org",
            full_name="Typed Name",
            default_team_id=team.id,
        ),
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Another person already uses this email address" in html and 'href="#email"' in html
    assert "The usual team must be one" in html and 'value="Typed Name"' in html
    bad_email = client.post_form("/admin/people/new", person_form(email="not-an-email"))
    assert bad_email.status_code == 422 and "Enter an email address like" in bad_email.get_data(as_text=True)
    assert user_by_email(db, "not-an-email") is None


def test_edit_person_changes_roles_with_a_field_diff(client, db, make, admin):
    team, other = make.team(), make.team()
    user = make.clinician(team, full_name="Sam Lee")
    org = team.organisation
    response = client.post_form(
        f"/admin/people/{user.id}/edit",
        person_form(
            full_name="Sam Lee",
            email=user.email,
            staff_local_id=user.staff_local_id,
            organisation_id=org.id,
            profession_id=user.profession_id,
            default_team_id=other.id,
            clinician_team_ids=[other.id],
            commissioner_org_ids=[org.id],
        ),
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert user.clinician_team_ids == {other.id} and user.commissioned_organisation_ids == {org.id}
    [event] = events(db, "user.update", user.id)
    old_team, new_team = event.details["default_team"]
    assert (old_team, new_team) == (f"{org.ods_code}/{team.local_id}", f"{org.ods_code}/{other.local_id}")
    old_roles, new_roles = event.details["roles"]
    assert old_roles == [f"clinician of {org.ods_code}/{team.local_id}"]
    assert sorted(new_roles) == sorted(
        [f"clinician of {org.ods_code}/{other.local_id}", f"commissioner for {org.ods_code}"]
    )
    same = client.post_form(
        f"/admin/people/{user.id}/edit",
        person_form(
            full_name="Sam Lee",
            email=user.email,
            staff_local_id=user.staff_local_id,
            organisation_id=org.id,
            profession_id=user.profession_id,
            default_team_id=other.id,
            clinician_team_ids=[other.id],
            commissioner_org_ids=[org.id],
        ),
        follow_redirects=True,
    )
    assert "Nothing was changed" in same.get_data(as_text=True)
    assert len(events(db, "user.update", user.id)) == 1


def test_deactivation_signs_the_person_out_of_an_open_session(app, client, db, make, login, admin):
    user = make.clinician()
    theirs = app.test_client()
    login(user, target=theirs)
    assert theirs.get("/account/password").status_code == 200
    response = client.post_form(f"/admin/people/{user.id}/deactivate")
    assert response.status_code == 302
    kicked = theirs.get("/account/password")
    assert kicked.status_code == 302 and "/sign-in" in kicked.headers["Location"]
    again = app.test_client().post_form("/sign-in", {"email": user.email, "password": make.PASSWORD})
    assert again.status_code != 302
    assert events(db, "user.deactivate", user.id)[0].details["is_active"] == [True, False]
    client.post_form(f"/admin/people/{user.id}/reactivate")
    assert events(db, "user.reactivate", user.id)
    login(user, target=app.test_client())


def test_admin_cannot_lock_themselves_out(client, db, admin):
    refused = client.post_form(f"/admin/people/{admin.id}/deactivate", follow_redirects=True)
    assert "You cannot deactivate your own account" in refused.get_data(as_text=True)
    demote = client.post_form(
        f"/admin/people/{admin.id}/edit", person_form(full_name=admin.full_name, email=admin.email)
    )
    assert demote.status_code == 422
    assert "cannot remove your own administrator role" in demote.get_data(as_text=True)
    db.session.expire_all()
    assert admin.is_active and admin.is_admin


def test_reset_password_is_one_time_and_revokes_sessions(app, client, db, make, login, admin):
    user = make.clinician()
    theirs = app.test_client()
    login(user, target=theirs)
    response = client.post_form(f"/admin/people/{user.id}/password", {"new_password": ""})
    assert response.status_code == 200
    password = shown_password(response)
    assert theirs.get("/account/password").status_code == 302  # signed out
    old = app.test_client().post_form("/sign-in", {"email": user.email, "password": make.PASSWORD})
    assert old.status_code != 302
    fresh = app.test_client()
    new = fresh.post_form("/sign-in", {"email": user.email, "password": password})
    assert new.status_code == 302 and new.headers["Location"].endswith("/account/password")
    assert fresh.get("/admin/").status_code == 302  # nothing else until the password is changed
    [event] = events(db, "user.password_reset", user.id)
    assert password not in json.dumps(event.details)


def test_typed_weak_one_time_password_is_refused_next_to_the_field(client, db, make, admin):
    user = make.clinician()
    response = client.post_form(f"/admin/people/{user.id}/password", {"new_password": "password123"})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "too common" in html and 'href="#new_password"' in html
    assert not events(db, "user.password_reset", user.id)


def test_people_list_searches_and_filters(client, make, admin):
    make.clinician(full_name="Zara Quinn")
    gone = make.clinician(full_name="Zoe Gone", is_active=False)
    html = client.get("/admin/people?q=zara").get_data(as_text=True)
    assert "Zara Quinn" in html and f"/admin/people/{admin.id}/edit" not in html
    assert gone.full_name not in client.get("/admin/people").get_data(as_text=True)
    assert gone.full_name in client.get("/admin/people?status=inactive").get_data(as_text=True)
    assert client.get("/admin/people?q=%25_").status_code == 200


def test_role_change_signs_the_person_out_but_not_an_admin_editing_self(app, client, make, login, admin):
    team = make.team()
    lead = make.lead(team)
    theirs = app.test_client()
    login(lead, target=theirs)
    client.post_form(
        f"/admin/people/{lead.id}/edit",
        person_form(full_name=lead.full_name, email=lead.email, clinician_team_ids=[team.id]),
    )
    assert theirs.get("/account/password").status_code == 302  # no longer a lead: signed out
    own = client.post_form(
        f"/admin/people/{admin.id}/edit",
        person_form(full_name=admin.full_name, email="ada.renamed@example.org", is_admin="y"),
    )
    assert own.status_code == 302
    assert client.get("/admin/").status_code == 200
