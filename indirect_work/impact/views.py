"""Feedback pages: the clinician's links and QR codes, and the public form for those who received the work.

The public form needs no account. It sets one cookie, a random nonce scoped to ``/feedback/``, so
that one browser answers a link once (only a per-link hash of it is stored); the CSRF token is
Flask-WTF's, as on every other form.
"""

from __future__ import annotations

import re
import secrets
from datetime import timedelta
from typing import Any

import segno
from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from indirect_work.audit.services import client_ip
from indirect_work.capture.models import Activity
from indirect_work.capture.outcomes import active_outcome_options, outcomes_of, set_outcomes
from indirect_work.core.db import utcnow
from indirect_work.core.errors import DomainError, PermissionDenied, ValidationFailed
from indirect_work.core.permissions import can_manage_feedback, can_read_feedback
from indirect_work.core.transactions import abandon, attempt, keep_despite_refusal
from indirect_work.extensions import db
from indirect_work.impact import queries
from indirect_work.impact.forms import ConfirmForm, FeedbackForm, OutcomesForm, feedback_form
from indirect_work.impact.models import FeedbackLink
from indirect_work.impact.services import (
    LinkRefused,
    address_is_limited,
    check_link_open,
    close_link,
    count_post,
    create_link,
    question_set_if_any,
    record_response,
)

bp = Blueprint("impact", __name__, template_folder="templates")

NONCE_COOKIE = "iw_feedback"
_TOKEN_SHAPE = re.compile(r"[A-Za-z0-9_-]{43}")


def _signed_in() -> Any:
    if not current_user.is_authenticated:
        return current_app.login_manager.unauthorized()  # type: ignore[attr-defined]
    return None


def _activity_for_reading(activity_id: int) -> Activity:
    activity = db.session.get(Activity, activity_id)
    if activity is None or not can_read_feedback(current_user, activity):
        abort(404)
    return activity


def _qr(url: str) -> str:
    return str(segno.make(url, error="m").svg_data_uri(scale=4, border=2))


@bp.get("/activities/<int:activity_id>/feedback")
def activity_feedback(activity_id: int) -> Any:
    """The activity's feedback links (with QR codes) and what the people who received it said."""
    if (refused := _signed_in()) is not None:
        return refused
    activity = _activity_for_reading(activity_id)
    now = utcnow()
    links = []
    for link in queries.links_of(activity.id):
        url = url_for("impact.respond", token=link.token, _external=True)
        refusal = link.refusal(now)
        links.append({"link": link, "url": url, "refusal": refusal, "qr": None if refusal else _qr(url)})
    outcomes_form = OutcomesForm()
    outcomes_form.outcomes.choices = [(str(o.id), o.label) for o in active_outcome_options()]
    outcomes_form.outcomes.data = [str(o.id) for o in outcomes_of(activity.id)]
    question_set = question_set_if_any(activity.activity_type.category_id)
    follow_up_from = None
    if question_set and question_set.follow_up_days and question_set.active_questions("follow_up"):
        follow_up_from = activity.activity_on + timedelta(days=question_set.follow_up_days)
    return render_template(
        "impact/activity_feedback.html",
        follow_up_from=follow_up_from,
        outcomes=outcomes_of(activity.id),
        outcomes_form=outcomes_form,
        activity=activity,
        links=links,
        counts=queries.response_counts(activity.id),
        first=queries.activity_feedback(activity.id, "first"),
        follow_up=queries.activity_feedback(activity.id, "follow_up"),
        can_manage=can_manage_feedback(current_user, activity),
        form=ConfirmForm(),
    )


@bp.post("/activities/<int:activity_id>/feedback/links")
def link_create(activity_id: int) -> Any:
    """Open a new feedback link (``stage=follow_up`` for the follow-up questions)."""
    if (refused := _signed_in()) is not None:
        return refused
    activity = db.session.get(Activity, activity_id)
    if activity is None or not can_manage_feedback(current_user, activity):
        abort(404)
    if not ConfirmForm().validate_on_submit():
        abort(400, "Your session expired before you saved. Please try again.")
    stage = "follow_up" if request.form.get("stage") == "follow_up" else "first"
    _, error = attempt(create_link, actor=current_user, activity=activity, stage=stage)
    if isinstance(error, PermissionDenied):
        abort(404)
    if error is not None:
        abandon()
        flash(error.message or "; ".join(m for ms in error.fields.values() for m in ms), "warning")
    else:
        flash("Feedback link ready: share it or show its QR code.", "success")
    return redirect(url_for("impact.activity_feedback", activity_id=activity.id))


