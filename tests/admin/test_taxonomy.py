"""Taxonomy admin through the HTTP forms: create, edit, reorder, retire, delete, and the in-use rules."""

from __future__ import annotations

from sqlalchemy import select

from indirect_work.taxonomy.models import ActivityCategory, ActivityType
from indirect_work.taxonomy.services import active_types
from tests.admin.conftest import events


def new_type(client, category, **overrides):
    data = {
        "category_id": category.id,
        "code": "CONSULT_SCHOOL",
        "label": "Consultation to a school",
        "description": "Advice to school staff",
        "mhsds_target": "LOCAL",
        "snomed_concept_id": "",
    }
    data.update(overrides)
    return client.post_form("/admin/taxonomy/types/new", data)


def get_type(db, code):
    return db.session.scalar(select(ActivityType).where(ActivityType.code == code))


def consultation(db):
    return db.session.scalar(select(ActivityCategory).where(ActivityCategory.code == "CONSULTATION"))


def test_add_activity_type_puts_it_in_the_log_form_and_audits_it(client, db, admin):
    response = new_type(
        client,
        consultation(db),
        code="consult_school",
        is_patient_specific="y",
        mhsds_target="MHS204",
        snomed_concept_id="404684003",
    )
    assert response.status_code == 302
    created = get_type(db, "CONSULT_SCHOOL")
    assert created.label == "Consultation to a school" and created.is_patient_specific
    assert created.snomed_concept_id == "404684003" and created.is_active
    assert created in active_types()
    [event] = events(db, "activity_type.create", created.id)
    assert event.actor_id == admin.id and event.details["code"] == "CONSULT_SCHOOL"
    assert "Consultation to a school" in client.get("/admin/taxonomy").get_data(as_text=True)


