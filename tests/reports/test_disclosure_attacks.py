"""What a commissioner can download cannot be combined to recover a figure from fewer than N clinicians.

Each test plays the attack a commissioner could try with the downloads the product offers, on a
provider month built to be at risk (``at_risk.py``), and checks that the hidden figure cannot be
worked out. Figures are compared with the truth counted from the rows themselves.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.reports.at_risk import (
    MONTH,
    SATURDAY,
    build_at_risk,
    numeric_cells,
    open_workbook,
    row_starting,
    sheet_rows,
    summary_figures,
    workbook_url,
)

ROUNDING = 5
MEASURES = ("activities", "hours", "people", "clinicians")


@pytest.fixture
def risk(make: Any, db: Any) -> Any:
    return build_at_risk(make, db)


def _exact(truth: dict[str, Any]) -> dict[str, Any]:
    return {
        "activities": truth["activities"],
        "hours": truth["minutes"] / 60,
        "people": truth["people"],
        "clinicians": truth["clinicians"],
    }


def _download(client: Any, url: str) -> Any:
    response = client.get(url)
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    return open_workbook(response.data)


def test_hidden_team_type_cannot_be_recovered_from_the_filtered_workbooks(
    client: Any, login: Any, risk: Any
) -> None:
    login(risk.commissioner)
    whole = _download(client, workbook_url(risk.org))
    by_type = sheet_rows(whole, "By team type")
    hidden_row = row_starting(by_type, "A02")
    assert hidden_row is not None and "*" in hidden_row, "the two-clinician team type must be hidden"
    total = summary_figures(whole)
    others = [summary_figures(_download(client, workbook_url(risk.org, team_type=c))) for c in ("A06", "A05")]
    hidden = _exact(risk.truth("A02"))
    for measure in MEASURES:
        if "*" in (total[measure], *(o[measure] for o in others)):
            continue  # a suppressed margin gives the attack nothing to subtract from
        difference = total[measure] - sum(o[measure] for o in others)
        # Rounded figures leave the difference uncertain by several units either side; the
        # fixture's figures are chosen so that it does not land on the true value by chance.
        assert abs(difference - hidden[measure]) > 1e-9, f"{measure} of team type A02 recovered: {difference}"


def test_every_published_figure_is_rounded_or_suppressed(client: Any, login: Any, risk: Any) -> None:
    login(risk.commissioner)
    whole = _download(client, workbook_url(risk.org))
    sheets = ("By activity", "By team type", "By profession", "By recipient and mode", "Trend")
    figures = list(numeric_cells(whole, sheets))
    assert len(figures) > 20, "the workbook must publish figures"
    for sheet, coordinate, value in figures:
        assert float(value) % ROUNDING == 0, f"{sheet}!{coordinate} = {value} is not rounded to {ROUNDING}"
    summary = summary_figures(whole)
    for measure in MEASURES:
        assert summary[measure] == "*" or float(summary[measure]) % ROUNDING == 0, (measure, summary)
    # Completeness: every clinician count is rounded or hidden (team counts only count the teams
    # the sheet itself lists by name).
    rows = sheet_rows(whole, "Completeness")
    start = next(i for i, row in enumerate(rows) if row[:1] == ["Team type code"])
    counts = [row[2:4] for row in rows[start + 1 :] if row and row[0] and len(row) > 3 and row[2] is not None]
    counts += [row[1:2] for row in rows if row and str(row[0]).startswith("Clinicians ")]
    assert counts, "Completeness publishes clinician counts per team type"
    for value in (v for pair in counts for v in pair):
        assert value == "*" or float(value) % ROUNDING == 0, value


def test_completeness_does_not_publish_the_count_that_by_team_type_hides(
    client: Any, login: Any, risk: Any
) -> None:
    login(risk.commissioner)
    whole = _download(client, workbook_url(risk.org))
    completeness = sheet_rows(whole, "Completeness")
    crisis = [row for row in completeness if "A02" in row]
    assert crisis, "the crisis team (type A02) is listed on Completeness"
    for row in crisis:
        assert 2 not in row, f"Completeness publishes the hidden team type's 2 clinicians: {row}"


def _rollup(client: Any, token_headers: dict[str, str], **query: Any) -> Any:
    return client.get("/api/v1/rollups", query_string=query, headers=token_headers)


@pytest.fixture
def commissioner_api(client: Any, db: Any, risk: Any) -> dict[str, str]:
    from indirect_work.api.tokens import create_token

    new = create_token(user=risk.commissioner, name="tests", lifetime_days=30)
    db.session.commit()
    return {"Authorization": f"Bearer {new.secret}"}


def test_api_rollups_cannot_be_differenced_by_team_type(
    client: Any, risk: Any, commissioner_api: Any
) -> None:
    month = {"start": "2026-10-01", "end": "2026-10-31", "organisation_id": risk.org.id}
    whole = _rollup(client, commissioner_api, by="team_type", **month)
    assert whole.status_code == 200, whole.get_json()
    body = whole.get_json()
    rows = {row["keys"][0]: row for row in body["rows"]}
    assert rows["A02"]["suppressed"] is True
    visible = [code for code, row in rows.items() if not row["suppressed"]]
    filtered = [
        _rollup(client, commissioner_api, service_team_type_code=code, **month).get_json()["totals"]
        for code in visible
    ]
    hidden = risk.truth("A02")
    for measure, truth in (("activities", hidden["activities"]), ("people_reached", hidden["people"])):
        parts = [
            body["totals"][measure],
            *(f[measure] for f in filtered),
            *(rows[c][measure] for c in visible),
        ]
        if None in parts:
            continue
        by_filter = body["totals"][measure] - sum(f[measure] for f in filtered)
        by_rows = body["totals"][measure] - sum(rows[c][measure] for c in visible)
        assert truth not in (by_filter, by_rows), f"{measure} of A02 recovered"
        assert all(value % ROUNDING == 0 for value in parts), parts


def test_commissioners_cannot_ask_for_a_day_range(client: Any, risk: Any, commissioner_api: Any) -> None:
    for start, end in (
        ("2026-10-01", "2026-10-28"),
        ("2026-10-02", "2026-10-31"),
        ("2026-10-31", "2026-10-31"),
    ):
        response = _rollup(client, commissioner_api, start=start, end=end, organisation_id=risk.org.id)
        assert response.status_code == 422, (start, end, response.get_json())
        error = response.get_json()["error"]
        assert {"start", "end"} & set(error["fields"]), error
        assert "whole month" in " ".join(m for ms in error["fields"].values() for m in ms)


def test_the_lone_saturday_record_cannot_be_isolated(client: Any, risk: Any, commissioner_api: Any) -> None:
    assert risk.lone.activity_on == SATURDAY and MONTH.month == SATURDAY.month
    refused = _rollup(
        client,
        commissioner_api,
        start="2026-10-31",
        end="2026-10-31",
        organisation_id=risk.org.id,
        by="profession",
    )
    assert refused.status_code == 422
