"""People pages: list, create, edit, deactivate and reactivate, one-time passwords, CSV import."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Response, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from indirect_work.admin.forms import (
    ActionForm,
    ImportConfirmForm,
    ImportUploadForm,
    PersonForm,
    ResetPasswordForm,
)
from indirect_work.admin.services import organisations as org_svc
from indirect_work.admin.services import people as svc
from indirect_work.admin.services import user_import
from indirect_work.admin.views.common import bp, form_page, show_refusal
from indirect_work.auth.links import issue_link, link_email, link_hours
from indirect_work.auth.models import Role, User
from indirect_work.core.errors import Conflict
from indirect_work.core.transactions import abandon, attempt
from indirect_work.extensions import db
from indirect_work.mail import MailFailed, deliver, mail_enabled
from indirect_work.org.models import Profession

PER_PAGE = 50
MAX_IMPORT_BYTES = 2 * 1024 * 1024


@bp.get("/people")
def people() -> Any:
    """People, searchable by name or email, active ones first."""
    text = request.args.get("q", "")[:200]
    status = request.args.get("status", "active")
    page = db.paginate(svc.search_users(text, status), per_page=PER_PAGE, error_out=False)
    return render_template("admin/people.html", page=page, q=text, status=status)


@bp.route("/people/new", methods=["GET", "POST"])
def person_new() -> Any:
    """Create a person with a one-time password shown once."""
    form = _person_form(None)

    def create() -> tuple[User, str]:
        password = svc.one_time_password()
        return svc.create_account(_user_data(form), actor=current_user, password=password), password

    return _issue_password(form, create, created=True) or form_page(
        "admin/person_form.html", form, person=None
    )


@bp.route("/people/<int:user_id>/edit", methods=["GET", "POST"])
def person_edit(user_id: int) -> Any:
    """Change a person's details, roles and team memberships."""
    user = db.get_or_404(User, user_id)
    form = _person_form(user)
    if form.validate_on_submit():
        changes, error = attempt(svc.update_account, user, _user_data(form), actor=current_user)
        if error is not None:
            show_refusal(form, error)
        else:
            flash(f"{user.full_name} saved." if changes else "Nothing was changed.", "success")
            return redirect(url_for("admin.person_edit", user_id=user.id))
    return form_page("admin/person_form.html", form, person=user, action_form=ActionForm())


@bp.post("/people/<int:user_id>/<any(deactivate, reactivate):operation>")
def person_status(user_id: int, operation: str) -> Any:
    """Deactivate (signed out everywhere) or reactivate a person."""
    user = db.get_or_404(User, user_id)
    if ActionForm().validate_on_submit():
        try:
            svc.set_active(user, operation == "reactivate", actor=current_user)
        except Conflict as exc:  # refused before anything changed
            abandon()  # answered with a redirect: nothing of the refused change is kept
            flash(exc.message, "warning")
        else:
            flash(
                f"{user.full_name} {operation}d."
                + (" They have been signed out everywhere." if operation == "deactivate" else ""),
                "success",
            )
    else:
        flash("Your session expired before the change was made. Please try again.", "info")
    return redirect(url_for("admin.person_edit", user_id=user.id))


@bp.post("/people/<int:user_id>/invite")
def person_invite(user_id: int) -> Any:
    """Email a person a single-use link to choose their password (earlier links stop working)."""
    user = db.get_or_404(User, user_id)
    if not ActionForm().validate_on_submit():
        flash("Your session expired before the invitation was sent. Please try again.", "info")
    elif not mail_enabled():
        flash("Email is off (no SMTP server is configured): set a one-time password instead.", "warning")
    elif not user.is_active:
        flash(f"{user.full_name} is deactivated: reactivate them before inviting them.", "warning")
    else:
        token = issue_link(user, "invite", actor=current_user)
        try:
            deliver(link_email(user, token, "invite"), retries=0)  # the admin is waiting: say so now
        except MailFailed:
            abandon()  # no email went out: the link is not kept
            flash("The invitation could not be sent: the email server did not accept it.", "warning")
        else:
            flash(
                f"An invitation has been sent to {user.email}. "
                f"The link works once and expires in {link_hours()} hours.",
                "success",
            )
    return redirect(url_for("admin.person_edit", user_id=user.id))


@bp.route("/people/<int:user_id>/password", methods=["GET", "POST"])
def person_password(user_id: int) -> Any:
    """Set a one-time password (typed or generated); shown once, changed at next sign-in."""
    user = db.get_or_404(User, user_id)
    form = ResetPasswordForm()
    return _issue_password(
        form, lambda: (user, svc.reset_password(user, form.new_password.data or None)), created=False
    ) or form_page("admin/password_form.html", form, person=user)


def _issue_password(form: Any, issue: Callable[[], tuple[User, str]], *, created: bool) -> Any | None:
    """On a valid POST run ``issue`` and show the one-time password once (not in a redirect)."""
    if not form.validate_on_submit():
        return None
    issued, error = attempt(issue)
    if error is not None:
        show_refusal(form, error)
        return None
    user, password = issued  # type: ignore[misc]
    return render_template("admin/password_shown.html", person=user, password=password, created=created)


