"""``flask report disclosure-check``: the attacks it tries, on data built to be at risk."""

from __future__ import annotations

from typing import Any

import pytest

from indirect_work.reports.disclosure import DisclosurePolicy, Published
from indirect_work.reports.disclosure_attacks import Cell, Sum, find_disclosures
from indirect_work.reports.queries import RollupRow
from tests.reports.at_risk import MONTH_ARG, build_at_risk


def _check(app: Any, *args: str) -> Any:
    return app.test_cli_runner().invoke(args=["report", "disclosure-check", "--month", MONTH_ARG, *args])


@pytest.fixture
def at_risk(make: Any, db: Any) -> Any:
    risk = build_at_risk(make, db)
    db.session.commit()
    return risk


def test_the_published_policy_passes_on_data_at_risk(app: Any, at_risk: Any) -> None:
    result = _check(app, "--organisation", "RAR")
    assert result.exit_code == 0, result.output
    assert "RAR 2026-10: no protected figure can be worked out" in result.output


def test_without_rounding_the_check_finds_a_cell_worked_out_by_differencing(
    app: Any, at_risk: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(app.config, "IW_DISCLOSURE_ROUNDING", 1)
    result = _check(app, "--organisation", "RAR")
    assert result.exit_code == 1, result.output
    # Suppression alone is not enough: the one clinical psychologist of team type A05 (whose
    # workbook is hidden) is the whole provider's clinical psychologists less team type A06's.
    assert "workbook A05: profession Clinical psychologist" in result.output
    assert "worked out from" in result.output
    assert "protected figure(s) can be worked out" in result.output


def test_the_check_refuses_a_future_month(app: Any, at_risk: Any) -> None:
    result = app.test_cli_runner().invoke(args=["report", "disclosure-check", "--month", "2999-01"])
    assert result.exit_code == 1 and "The month must not be in the future" in result.output


def _row(activities: int, minutes: int, clinicians: int) -> RollupRow:
    return RollupRow(activities, minutes, activities, clinicians)


def test_one_hidden_row_is_recovered_from_exact_figures_and_not_from_rounded_ones() -> None:
    rows = {"a": _row(7, 410, 4), "b": _row(9, 530, 5), "c": _row(2, 70, 1)}
    total = _row(18, 1010, 10)
    for rounding, expected in ((1, {"c"}), (5, set())):
        policy = DisclosurePolicy(threshold=3, rounding=rounding)
        cells = [Cell("total", total, policy.publish(total))]
        cells += [Cell(k, v, policy.publish(v)) for k, v in rows.items()]
        findings = find_disclosures(cells, [Sum("total", ("a", "b", "c"), "rows against the total")], policy)
        assert {f.cell for f in findings} == expected, (rounding, [str(f) for f in findings])
        if expected:
            assert {(f.measure, f.value) for f in findings} >= {("activities", 2), ("minutes", 70)}


def test_a_small_figure_published_directly_is_a_finding() -> None:
    policy = DisclosurePolicy(threshold=3, rounding=5)
    small = _row(4, 100, 2)
    findings = find_disclosures([Cell("lonely", small, Published(5, 0.0, 5, 0))], [], policy)
    assert [(f.cell, f.measure) for f in findings] == [("lonely", "clinicians")]