def test_invalid_type_shows_errors_next_to_fields_and_keeps_what_was_typed(client, db, admin):
    response = new_type(
        client, consultation(db), code="CONSULT_TEAM", label="Typed label", snomed_concept_id="22298007"
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "already used by another entry" in html and 'href="#code"' in html
    assert "check digit is wrong" in html and 'href="#snomed_concept_id"' in html
    assert 'value="Typed label"' in html and 'value="22298007"' in html
    assert db.session.scalar(select(ActivityType).where(ActivityType.label == "Typed label")) is None


def test_form_without_csrf_token_changes_nothing(client, db, admin):
    response = client.post_form(
        "/admin/taxonomy/types/new",
        {
            "category_id": consultation(db).id,
            "code": "NO_TOKEN",
            "label": "No token",
            "mhsds_target": "LOCAL",
        },
        csrf=False,
    )
    assert response.status_code == 400
    assert get_type(db, "NO_TOKEN") is None
    retire = client.post_form(f"/admin/taxonomy/types/{get_type(db, 'CONSULT_TEAM').id}/retire", csrf=False)
    assert retire.status_code == 400
    assert get_type(db, "CONSULT_TEAM").is_active


def test_retired_type_leaves_the_form_but_stays_on_records(client, db, make, admin):
    clinician = make.clinician()
    activity_type = get_type(db, "CONSULT_TEAM")
    record = make.activity(clinician, activity_type=activity_type)
    response = client.post_form(f"/admin/taxonomy/types/{activity_type.id}/retire")
    assert response.status_code == 302
    db.session.expire_all()
    assert not activity_type.is_active
    assert activity_type not in active_types()
    assert record.activity_type.code == "CONSULT_TEAM"
    [event] = events(db, "activity_type.retire", activity_type.id)
    assert event.details["is_active"] == [True, False]
    client.post_form(f"/admin/taxonomy/types/{activity_type.id}/reinstate")
    db.session.expire_all()
    assert activity_type in active_types()
    assert events(db, "activity_type.reinstate", activity_type.id)


def test_type_in_use_cannot_be_deleted_nor_its_code_changed(client, db, make, admin):
    activity_type = get_type(db, "CONSULT_TEAM")
    record = make.activity(make.clinician(), activity_type=activity_type)
    record.deleted_at = record.created_at  # soft-deleted records still count as use
    db.session.flush()
    response = client.post_form(f"/admin/taxonomy/types/{activity_type.id}/delete", follow_redirects=True)
    assert "cannot be deleted" in response.get_data(as_text=True)
    assert get_type(db, "CONSULT_TEAM") is not None
    assert not events(db, "activity_type.delete")
    edit = client.post_form(
        f"/admin/taxonomy/types/{activity_type.id}/edit",
        {
            "category_id": activity_type.category_id,
            "code": "RENAMED",
            "label": "New label",
            "mhsds_target": activity_type.mhsds_target,
        },
    )
    assert edit.status_code == 422
    assert "The code cannot change" in edit.get_data(as_text=True)
    db.session.expire_all()
    assert activity_type.code == "CONSULT_TEAM" and activity_type.label != "New label"


def test_unused_type_can_be_renamed_and_deleted_with_audit(client, db, admin):
    new_type(client, consultation(db))
    created = get_type(db, "CONSULT_SCHOOL")
    response = client.post_form(
        f"/admin/taxonomy/types/{created.id}/edit",
        {
            "category_id": created.category_id,
            "code": "CONSULT_SCHOOLS",
            "label": "Consultation to schools",
            "description": "",
            "mhsds_target": "LOCAL",
        },
    )
    assert response.status_code == 302
    [update] = events(db, "activity_type.update", created.id)
    assert update.details["code"] == ["CONSULT_SCHOOL", "CONSULT_SCHOOLS"]
    assert update.details["label"] == ["Consultation to a school", "Consultation to schools"]
    assert "description" in update.details and "mhsds_target" not in update.details
    client.post_form(f"/admin/taxonomy/types/{created.id}/delete")
    assert get_type(db, "CONSULT_SCHOOLS") is None
    assert events(db, "activity_type.delete", created.id)[0].details["code"] == "CONSULT_SCHOOLS"


def test_reorder_changes_the_order_in_the_log_form(client, db, admin):
    category = consultation(db)
    codes = [t.code for t in active_types() if t.category_id == category.id]
    second = get_type(db, codes[1])
    assert client.post_form(f"/admin/taxonomy/types/{second.id}/up").status_code == 302
    db.session.expire_all()
    after = [t.code for t in active_types() if t.category_id == category.id]
    assert after[:2] == [codes[1], codes[0]] and after[2:] == codes[2:]
    assert events(db, "activity_type.reorder", second.id)[0].details["position"] == [2, 1]
    in_order = select(ActivityCategory).order_by(ActivityCategory.sort_order)
    first_category = db.session.scalars(in_order).first()
    client.post_form(f"/admin/taxonomy/categories/{first_category.id}/down")
    db.session.expire_all()
    assert db.session.scalars(in_order).first() != first_category


def test_category_create_retire_and_delete_rules(client, db, admin):
    response = client.post_form("/admin/taxonomy/categories/new", {"code": "outreach", "label": "Outreach"})
    assert response.status_code == 302
    category = db.session.scalar(select(ActivityCategory).where(ActivityCategory.code == "OUTREACH"))
    assert events(db, "activity_category.create", category.id)
    new_type(client, category, code="OUTREACH_VISIT", label="Outreach visit")
    visit = get_type(db, "OUTREACH_VISIT")
    assert visit in active_types()
    client.post_form(f"/admin/taxonomy/categories/{category.id}/retire")
    db.session.expire_all()
    assert visit not in active_types() and visit.is_active  # the category's retirement hides its types
    refused = client.post_form(f"/admin/taxonomy/categories/{category.id}/delete", follow_redirects=True)
    assert "still holds activity types" in refused.get_data(as_text=True)
    client.post_form(f"/admin/taxonomy/types/{visit.id}/delete")
    client.post_form(f"/admin/taxonomy/categories/{category.id}/delete")
    assert db.session.get(ActivityCategory, category.id) is None
    assert events(db, "activity_category.delete", category.id)


def test_category_code_is_immutable_once_used(client, db, make, admin):
    category = consultation(db)
    make.activity(make.clinician(), activity_type=get_type(db, "CONSULT_TEAM"))
    response = client.post_form(
        f"/admin/taxonomy/categories/{category.id}/edit", {"code": "CONSULTING", "label": "Consulting"}
    )
    assert response.status_code == 422 and "The code cannot change" in response.get_data(as_text=True)
    ok = client.post_form(
        f"/admin/taxonomy/categories/{category.id}/edit",
        {"code": "CONSULTATION", "label": "Consultation (all kinds)"},
    )
    assert ok.status_code == 302
    [update] = events(db, "activity_category.update", category.id)
    assert update.details["label"][1] == "Consultation (all kinds)"


def test_missing_objects_are_404(client, admin):
    assert client.get("/admin/taxonomy/types/999999/edit").status_code == 404
    assert client.post_form("/admin/taxonomy/categories/999999/retire").status_code == 404


def test_form_pages_have_their_heading_title_and_way_back(client, db, admin):
    html = client.get(f"/admin/taxonomy/types/new?category_id={consultation(db).id}").get_data(as_text=True)
    assert "<h1>Add an activity type</h1>" in html and "<title>Add an activity type – " in html
    assert 'href="/admin/taxonomy">Back to the taxonomy</a>' in html
    assert f'<option selected value="{consultation(db).id}">' in html
