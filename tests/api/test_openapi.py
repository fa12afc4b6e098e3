"""The OpenAPI document, the docs page, and Schemathesis run in-process against the document.

Schemathesis generates requests from the document for every operation and checks the answers
with every check on (``--checks all``): no server errors, status codes, content types, headers and bodies as
documented. It runs with a real clinician's token over a team with a few records, on both databases.
"""

from __future__ import annotations

import re

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.config import SchemathesisConfig
from schemathesis.config._checks import POSITIVE_DATA_ACCEPTANCE_EXPECTED_STATUSES

from indirect_work.extensions import db

#: Generated requests per operation (each backend); enough to find shape errors, quick enough for CI.
EXAMPLES = 20


def test_document_describes_every_api_route(client, app):
    document = client.get("/api/v1/openapi.json")
    assert document.status_code == 200
    spec = document.get_json()
    assert spec["openapi"].startswith("3.")
    documented = {(path, method.upper()) for path, ops in spec["paths"].items() for method in ops}
    routes = set()
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("api."):
            path = re.sub(r"<int:(\w+)>", r"{\1}", rule.rule)
            routes |= {(path, m) for m in rule.methods - {"HEAD", "OPTIONS"}}
    assert routes == documented
    create = spec["components"]["schemas"]["ActivityCreate"]
    assert create["additionalProperties"] is False and "activity_on" in create["required"]
    assert spec["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"
    post = spec["paths"]["/api/v1/activities"]["post"]
    assert {"201", "401", "403", "409", "422", "429"} <= set(post["responses"])
    assert any(p["name"] == "Idempotency-Key" for p in post["parameters"])


def test_docs_page_is_served_from_local_assets(client):
    page = client.get("/api/v1/docs")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and page.mimetype == "text/html"
    assert "POST /api/v1/activities" in html and "Idempotency-Key" in html and "ActivityCreate" in html
    assert "<script>" not in html and "style=" not in html
    assert not re.search(r'(src|href)="(https?:)?//', html)


#: Every Schemathesis check, named so (``"enabled": True`` for all, as ``--checks all`` on the command
#: line), so a change of the library's defaults cannot quietly drop one. One adjustment: a request the
#: document allows may still break a rule that depends on the data (an id that must exist, a date not
#: in the future, one of the caller's own teams), which the API answers with its documented 422;
#: "positive data acceptance" is told so.
CONFIG = SchemathesisConfig.from_dict(
    {
        "checks": {
            "enabled": True,
            "positive_data_acceptance": {
                "expected-statuses": [*POSITIVE_DATA_ACCEPTANCE_EXPECTED_STATUSES, "422"]
            },
        }
    }
)


@pytest.fixture
def token_headers(make, api_as):
    team = make.team()
    clinician = make.clinician(team)
    for minutes in (30, 60, 90):
        make.activity(clinician, duration_minutes=minutes)
    db.session.commit()
    return {"Authorization": f"Bearer {api_as(clinician).token}"}


def test_api_conforms_to_its_document(app, token_headers, monkeypatch):
    """Every operation, with generated requests, passes Schemathesis's default checks."""
    # Its authentication checks send wrong tokens on purpose; keep them from throttling the good one.
    monkeypatch.setitem(app.config, "IW_LOGIN_MAX_FAILURES", 100_000)
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app, config=CONFIG)
    failures = []
    seen: dict[str, set[int]] = {}
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 12

    for operation in operations:
        try:
            _fuzz(operation, token_headers, seen)
        except Exception as exc:  # noqa: BLE001 - collect every operation's failure, then report them all
            failures.append(f"{operation.method.upper()} {operation.path}: {exc}")
    assert not failures, "\n\n".join(failures)
    # The requests really reached the views: reads succeeded and invalid writes were refused, not crashed.
    assert 200 in seen["GET /api/v1/activities"] and 200 in seen["GET /api/v1/me"]
    assert seen["POST /api/v1/activities"] <= {201, 409, 422}


def _fuzz(operation, headers, seen):
    """Run Schemathesis's generated cases for one operation, noting the status codes answered."""

    @given(case=operation.as_strategy())
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
    )
    def check(case):
        response = case.call_and_validate(headers=headers)
        seen.setdefault(f"{case.method} {operation.path}", set()).add(response.status_code)

    check()
