"""The Data dictionary sheet: what every column means and the MHSDS item it corresponds to."""

from __future__ import annotations

from openpyxl import Workbook

from indirect_work.reports.dimensions import DIMENSIONS, Dimension
from indirect_work.reports.workbook.sheet import Sheet

DATA_DICTIONARY: tuple[tuple[str, str, str, str], ...] = (
    (
        "Summary",
        "Provider",
        "Name of the provider organisation. Its records are those logged under it: the organisation "
        "recorded on each activity when it was logged, so a team moving provider later changes no "
        "earlier month.",
        "Local (organisation name)",
    ),
    (
        "Summary",
        "ODS code",
        "ODS code of the provider.",
        "ORGANISATION IDENTIFIER (CODE OF PROVIDER), MHS000 OrgIDProvider",
    ),
    (
        "Summary",
        "Period start / end",
        "First and last day of the reporting month.",
        "REPORTING PERIOD START DATE / END DATE, MHS000 ReportingPeriodStartDate / ReportingPeriodEndDate",
    ),
    (
        "Summary",
        "Generated at (UTC)",
        "When the workbook was produced.",
        "DATE AND TIME DATA SET CREATED, MHS000 DateTimeDatSetCreate (equivalent)",
    ),
    (
        "Summary",
        "Team type",
        "All team types, or the one MHSDS service or team type the workbook covers.",
        "SERVICE OR TEAM TYPE FOR MENTAL HEALTH, MHS902 ServTeamTypeMH",
    ),
    (
        "Summary",
        "Suppression threshold (clinicians)",
        "Figures from fewer distinct clinicians are shown as *.",
        "Local (disclosure control)",
    ),
    (
        "Summary",
        "This month / Previous month",
        "The measure in the period and in the month before it.",
        "Local",
    ),
    (
        "Summary",
        "Change / Change %",
        "This month minus the previous month, and that as a share of the previous month.",
        "Local",
    ),
    (
        "Summary",
        "Teams contributing",
        "Teams with at least one record in the month.",
        "Count of CARE PROFESSIONAL TEAM LOCAL IDENTIFIER",
    ),
    (
        "All",
        "Activities",
        "Number of sessions (live activity records); a session co-delivered by several staff counts once, "
        "in a profession row under the profession of the person who logged it.",
        "Count of indirect activities; patient-specific ones are MHS204 Indirect Activity rows",
    ),
    (
        "All",
        "Hours",
        "Staff hours: each deliverer's own minutes (the person who logged it and every co-deliverer), "
        "summed and divided by 60; in a profession row, each deliverer's time under their own profession.",
        "DURATION OF INDIRECT ACTIVITY, MHS204 DurationIndirectAct (minutes), summed",
    ),
    (
        "All",
        "People reached",
        "Sum of the number of people each session reached, once per session however many staff delivered it.",
        "Local (no MHSDS item)",
    ),
    (
        "All",
        "Clinicians contributing",
        "Distinct clinicians who delivered at least one session in the row, co-deliverers included "
        "(disclosure control counts these).",
        "Count of distinct CARE PROFESSIONAL LOCAL IDENTIFIER, MHS204 CareProfLocalID",
    ),
    (
        "All",
        "Total / In suppressed rows",
        "The true total of the period; then a formula: the total minus "
        "the rows shown, i.e. the suppressed rows combined.",
        "Local",
    ),
    ("By activity", "Level", "Category row (subtotal) or activity type row.", "Local"),
    (
        "By activity",
        "Category",
        "Category of indirect work in the trust's taxonomy.",
        DIMENSIONS[Dimension.CATEGORY].mhsds_item,
    ),
    (
        "By activity",
        "Activity type code / Activity type",
        "The trust's activity type.",
        DIMENSIONS[Dimension.ACTIVITY_TYPE].mhsds_item,
    ),
    (
        "By activity",
        "Patient-specific",
        "Whether the type concerns one identifiable patient.",
        DIMENSIONS[Dimension.PATIENT_SPECIFIC].mhsds_item,
    ),
    (
        "By activity",
        "MHSDS target",
        "MHS204 if the type is submitted as indirect activity, else local only.",
        "MHS204 Indirect Activity",
    ),
    (
        "By team type",
        "Team type code / Team type",
        "The team's service or team type.",
        DIMENSIONS[Dimension.TEAM_TYPE].mhsds_item,
    ),
    (
        "By team type",
        "Teams contributing",
        "Teams of that type with at least one record.",
        "Count of CARE PROFESSIONAL TEAM LOCAL IDENTIFIER",
    ),
    (
        "By profession",
        "Profession / Profession group",
        "Psychological profession of the clinician.",
        DIMENSIONS[Dimension.PROFESSION].mhsds_item,
    ),
    (
        "By profession",
        "MHSDS staff group code",
        "Staff group of the profession.",
        "CARE PROFESSIONAL STAFF GROUP (MENTAL HEALTH), MHS901 CareProfStaffGpMH (an2)",
    ),
    (
        "By recipient and mode",
        "Breakdown",
        "Mode rows (they add up to the total) or recipient type rows "
        "(an activity can have several, so they do not).",
        "Local",
    ),
    (
        "By recipient and mode",
        "Mode: code / description",
        "How the activity was carried out.",
        DIMENSIONS[Dimension.MECHANISM].mhsds_item,
    ),
    (
        "By recipient and mode",
        "Recipient type: code / description",
        "Who received the work.",
        DIMENSIONS[Dimension.RECIPIENT_TYPE].mhsds_item,
    ),
    ("Trend", "Month", "Reporting month.", DIMENSIONS[Dimension.MONTH].mhsds_item),
    (
        "Trend",
        "Category columns / All categories",
        "Hours of each category in the month.",
        "DurationIndirectAct summed, divided by 60",
    ),
    (
        "Completeness",
        "Team local ID / Team / Team type code",
        "The provider's active teams.",
        "CARE PROFESSIONAL TEAM LOCAL IDENTIFIER (an20); ServTeamTypeMH",
    ),
    ("Completeness", "Month locked", "Whether the team lead has checked and locked the month.", "Local"),
    (
        "Completeness",
        "Clinicians expected / contributing",
        "Counts of clinicians on the team, and of those who delivered at least one session in the month "
        "(their own or co-delivered).",
        "Local",
    ),
    ("Completeness", "Team contributed", "Whether the team has at least one record in the month.", "Local"),
    (
        "Impact",
        "Category / Activities with a feedback link / People reached",
        "The activity category; its activities of the month that had a feedback link, and the people "
        "they reached.",
        "Local item: MHSDS has no item for recipient feedback",
    ),
    (
        "Impact",
        "Responses / response rate",
        "Anonymous answers of the people who received the work, on feedback links their clinician "
        "shared; the rate is responses per person reached by the activities that had a link.",
        "Local item: MHSDS has no item for recipient feedback",
    ),
    (
        "Impact",
        "Mean (1 to 5)",
        "Mean answer to each question as it was asked, on a fixed five-point scale.",
        "Local item: MHSDS has no item for recipient feedback",
    ),
    (
        "Impact",
        "Outcome recorded by the clinician",
        "What changed because of the work (care plan changed, referral avoided or redirected, ...), "
        "counted in activities.",
        "Local item: MHSDS has no item for outcomes of indirect work",
    ),
)


def dictionary(workbook: Workbook) -> None:
    """The data dictionary, one row per column of the other sheets."""
    sheet = Sheet(workbook, "Data dictionary")
    sheet.header(("Sheet", "Column", "Meaning", "MHSDS item"))
    for row in DATA_DICTIONARY:
        sheet.add(sheet.text(value) for value in row)
    sheet.end_data()
    sheet.write(filter_columns=4)
