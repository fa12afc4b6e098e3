"""Every admin route, found from the URL map, is refused to every role but admin and to anonymous users."""

from __future__ import annotations

import itertools

import pytest
from sqlalchemy import func, select

from indirect_work.audit.models import AuditEvent
from indirect_work.taxonomy.models import ActivityType


def admin_routes(app):
    """(method, url) for every admin endpoint, with each URL argument filled with a real-looking value."""
    routes = []
    with app.test_request_context():
        for rule in app.url_map.iter_rules():
            if not rule.endpoint.startswith("admin."):
                continue
            # Every choice of an ``any(...)`` part is its own route; numeric ids get 1.
            choices = [sorted(c.items) if hasattr(c, "items") else [1] for c in rule._converters.values()]
            for combination in itertools.product(*choices):
                url = app.url_for(rule.endpoint, **dict(zip(rule._converters, combination, strict=True)))
                for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                    routes.append((method, url))
    return routes


def test_the_admin_blueprint_has_the_routes_the_matrix_covers(app):
    urls = {url for _, url in admin_routes(app)}
    assert "/admin/" in urls and "/admin/audit" in urls and "/admin/people/import" in urls
    assert len(urls) >= 30


@pytest.mark.parametrize("role", ["clinician", "lead", "commissioner"])
def test_every_admin_route_is_forbidden_to_other_roles(app, client, make, login, db, role):
    user = getattr(make, role)()
    login(user)
    retired_before = db.session.scalar(select(func.count()).where(ActivityType.is_active.is_(False)))
    for method, url in admin_routes(app):
        response = client.open(url, method=method, data={"csrf_token": client.csrf_token()})
        assert response.status_code == 403, f"{method} {url} answered {response.status_code} to a {role}"
    assert db.session.scalar(select(func.count()).where(ActivityType.is_active.is_(False))) == retired_before
    assert not db.session.scalar(
        select(func.count()).select_from(AuditEvent).where(AuditEvent.action.like("activity_type.%"))
    )


def test_every_admin_route_sends_anonymous_users_to_sign_in(app, client):
    for method, url in admin_routes(app):
        response = client.open(url, method=method, data={"csrf_token": client.csrf_token()})
        assert response.status_code == 302, f"{method} {url} answered {response.status_code} when signed out"
        assert "/sign-in" in response.headers["Location"]


def test_an_admin_can_open_every_admin_page(app, client, admin, make, db):
    """Every GET page, the ones with an id too, opened on a real object and showing that object."""
    organisation = make.organisation(name="Kestrel Moor Trust")
    team = make.team(organisation, name="Kestrel Crisis Team")
    person = make.clinician(team, full_name="Quentin Marsh-Okafor")
    kind = db.session.scalar(select(ActivityType).where(ActivityType.code == "TRAIN_STAFF"))
    objects = {
        "organisation_id": (organisation.id, "Kestrel Moor Trust"),
        "team_id": (team.id, "Kestrel Crisis Team"),
        "profession_id": (make.profession("CBT").id, "Cognitive behavioural therapist"),
        "user_id": (person.id, "Quentin Marsh-Okafor"),
        "category_id": (kind.category_id, kind.category.label),
        "type_id": (kind.id, kind.label),
    }
    opened = 0
    with app.test_request_context():
        rules = [
            r for r in app.url_map.iter_rules() if r.endpoint.startswith("admin.") and "GET" in r.methods
        ]
    for rule in rules:
        args = {name: objects[name][0] for name in rule.arguments}
        with app.test_request_context():
            url = app.url_for(rule.endpoint, **args)
        response = client.get(url)
        assert response.status_code == 200, url
        if url.endswith(".csv"):
            assert response.mimetype == "text/csv", url
        else:
            assert "<h1" in response.text and "Traceback" not in response.text, url
        for name in rule.arguments:
            assert objects[name][1] in response.text, f"{url} does not show {objects[name][1]}"
        opened += 1
    assert opened >= 20


def test_admin_appears_in_the_navigation_only_for_admins(client, make, login, admin):
    assert 'href="/admin/"' in client.get("/admin/").get_data(as_text=True)
    other = make.lead()
    client.post_form("/sign-out")
    login(other)
    assert 'href="/admin/"' not in client.get("/account/password").get_data(as_text=True)