@bp.route("/people/import", methods=["GET", "POST"])
def people_import() -> Any:
    """Upload a CSV of people and see what importing it would do, row by row."""
    form = ImportUploadForm()
    if form.validate_on_submit():
        raw = form.file.data.read(MAX_IMPORT_BYTES + 1)
        text, problem = _decode(raw)
        if problem:
            form.file.errors = [problem]
        else:
            preview = user_import.preview_import(text, actor=current_user)
            confirm = ImportConfirmForm(csv_text=text)
            return render_template(
                "admin/import_preview.html",
                preview=preview,
                confirm=confirm,
                filename=form.file.data.filename,
            )
    return form_page("admin/import.html", form, columns=user_import.COLUMNS)


@bp.post("/people/import/confirm")
def people_import_confirm() -> Any:
    """Save every valid new or changed row of the previewed file in one transaction."""
    form = ImportConfirmForm()
    if not form.validate_on_submit():
        flash(
            "The import could not be confirmed (your session may have expired). Upload the file again.",
            "info",
        )
        return redirect(url_for("admin.people_import"))
    result = user_import.commit_import(form.csv_text.data or "", actor=current_user)
    invited: int | None = None
    failures: list[str] = []
    if form.invite.data and mail_enabled():
        invited, failures = _invite_new_people(result)
    return render_template(
        "admin/import_done.html", preview=result, invited=invited, invite_failures=failures
    )


def _invite_new_people(result: user_import.ImportPreview) -> tuple[int, list[str]]:
    """Email each person the import created an invitation; returns how many went and who failed."""
    sent, failures = 0, []
    for row in result.rows:
        if row.status != "new" or row.data is None:
            continue
        person = db.session.scalar(select(User).where(User.email == row.data.email))
        if person is None:
            continue
        try:
            email = link_email(person, issue_link(person, "invite", actor=current_user), "invite")
            deliver(email, retries=0)
            sent += 1
        except MailFailed:
            failures.append(person.email)
    return sent, failures


@bp.get("/people/import/template.csv")
def people_import_template() -> Any:
    """The CSV template with every column and an example row."""
    return Response(
        user_import.template_csv(),
        mimetype="text/csv",
        headers={"Content-Disposition": 'attachment; filename="indirect-work_people-template.csv"'},
    )


def _decode(raw: bytes) -> tuple[str, str | None]:
    if len(raw) > MAX_IMPORT_BYTES:
        return "", "The file must be smaller than 2 MB; split it into several files"
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return raw.decode(encoding), None
        except UnicodeDecodeError:
            continue
    return "", "The file is not a text CSV file; save it from Excel as CSV UTF-8"


def _person_form(user: User | None) -> PersonForm:
    form = PersonForm(obj=user)
    organisations = org_svc.list_organisations()
    teams = org_svc.list_teams()
    team_choices = [
        (t.id, f"{t.name} ({t.organisation.ods_code}/{t.local_id})" + ("" if t.is_active else ", inactive"))
        for t in teams
    ]
    org_choices = [(o.id, f"{o.name} ({o.ods_code})") for o in organisations]
    form.organisation_id.choices = [("", "None"), *org_choices]
    form.profession_id.choices = [("", "None")] + [
        (p.id, p.label)
        for p in db.session.scalars(select(Profession).order_by(Profession.sort_order))
        if p.is_active or (user is not None and user.profession_id == p.id)
    ]
    form.clinician_team_ids.choices = team_choices
    form.lead_team_ids.choices = team_choices
    form.commissioner_org_ids.choices = org_choices
    form.default_team_id.choices = [("", "The first team they are a clinician of"), *team_choices]
    if user is not None and request.method == "GET":
        form.clinician_team_ids.data = sorted(user.clinician_team_ids)
        form.lead_team_ids.data = sorted(user.led_team_ids)
        form.commissioner_org_ids.data = sorted(user.commissioned_organisation_ids)
        form.is_admin.data = user.is_admin
    return form


def _user_data(form: PersonForm) -> svc.UserData:
    roles: set[svc.RoleKey] = {(Role.CLINICIAN, t) for t in form.clinician_team_ids.data or []}
    roles |= {(Role.TEAM_LEAD, t) for t in form.lead_team_ids.data or []}
    roles |= {(Role.COMMISSIONER, o) for o in form.commissioner_org_ids.data or []}
    if form.is_admin.data:
        roles.add((Role.ADMIN, None))
    return svc.UserData(
        email=form.email.data or "",
        full_name=form.full_name.data or "",
        staff_local_id=form.staff_local_id.data,
        organisation_id=form.organisation_id.data,
        profession_id=form.profession_id.data,
        default_team_id=form.default_team_id.data,
        roles=frozenset(roles),
    )
