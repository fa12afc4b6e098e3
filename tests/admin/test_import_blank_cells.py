"""People import: a blank cell keeps what is stored, ``none`` removes it, unknown columns are reported."""

from __future__ import annotations

from html import unescape

from sqlalchemy import select

from indirect_work.auth.models import User
from tests.admin.test_import import HEADER, confirm, statuses, upload


def _person(db, make):
    org = make.organisation()
    team = make.team(org)
    person = make.lead(team, email="kept@example.org", full_name="Kept Person", staff_local_id="ESR5")
    db.session.commit()
    assert person.led_team_ids == {team.id}
    return org, team, team, person


def _reload(db, email="kept@example.org"):
    db.session.expire_all()
    return db.session.scalar(select(User).where(User.email == email))


def test_blank_cells_keep_an_existing_persons_values(client, db, make, admin):
    org, team, _led, person = _person(db, make)
    profession_id = person.profession_id
    assert profession_id is not None
    # Name and team given, everything else blank: nothing about the person changes.
    text = HEADER + f"kept@example.org,Kept Person,,,{org.ods_code},{team.local_id},,,,\n"
    preview = upload(client, text)
    assert statuses(preview) == {"2": "unchanged"}, unescape(preview.get_data(as_text=True))[-2000:]
    nameless = upload(client, HEADER + f"kept@example.org,,,,{org.ods_code},{team.local_id},,,,\n")
    assert statuses(nameless) == {"2": "unchanged"}
    kept = _reload(db)
    assert kept.profession_id == profession_id and kept.staff_local_id == "ESR5"
    assert kept.full_name == "Kept Person" and kept.clinician_team_ids == {team.id}
    assert kept.led_team_ids == {team.id}


def test_a_blank_cell_does_not_wipe_the_profession_when_another_field_changes(client, db, make, admin):
    org, team, _led, person = _person(db, make)
    profession_id = person.profession_id
    text = HEADER + f"kept@example.org,Kept Renamed,,,{org.ods_code},{team.local_id},,,,\n"
    preview = upload(client, text)
    assert statuses(preview) == {"2": "update"}
    assert confirm(client, preview).status_code == 200
    kept = _reload(db)
    assert kept.full_name == "Kept Renamed"
    assert kept.profession_id == profession_id and kept.staff_local_id == "ESR5"
    assert kept.led_team_ids == {team.id}


def test_none_removes_a_value(client, db, make, admin):
    org, team, _led, _person_ = _person(db, make)
    text = HEADER + f"kept@example.org,Kept Person,none,none,{org.ods_code},{team.local_id},none,,,\n"
    preview = upload(client, text)
    assert statuses(preview) == {"2": "update"}
    assert confirm(client, preview).status_code == 200
    kept = _reload(db)
    assert kept.profession_id is None and kept.staff_local_id is None
    assert kept.clinician_team_ids == {team.id} and kept.led_team_ids == set()


def test_unknown_columns_are_reported_in_the_preview(client, db, make, admin):
    org, team, _led, _person_ = _person(db, make)
    text = (
        HEADER.rstrip("\n")
        + ",roles,Team Lead\n"
        + f"kept@example.org,Kept Person,ESR5,CLIN_PSY,{org.ods_code},{team.local_id},,,,,team_lead,yes\n"
    )
    html = unescape(upload(client, text).get_data(as_text=True))
    assert 'data-testid="unknown-columns"' in html
    assert "<code>roles</code>" in html and "<code>team lead</code>" in html
    assert "Nothing in them is saved" in html
