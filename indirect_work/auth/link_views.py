"""Forgotten password and the pages behind invitation and reset links (all public)."""

from __future__ import annotations

from typing import Any

from flask import (
    Blueprint,
    Response,
    after_this_request,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import logout_user

from indirect_work.audit.services import client_ip, record_event
from indirect_work.auth.forms import ForgottenPasswordForm, SetPasswordForm
from indirect_work.auth.links import LINK_GONE, find_link, issue_link, link_email, link_hours, use_link
from indirect_work.auth.services import get_user_by_email, normalise_email
from indirect_work.auth.throttle import is_throttled, note_failure
from indirect_work.auth.views import try_later
from indirect_work.core.transactions import attempt, keep_despite_refusal
from indirect_work.jobs import enqueue, queue_enabled
from indirect_work.mail import OutgoingEmail, deliver, deliver_in_background, mail_enabled

bp = Blueprint("passwords", __name__)


def _throttle_keys(email: str) -> list[str]:
    return [f"reset:{email}", f"reset-ip:{client_ip() or 'unknown'}"]


@bp.route("/sign-in/forgotten-password", methods=["GET", "POST"])
def forgotten() -> Any:
    """Send a reset link; the answer is the same whether or not the address has an account."""
    form = ForgottenPasswordForm()
    if not mail_enabled():
        return render_template("auth/forgotten_password.html", form=form, mail_off=True)
    if not form.validate_on_submit():
        status = 422 if request.method == "POST" else 200
        return render_template("auth/forgotten_password.html", form=form), status
    email = normalise_email(form.email.data or "")
    keys = _throttle_keys(email)
    if any(is_throttled(key) for key in keys):
        keep_despite_refusal(lambda: record_event("auth.reset_throttled", actor_email=email))
        return try_later()
    for key in keys:
        note_failure(key)  # every request counts, known address or not
    user = get_user_by_email(email)
    if user is not None and user.is_active:
        _send_after_commit(link_email(user, issue_link(user, "reset"), "reset"))
    else:
        record_event("auth.reset_unknown_address", actor_email=email)
    return render_template("auth/forgotten_password_sent.html", email=email, hours=link_hours())


def _send_after_commit(message: OutgoingEmail) -> None:
    """Send once the request has committed the link (``finish_request`` runs before this hook).

    Queued for a worker when there is a queue (retried if the server fails), else on a thread:
    either way the answer does not wait for the SMTP server, so it takes the same time for an
    unknown address.
    """

    @after_this_request
    def send(response: Response) -> Response:
        if response.status_code < 400:
            if queue_enabled():
                enqueue(deliver, message)
            else:
                deliver_in_background(message)
        return response


@bp.route("/set-password/<token>", methods=["GET", "POST"])
def set_password(token: str) -> Any:
    """Choose a password through an invitation or reset link; every other session is signed out."""
    link = find_link(token)
    if link is None:
        return render_template("auth/link_gone.html", message=LINK_GONE), 404
    form = SetPasswordForm()
    status = 200
    if form.validate_on_submit():
        user, error = attempt(use_link, token, form.new_password.data or "")
        if error is None and user is not None:
            logout_user()
            session.clear()
            flash("Your password has been set. Sign in with it now.", "success")
            return redirect(url_for("auth.login"))
        form.new_password.errors = list(error.fields.get("password", []) if error else [])
        status = 422
    elif request.method == "POST":
        status = 422
    return render_template(
        "auth/set_password.html", form=form, person=link.user, purpose=link.purpose
    ), status
