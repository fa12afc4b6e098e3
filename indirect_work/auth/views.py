"""Sign in, sign out (this device or everywhere), and change password."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required, login_user, logout_user

from indirect_work.audit.services import record_event
from indirect_work.auth.forms import ChangePasswordForm, ConfirmForm, LoginForm
from indirect_work.auth.passwords import verify_password
from indirect_work.auth.services import authenticate, set_password
from indirect_work.core.errors import ValidationFailed
from indirect_work.core.web import start_session_clock
from indirect_work.extensions import db

bp = Blueprint("auth", __name__, template_folder="templates")


def safe_next(target: str | None) -> str | None:
    """Only same-site relative paths are followed after sign-in."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


@bp.route("/sign-in", methods=["GET", "POST"])
def login() -> Any:
    """Sign in with email and password."""
    if current_user.is_authenticated:
        return redirect(url_for("core.home"))
    form = LoginForm()
    status = 200
    if form.validate_on_submit():
        result = authenticate(form.email.data or "", form.password.data or "")
        if result.user is not None:
            session.clear()
            login_user(result.user)
            start_session_clock()
            db.session.commit()
            if result.user.must_change_password:
                return redirect(url_for("auth.change_password"))
            return redirect(safe_next(request.args.get("next")) or url_for("core.home"))
        db.session.commit()
        if result.throttled:
            status = 429
            form.form_errors.append(
                "Too many failed attempts for this account. Wait 5 minutes and try again."
            )
        else:
            form.form_errors.append("The email address or password is not correct")
    elif request.method == "POST":
        status = 422
    expired = request.args.get("expired")
    return render_template("auth/login.html", form=form, expired=expired), status


@bp.post("/sign-out")
def logout() -> Any:
    """Sign out of this browser; the session token is rotated so a copied cookie stops working."""
    form = ConfirmForm()
    if current_user.is_authenticated and form.validate_on_submit():
        user = current_user._get_current_object()
        user.revoke_sessions()
        record_event("auth.logout", actor=user)
        db.session.commit()
    logout_user()
    session.clear()
    flash("You have signed out.", "success")
    return redirect(url_for("auth.login"))


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password() -> Any:
    """Change the password; every other session of the user is signed out."""
    form = ChangePasswordForm()
    status = 200
    if form.validate_on_submit():
        user = current_user._get_current_object()
        if not verify_password(user.password_hash, form.current_password.data or ""):
            form.current_password.errors = ["Your current password is not correct"]
            status = 422
        else:
            try:
                set_password(user, form.new_password.data or "")
            except ValidationFailed as exc:
                form.new_password.errors = exc.fields["password"]
                status = 422
            else:
                record_event("auth.password_change", actor=user, object_type="user", object_id=user.id)
                db.session.commit()
                login_user(user)  # the rotated token keeps this browser signed in
                start_session_clock()
                flash("Your password has been changed. Other sessions have been signed out.", "success")
                return redirect(url_for("core.home"))
    elif request.method == "POST":
        status = 422
    return render_template("auth/change_password.html", form=form), status
