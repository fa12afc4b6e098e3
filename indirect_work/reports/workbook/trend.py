"""The Trend sheet: hours by category over the twelve months to the report month, with a chart."""

from __future__ import annotations

from openpyxl import Workbook
from openpyxl.chart import LineChart, Reference

from indirect_work.reports.disclosure import Disclosure, trend_table
from indirect_work.reports.workbook.report import MonthlyReport
from indirect_work.reports.workbook.sheet import Sheet
from indirect_work.reports.workbook.styles import HOURS, MONTH, SUPPRESSED


def trend(workbook: Workbook, report: MonthlyReport, disclosure: Disclosure) -> None:
    sheet = Sheet(workbook, "Trend", max_width=16)
    sheet.header(
        ("Month", *(label for _, label in report.trend_categories), "All categories"), numeric_from=2
    )
    for month in report.trend:
        by_key = {line.key: line for line in month.categories.lines}
        cells = [sheet.date(month.month, MONTH)]
        for key, _label in report.trend_categories:
            line = by_key.get(key)
            published = disclosure.row(trend_table(month.month), line) if line is not None else None
            if line is None:
                cells.append(sheet.number(0.0, HOURS))
            elif published is None:
                cells.append(sheet.suppressed())
            else:
                cells.append(sheet.number(published.hours, HOURS))
        total = disclosure.total(month.total)
        cells.append(sheet.suppressed() if total is None else sheet.number(total.hours, HOURS, bold=True))
        sheet.add(cells)
    last = sheet.end_data()
    columns = len(report.trend_categories) + 2
    if report.trend:
        chart = LineChart()
        chart.title = "Hours by category, 12 months"
        chart.y_axis.title = "Hours"
        chart.x_axis.title = "Month"
        chart.x_axis.number_format = MONTH
        chart.height, chart.width = 11, 30
        if chart.legend is not None:  # a new chart has a legend; the type allows none
            chart.legend.position = "b"
        data = Reference(sheet.ws, min_col=2, max_col=columns - 1, min_row=1, max_row=last)
        chart.add_data(data, titles_from_data=True)
        for series in chart.series:
            series.smooth = False
        chart.set_categories(Reference(sheet.ws, min_col=1, min_row=2, max_row=last))
        sheet.setup.add_chart(chart, f"A{last + 4}")
        sheet.extra_print_rows = 24
    sheet.blank()
    sheet.note(f"Hours by category per month. {SUPPRESSED}: suppressed (see the Summary sheet).")
    sheet.write(filter_columns=columns)
