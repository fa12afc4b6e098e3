"""``flask report monthly|mhsds``: write commissioner workbooks and MHSDS extracts for scheduling by cron."""

from __future__ import annotations

import os
from datetime import date

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import select

from indirect_work.audit.services import record_event
from indirect_work.core.dates import FUTURE_MONTH, is_future_month, parse_month
from indirect_work.core.errors import NotFound, ValidationFailed
from indirect_work.core.spreadsheets import iter_csv
from indirect_work.core.transactions import unit_of_work
from indirect_work.extensions import db
from indirect_work.org.models import Organisation
from indirect_work.reports import mhsds_extract
from indirect_work.reports.commissioning import check_team_type, find_organisation
from indirect_work.reports.disclosure import DisclosurePolicy
from indirect_work.reports.disclosure_check import check_month
from indirect_work.reports.services import generate_workbook

report_group = AppGroup("report", help="Commissioner workbooks and the MHSDS extract.")

CLI_ACTOR = "cli"


def _month(text: str) -> date:
    """The report month, refused as the Reports page refuses it (bad form, or in the future)."""
    try:
        month = parse_month(text)
    except ValueError as exc:
        raise click.ClickException(str(exc)) from None
    if is_future_month(month):
        raise click.ClickException(FUTURE_MONTH)
    return month


def _organisations(ods_code: str | None) -> list[Organisation]:
    if ods_code:
        try:
            return [find_organisation(ods_code)]
        except NotFound as exc:
            raise click.ClickException(exc.message) from None
    organisations = list(
        db.session.scalars(
            select(Organisation).where(Organisation.is_active.is_(True)).order_by(Organisation.ods_code)
        )
    )
    if not organisations:
        raise click.ClickException("There are no active organisations to report on")
    return organisations


def _output_dir(path: str) -> str:
    try:
        os.makedirs(path, exist_ok=True)
    except OSError as exc:
        raise click.ClickException(f"Cannot write to {path}: {exc.strerror}") from None
    return path


month_option = click.option("--month", required=True, help="The report month, YYYY-MM.")
organisation_option = click.option(
    "--organisation", "ods_code", help="ODS code of one provider (default: all)."
)
output_option = click.option("--output", default=".", show_default=True, help="Folder to write the files to.")


@report_group.command("monthly")
@month_option
@organisation_option
@click.option("--team-type", help="Only one MHSDS service or team type (code, e.g. A06).")
@output_option
def monthly_command(month: str, ods_code: str | None, team_type: str | None, output: str) -> None:
    """Write each provider's commissioner workbook for the month."""
    report_month = _month(month)
    organisations = _organisations(ods_code)
    try:
        team_type_code = check_team_type(team_type)
    except ValidationFailed as exc:
        raise click.ClickException("; ".join(m for msgs in exc.fields.values() for m in msgs)) from None
    folder = _output_dir(output)
    policy = DisclosurePolicy.from_config(current_app.config)
    for organisation in organisations:
        with unit_of_work():  # each provider's audit row is kept once its file is written
            result = generate_workbook(
                organisation,
                report_month,
                policy=policy,
                team_type_code=team_type_code,
                action="report.workbook_generate",
                actor_email=CLI_ACTOR,
            )
            path = os.path.join(folder, result.filename)
            with open(path, "wb") as handle:
                handle.write(result.content)
        click.echo(f"Wrote {path}")


@report_group.command("mhsds")
@month_option
@organisation_option
@output_option
def mhsds_command(month: str, ods_code: str | None, output: str) -> None:
    """Write the MHS204 extract and its validation report for each provider's month."""
    report_month = _month(month)
    organisations = _organisations(ods_code)
    folder = _output_dir(output)
    for organisation in organisations:
        with unit_of_work():  # the audit row is kept once both files are written
            message = _write_mhsds_files(organisation, report_month, folder)
        click.echo(message)


def _write_mhsds_files(organisation: Organisation, report_month: date, folder: str) -> str:
    """Write the provider's extract and validation report, record the event, and say what was written."""
    extract_name, validation_name = mhsds_extract.extract_filenames(organisation.ods_code, report_month)
    counts = mhsds_extract.ExtractCounts()
    extract_path, validation_path = (
        os.path.join(folder, extract_name),
        os.path.join(folder, validation_name),
    )
    rows = mhsds_extract.counted(mhsds_extract.extract_rows(organisation, report_month), counts)
    with open(extract_path, "w", encoding="utf-8", newline="") as handle:
        handle.writelines(iter_csv(mhsds_extract.COLUMNS, mhsds_extract.extract_values(rows)))
    with open(validation_path, "w", encoding="utf-8", newline="") as handle:
        handle.writelines(
            iter_csv(
                mhsds_extract.VALIDATION_COLUMNS,
                mhsds_extract.validation_values(mhsds_extract.extract_rows(organisation, report_month)),
            )
        )
    record_event(
        "report.mhsds_extract",
        actor_email=CLI_ACTOR,
        object_type="organisation",
        object_id=organisation.id,
        details={
            "month": f"{report_month:%Y-%m}",
            "rows": counts.valid,
            "left_out": counts.invalid,
            "warnings": counts.warnings,
        },
    )
    return (
        f"Wrote {extract_path} ({counts.valid} rows) and {validation_path} "
        f"({counts.invalid} rows left out, {counts.warnings} warnings)"
    )


@report_group.command("disclosure-check")
@month_option
@organisation_option
def disclosure_check_command(month: str, ods_code: str | None) -> None:
    """Attack everything commissioners can download for the month; exit 1 naming any figure recovered."""
    report_month = _month(month)
    policy = DisclosurePolicy.from_config(current_app.config)
    found = 0
    for organisation in _organisations(ods_code):
        findings = check_month(organisation, report_month, policy)
        for finding in findings:
            click.echo(f"{organisation.ods_code} {report_month:%Y-%m}: {finding}", err=True)
        found += len(findings)
        if not findings:
            click.echo(f"{organisation.ods_code} {report_month:%Y-%m}: no protected figure can be worked out")
    if found:
        raise click.ClickException(f"{found} protected figure(s) can be worked out from the published tables")