@bp.post("/activities/<int:activity_id>/outcomes")
def outcomes_edit(activity_id: int) -> Any:
    """Record what changed; allowed in a locked month (an outcome, not the record of the work)."""
    if (refused := _signed_in()) is not None:
        return refused
    activity = db.session.get(Activity, activity_id)
    if activity is None or not can_manage_feedback(current_user, activity):
        abort(404)
    form = OutcomesForm()
    if not form.validate_on_submit():
        abort(400, "Your session expired before you saved. Please try again.")
    _, error = attempt(set_outcomes, actor=current_user, activity=activity, values=form.outcomes.data or [])
    if error is not None:
        abandon()
        flash("; ".join(m for ms in error.fields.values() for m in ms) or error.message, "warning")
    else:
        flash("What changed is saved.", "success")
    return redirect(url_for("impact.activity_feedback", activity_id=activity.id))


@bp.post("/feedback-links/<int:link_id>/close")
def link_close(link_id: int) -> Any:
    """Stop a link taking answers."""
    if (refused := _signed_in()) is not None:
        return refused
    link = db.session.get(FeedbackLink, link_id)
    if link is None or not can_manage_feedback(current_user, link.activity):
        abort(404)
    if not ConfirmForm().validate_on_submit():
        abort(400, "Your session expired before you saved. Please try again.")
    close_link(actor=current_user, link=link)
    flash("Feedback link closed: it takes no more answers.", "success")
    return redirect(url_for("impact.activity_feedback", activity_id=link.activity_id))


def _link_or_404(token: str) -> FeedbackLink:
    link = None
    if _TOKEN_SHAPE.fullmatch(token):
        link = db.session.scalar(select(FeedbackLink).where(FeedbackLink.token == token))
    if link is None:
        abort(404, "This feedback link is not recognised. Check it was copied in full.")
    return link


def _refusal_page(refusal: LinkRefused) -> Any:
    status = 200 if refusal.reason == "answered" else 410
    return render_template("impact/refused.html", refusal=refusal), status


@bp.route("/feedback/<token>", methods=["GET", "POST"])
def respond(token: str) -> Any:
    """The public feedback form: no account, one answer per browser, refused when closed or expired."""
    link = _link_or_404(token)
    nonce = request.cookies.get(NONCE_COOKIE)
    if request.method == "POST":
        return _respond_post(link, nonce)
    try:
        check_link_open(link, nonce)
    except LinkRefused as refusal:
        return _refusal_page(refusal)
    form = feedback_form(link.question_set.active_questions(link.stage))
    return _form_page(link, form, nonce, 200)


def _respond_post(link: FeedbackLink, nonce: str | None) -> Any:
    address = client_ip()
    if address_is_limited(address):
        response = current_app.make_response(
            (render_template("impact/refused.html", refusal=None, limited=True), 429)
        )
        response.headers["Retry-After"] = str(current_app.config["IW_LOGIN_WINDOW_MINUTES"] * 60)
        return response
    questions = link.question_set.active_questions(link.stage)
    form = feedback_form(questions)
    if not form.validate_on_submit():
        if form.csrf_token.errors:
            abort(400, "This form had expired. Open the feedback link again.")
        keep_despite_refusal(lambda: count_post(address))
        return _form_page(link, form, nonce, 422)
    _, error = attempt(
        record_response, link=link, nonce=nonce, answers=form.answers(), free_text=form.free_text.data
    )
    if isinstance(error, LinkRefused):
        keep_despite_refusal(lambda: count_post(address))
        return _refusal_page(error)
    if error is not None:
        keep_despite_refusal(lambda: count_post(address))
        _show(form, error)
        return _form_page(link, form, nonce, 422)
    count_post(address)
    return render_template("impact/thanks.html")


def _show(form: FeedbackForm, error: DomainError) -> None:
    if isinstance(error, ValidationFailed):
        form.show_errors(error.fields)
    else:
        raise error


def _form_page(link: FeedbackLink, form: FeedbackForm, nonce: str | None, status: int) -> Any:
    """The form, and the nonce cookie the first time this browser opens a feedback link."""
    page = render_template("impact/respond.html", link=link, form=form)
    response = current_app.make_response((page, status))
    if not nonce:
        response.set_cookie(
            NONCE_COOKIE,
            secrets.token_urlsafe(32),
            max_age=365 * 24 * 3600,
            path="/feedback/",
            secure=bool(current_app.config.get("SESSION_COOKIE_SECURE")),
            httponly=True,
            samesite="Lax",
        )
    return response
