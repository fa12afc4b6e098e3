"""Organisation, team and profession pages."""

from __future__ import annotations

from typing import Any

from flask import render_template, request, url_for

from indirect_work.admin.forms import OrganisationForm, ProfessionForm, TeamForm, optional_int
from indirect_work.admin.services import organisations as svc
from indirect_work.admin.services import professions as prof_svc
from indirect_work.admin.views.common import bp, form_page, save_form
from indirect_work.extensions import db
from indirect_work.org.models import Organisation, Profession, Team


@bp.get("/organisations")
def organisations() -> Any:
    """Every organisation with its teams."""
    return render_template("admin/organisations.html", organisations=svc.list_organisations())


@bp.route("/organisations/new", methods=["GET", "POST"])
def organisation_new() -> Any:
    """Add a provider organisation."""
    return _organisation_form(None)


@bp.route("/organisations/<int:organisation_id>/edit", methods=["GET", "POST"])
def organisation_edit(organisation_id: int) -> Any:
    """Change an organisation."""
    return _organisation_form(db.get_or_404(Organisation, organisation_id))


def _organisation_form(organisation: Organisation | None) -> Any:
    form = OrganisationForm(obj=organisation)
    return save_form(
        form,
        organisation,
        svc.create_organisation,
        svc.update_organisation,
        lambda o: f"{o.name} ({o.ods_code}) saved.",
        lambda o: url_for("admin.organisations", _anchor=f"organisation-{o.id}"),
    ) or form_page("admin/organisation_form.html", form, organisation=organisation)


@bp.route("/teams/new", methods=["GET", "POST"])
def team_new() -> Any:
    """Add a team to an organisation."""
    return _team_form(None)


@bp.route("/teams/<int:team_id>/edit", methods=["GET", "POST"])
def team_edit(team_id: int) -> Any:
    """Change a team."""
    return _team_form(db.get_or_404(Team, team_id))


def _team_form(team: Team | None) -> Any:
    form = TeamForm(obj=team)
    form.organisation_id.choices = [("", "Choose the organisation")] + [
        (o.id, f"{o.name} ({o.ods_code})") for o in svc.list_organisations()
    ]
    form.service_team_type_code.choices = [
        ("", "Choose the service or team type")
    ] + svc.service_team_type_choices(team.service_team_type_code if team else None)
    if team is None and request.method == "GET":
        form.organisation_id.data = optional_int(request.args.get("organisation_id"))
    return save_form(
        form,
        team,
        svc.create_team,
        svc.update_team,
        lambda t: f"Team {t.name} ({t.local_id}) saved.",
        lambda t: url_for("admin.organisations", _anchor=f"team-{t.id}"),
    ) or form_page("admin/team_form.html", form, team=team)


@bp.get("/professions")
def professions() -> Any:
    """The professions people can be given, with their MHSDS staff group."""
    return render_template("admin/professions.html", professions=prof_svc.list_professions())


@bp.route("/professions/new", methods=["GET", "POST"])
def profession_new() -> Any:
    """Add a profession."""
    return _profession_form(None)


@bp.route("/professions/<int:profession_id>/edit", methods=["GET", "POST"])
def profession_edit(profession_id: int) -> Any:
    """Change a profession."""
    return _profession_form(db.get_or_404(Profession, profession_id))


def _profession_form(profession: Profession | None) -> Any:
    form = ProfessionForm(obj=profession)
    return save_form(
        form,
        profession,
        prof_svc.create_profession,
        prof_svc.update_profession,
        lambda p: f"{p.label} saved.",
        lambda p: url_for("admin.professions", _anchor=f"profession-{p.id}"),
    ) or form_page(
        "admin/profession_form.html",
        form,
        profession=profession,
        locked=profession is not None and prof_svc.profession_in_use(profession),
    )
