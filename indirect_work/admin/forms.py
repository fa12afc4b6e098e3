"""Admin forms (HTML only): taxonomy, organisations and teams, people, import and audit filters."""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    HiddenField,
    PasswordField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]  # WTForms 3.3 API, not in types-WTForms 3.2
from wtforms.validators import DataRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from indirect_work.core.errors import ValidationFailed
from indirect_work.core.inputs import CheckedForm, optional_id
from indirect_work.taxonomy.models import MHSDS_TARGETS


def optional_int(value: Any) -> int | None:
    """Coerce a select's value to an id, with the blank option (or no id the database holds) meaning None."""
    return optional_id(value)


def required_id(value: Any) -> int:
    """Coerce a checkbox's value to an id; anything else is the field's "could not be coerced" error."""
    number = optional_int(value)
    if number is None:
        raise ValueError(f"{value!r} is not an id")
    return number


class AdminCheckboxes(SelectMultipleField):
    """Several choices shown as checkboxes (the ``checkboxes`` macro renders them)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()

    def pre_validate(self, form: Any) -> None:
        # Choices are checked by the service, which says which one is wrong.
        return None


def show_errors(form: FlaskForm, exc: ValidationFailed) -> None:
    """Put a service's field messages next to the form's fields (form-level when no such field)."""
    for name, messages in exc.fields.items():
        field = form._fields.get(name)
        if field is not None and name != "csrf_token":
            field.errors = [*field.errors, *messages]
        else:
            form.form_errors.extend(messages)


class ActionForm(CheckedForm):
    """Only the CSRF token, for buttons that change state (retire, move, deactivate, ...)."""


class CategoryForm(CheckedForm):
    code = StringField(
        "Code",
        description="Capital letters, digits and underscores, e.g. SUPERVISION. "
        "It cannot change once activities use it.",
        validators=[DataRequired("Enter a code"), Length(max=40)],
    )
    label = StringField("Label", validators=[DataRequired("Enter a label"), Length(max=120)])
    description = TextAreaField("Description (optional)", validators=[Length(max=2000)])


class ActivityTypeForm(CheckedForm):
    category_id = SelectField("Category", coerce=optional_int, validate_choice=False)
    code = StringField(
        "Code",
        description="Capital letters, digits and underscores, e.g. CONSULT_WARD. "
        "It cannot change once activities use it.",
        validators=[DataRequired("Enter a code"), Length(max=40)],
    )
    label = StringField(
        "Label",
        description="What clinicians see in the log form.",
        validators=[DataRequired("Enter a label"), Length(max=120)],
    )
    description = TextAreaField("Description (optional)", validators=[Length(max=2000)])
    is_patient_specific = BooleanField(
        "Patient-specific work", description="Needs a start time and the EPR referral identifier."
    )
    mhsds_target = SelectField(
        "MHSDS reporting",
        validate_choice=False,
        choices=[SelectChoice(k, v) for k, v in MHSDS_TARGETS.items()],
    )
    snomed_concept_id = StringField(
        "SNOMED CT concept id (optional)",
        description="The concept your trust chose for MHS204 indirect activity procedure, 6 to 18 digits.",
        validators=[Length(max=18, message="SNOMED CT concept id must be 6 to 18 digits long")],
    )


class OrganisationForm(CheckedForm):
    ods_code = StringField(
        "ODS code",
        description="The provider's ODS code, 3 to 6 letters or digits, e.g. RDM.",
        validators=[DataRequired("Enter the ODS code"), Length(max=8)],
    )
    name = StringField("Name", validators=[DataRequired("Enter the organisation's name"), Length(max=200)])
    default_commissioner_code = StringField(
        "Default commissioner ODS code (optional)",
        description="Used in the MHSDS extract when an activity names no commissioner.",
        validators=[Length(max=5, message="Commissioner ODS code must be 3 to 5 letters or digits")],
    )
    is_active = BooleanField("Active", default=True)


class TeamForm(CheckedForm):
    organisation_id = SelectField("Organisation", coerce=optional_int, validate_choice=False)
    local_id = StringField(
        "Team local identifier",
        description="The care professional team local identifier in MHSDS (up to 20).",
        validators=[DataRequired("Enter the team's local identifier"), Length(max=20)],
    )
    name = StringField("Name", validators=[DataRequired("Enter the team's name"), Length(max=200)])
    service_team_type_code = SelectField("MHSDS service or team type", validate_choice=False)
    is_active = BooleanField("Active", default=True)


class ProfessionForm(CheckedForm):
    code = StringField(
        "Code",
        description="Capital letters, digits and underscores, e.g. CLIN_PSY.",
        validators=[DataRequired("Enter a code"), Length(max=20)],
    )
    label = StringField("Name", validators=[DataRequired("Enter the profession's name"), Length(max=120)])
    group = StringField(
        "Report group",
        description="Reports add up professions by this group.",
        validators=[DataRequired("Enter the group reports put it in"), Length(max=60)],
    )
    staff_group_code = StringField(
        "MHSDS staff group code",
        description="CARE PROFESSIONAL STAFF GROUP (MENTAL HEALTH), 2 digits.",
        validators=[Length(max=2, message="Enter the 2-digit staff group code")],
    )
    is_active = BooleanField("Offered when adding people", default=True)


class PersonForm(CheckedForm):
    full_name = StringField(
        "Full name", validators=[DataRequired("Enter the person's full name"), Length(max=200)]
    )
    email = EmailField(
        "Email address",
        description="They sign in with this address.",
        validators=[DataRequired("Enter an email address"), Length(max=254)],
    )
    staff_local_id = StringField(
        "Staff local identifier (optional)",
        description="Care professional local identifier from ESR or the EPR.",
        validators=[Length(max=20)],
    )
    organisation_id = SelectField("Organisation", coerce=optional_int, validate_choice=False)
    profession_id = SelectField("Profession", coerce=optional_int, validate_choice=False)
    clinician_team_ids = AdminCheckboxes("Clinician of (logs activity for these teams)", coerce=required_id)
    lead_team_ids = AdminCheckboxes("Team lead of (sees these teams' dashboards)", coerce=required_id)
    commissioner_org_ids = AdminCheckboxes(
        "Commissioner for (receives these organisations' reports)", coerce=required_id
    )
    is_admin = BooleanField("Administrator", description="Keeps the taxonomy, teams and people.")
    default_team_id = SelectField(
        "Usual team",
        coerce=optional_int,
        validate_choice=False,
        description="Selected first in their log form.",
    )


class ResetPasswordForm(CheckedForm):
    new_password = PasswordField(
        "One-time password (optional)",
        description="Leave blank to generate one. They must choose their own at next sign-in.",
        validators=[Optional(), Length(max=128)],
    )


class ImportUploadForm(CheckedForm):
    file = FileField("CSV file", validators=[FileRequired("Choose a CSV file")])


class ImportConfirmForm(CheckedForm):
    csv_text = HiddenField(validators=[DataRequired()])
    invite = BooleanField("Email each new person an invitation to choose their password")


class AuditFilterForm(CheckedForm):
    class Meta:
        csrf = False

    FILTER_FIELDS = ("actor", "action", "object_type", "object_id", "date_from", "date_to")

    actor = StringField("Person (email contains)", validators=[Optional(), Length(max=254)])
    action = SelectField("Action", validate_choice=False)
    object_type = SelectField("Object type", validate_choice=False)
    object_id = StringField("Object id", validators=[Optional(), Length(max=40)])
    date_from = DateField("From", validators=[Optional()], format="%Y-%m-%d")
    date_to = DateField("To", validators=[Optional()], format="%Y-%m-%d")
