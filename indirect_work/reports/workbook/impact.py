"""The Impact sheet: recipient feedback and recorded outcomes of the month, under the disclosure policy.

Every cell goes through :class:`reports.disclosure.Disclosure`: it is shown only where at least the
threshold of distinct clinicians and of distinct responses (for outcomes: of activities) stand
behind it, and counts are rounded like every other figure. Free text is never in a workbook.
"""

from __future__ import annotations

from openpyxl import Workbook
from openpyxl.cell import Cell

from indirect_work.impact.rollups import Impact, ImpactRow
from indirect_work.reports.disclosure import Disclosure
from indirect_work.reports.workbook.report import MonthlyReport
from indirect_work.reports.workbook.sheet import Sheet, legend
from indirect_work.reports.workbook.styles import HOURS, PERCENT


def impact_sheet(workbook: Workbook, report: MonthlyReport, disclosure: Disclosure) -> None:
    """Responses and response rate by category, item means by category, outcomes recorded."""
    sheet = Sheet(workbook, "Impact")
    impact = report.impact or Impact((), (), ())
    sheet.header(
        ("Category", "Activities with a feedback link", "People reached", "Responses", "Response rate"),
        numeric_from=1,
    )
    for row in impact.rows:
        _category_row(sheet, row, disclosure)
    sheet.end_data()
    sheet.blank()
    sheet.add(
        [sheet.text(t, bold=True) for t in ("Category", "Question (as asked)", "Responses", "Mean (1 to 5)")]
    )
    for category in impact.categories:
        for item in category.items:
            shown = {"clinicians": category.clinicians, "responses": item.answers}
            sheet.add(
                [
                    sheet.text(category.category),
                    sheet.text(item.wording),
                    sheet.count(disclosure.impact_count(item.answers, **shown)),
                    _mean(sheet, disclosure.impact_mean(item.mean, **shown)),
                ]
            )
    sheet.blank()
    sheet.add([sheet.text(t, bold=True) for t in ("Outcome recorded by the clinician", "Activities")])
    for outcome in impact.outcomes:
        count = disclosure.impact_count(
            outcome.activities, clinicians=outcome.clinicians, responses=outcome.activities
        )
        sheet.add([sheet.text(outcome.label), sheet.count(count)])
    sheet.blank()
    sheet.note(
        "Responses are anonymous answers of the people who received the work, on feedback links their "
        "clinician shared; each item is answered on a fixed 1 to 5 scale. Response rate: responses per "
        "person reached by the activities that had a feedback link, from the rounded figures."
    )
    sheet.note(
        f"A cell is shown only where at least {disclosure.policy.threshold} distinct clinicians and at least "
        f"{disclosure.policy.threshold} distinct responses (for outcomes: activities) stand behind it; "
        "otherwise it is *. Written comments are never included. Impact is a local measure: MHSDS has "
        "no item for it."
    )
    legend(sheet, disclosure.policy)
    sheet.write()


def _category_row(sheet: Sheet, row: ImpactRow, disclosure: Disclosure) -> None:
    shown = {"clinicians": row.clinicians, "responses": row.responses}
    links = disclosure.impact_count(row.activities_with_links, **shown)
    people = disclosure.impact_count(row.people_reached, **shown)
    responses = disclosure.impact_count(row.responses, **shown)
    rate = responses / people if responses is not None and people else None
    sheet.add(
        [
            sheet.text(row.category),
            sheet.count(links),
            sheet.count(people),
            sheet.count(responses),
            sheet.suppressed() if rate is None else sheet.number(rate, PERCENT),
        ]
    )


def _mean(sheet: Sheet, value: float | None) -> Cell:
    return sheet.suppressed() if value is None else sheet.number(value, HOURS)
