"""Each person's reminder preferences (opt out per kind)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from indirect_work.mail import mail_enabled
from indirect_work.reminders.forms import ReminderPreferencesForm
from indirect_work.reminders.preferences import opted_out_kinds, relevant_kinds, set_opt_outs

bp = Blueprint("reminders", __name__, template_folder="templates")

FIELDS = {"weekly": "weekly", "month-end": "month_end", "month-ready": "month_ready"}


@bp.route("/account/reminders", methods=["GET", "POST"])
@login_required
def preferences() -> Any:
    """Choose which reminders to receive by email (all are on until turned off)."""
    user = current_user._get_current_object()
    kinds = relevant_kinds(user)
    form = ReminderPreferencesForm()
    if form.validate_on_submit():
        wanted = {kind for kind in kinds if getattr(form, FIELDS[kind]).data}
        set_opt_outs(user, {kind for kind in kinds if kind not in wanted})
        flash("Your reminder choices have been saved.", "success")
        return redirect(url_for("reminders.preferences"))
    if request.method == "GET":
        off = opted_out_kinds(user)
        for kind in kinds:
            getattr(form, FIELDS[kind]).data = kind not in off
    status = 422 if request.method == "POST" else 200
    fields = [getattr(form, FIELDS[kind]) for kind in kinds]
    return render_template(
        "reminders/preferences.html", form=form, fields=fields, mail_on=mail_enabled()
    ), status
