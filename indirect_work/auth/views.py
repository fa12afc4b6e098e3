"""Sign in (password, then a code when two-step verification is on), sign out, and the account page."""

from __future__ import annotations

from datetime import timedelta
from functools import partial
from typing import Any

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required, login_user, logout_user
from sqlalchemy import select

from indirect_work.audit.services import record_event
from indirect_work.auth import mfa
from indirect_work.auth.forms import (
    ChangePasswordForm,
    CodeForm,
    ConfirmForm,
    LoginForm,
    ReauthCodeForm,
    ReauthForm,
)
from indirect_work.auth.models import User
from indirect_work.auth.passwords import verify_password
from indirect_work.auth.services import authenticate, record_reauth_refusal, set_password
from indirect_work.auth.throttle import is_throttled, retry_after_seconds
from indirect_work.core.db import utcnow
from indirect_work.core.errors import Conflict
from indirect_work.core.permissions import Permission, require_permission
from indirect_work.core.transactions import abandon, attempt, keep_despite_refusal
from indirect_work.core.web import parse_time, safe_next, start_session_clock
from indirect_work.extensions import db

bp = Blueprint("auth", __name__, template_folder="templates")

PENDING_USER = "mfa_pending_user"
PENDING_AT = "mfa_pending_at"
PENDING_NEXT = "mfa_pending_next"


def try_later() -> Any:
    """The 'too many attempts' page: 429 with Retry-After (the caller has kept the attempt's audit row)."""
    minutes = max(1, retry_after_seconds() // 60)
    response = (
        render_template("auth/try_later.html", minutes=minutes),
        429,
        {"Retry-After": str(retry_after_seconds())},
    )
    return response


def _finish_sign_in(user: User, next_url: str | None) -> Any:
    session.clear()
    login_user(user)
    start_session_clock()
    if user.must_change_password:
        return redirect(url_for("auth.change_password"))
    return redirect(safe_next(next_url) or url_for("core.home"))


@bp.route("/sign-in", methods=["GET", "POST"])
def login() -> Any:
    """Sign in with email and password (step one of two when two-step verification is on)."""
    if current_user.is_authenticated:
        return redirect(url_for("core.home"))
    form = LoginForm()
    status = 200
    if form.validate_on_submit():
        result = authenticate(form.email.data or "", form.password.data or "")
        if result.refusal is not None:
            keep_despite_refusal(result.refusal)
        if result.throttled:
            return try_later()
        if result.user is not None and result.user.mfa_enabled:
            session.clear()
            session[PENDING_USER] = result.user.session_token
            session[PENDING_AT] = utcnow().isoformat()
            session[PENDING_NEXT] = safe_next(request.args.get("next"))
            return redirect(url_for("auth.login_code"))
        if result.user is not None:
            return _finish_sign_in(result.user, request.args.get("next"))
        form.form_errors.append("The email address or password is not correct")
    elif request.method == "POST":
        status = 422
    expired = request.args.get("expired")
    return render_template("auth/login.html", form=form, expired=expired), status


def _pending_user() -> User | None:
    """The user who gave the right password in the last few minutes and now owes a code."""
    token, started = session.get(PENDING_USER), parse_time(session.get(PENDING_AT))
    limit = timedelta(minutes=current_app.config["IW_MFA_PENDING_MINUTES"])
    if not token or started is None or utcnow() - started > limit:
        return None
    user = db.session.scalar(select(User).where(User.session_token == token))
    return user if user is not None and user.is_active and user.mfa_enabled else None


@bp.route("/sign-in/code", methods=["GET", "POST"])
def login_code() -> Any:
    """Step two: the code from the authenticator app, or a recovery code."""
    user = _pending_user()
    if user is None:
        flash("Sign in again to continue.", "info")
        return redirect(url_for("auth.login"))
    form = CodeForm()
    status = 200
    if form.validate_on_submit():
        result = mfa.check_second_factor(user, form.code.data or "", purpose="sign_in")
        if result.refusal is not None:
            keep_despite_refusal(result.refusal)
        if result.throttled:
            return try_later()
        if result.ok:
            user.last_login_at = utcnow()
            record_event("auth.login", actor=user, details={"second_factor": result.method})
            next_url = session.get(PENDING_NEXT)
            if result.method == "recovery_code":
                left = mfa.remaining_recovery_codes(user)
                flash(f"You used a recovery code. You have {left} left.", "info")
            return _finish_sign_in(user, next_url)
        form.code.errors = [mfa.WRONG_CODE]
        status = 422
    elif request.method == "POST":
        status = 422
    return render_template("auth/login_code.html", form=form), status


@bp.post("/sign-out")
def logout() -> Any:
    """Sign out; the session token is rotated so a copied cookie stops working."""
    form = ConfirmForm()
    if current_user.is_authenticated and form.validate_on_submit():
        user = current_user._get_current_object()
        user.revoke_sessions()
        record_event("auth.logout", actor=user)
    logout_user()
    session.clear()
    flash("You have signed out.", "success")
    return redirect(url_for("auth.login"))


@bp.post("/account/sign-out-everywhere")
@login_required
def logout_everywhere() -> Any:
    """End every session of this account on every device, this one included."""
    form = ConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    user = current_user._get_current_object()
    user.revoke_sessions()
    record_event("auth.logout_everywhere", actor=user, object_type="user", object_id=user.id)
    logout_user()
    session.clear()
    flash("You have been signed out on every device.", "success")
    return redirect(url_for("auth.login"))


@bp.get("/account")
@login_required
def account() -> Any:
    """The signed-in user's account: password, two-step verification, sessions."""
    user = current_user._get_current_object()
    return render_template(
        "auth/account.html",
        user=user,
        required=mfa.mfa_required(user),
        recovery_left=mfa.remaining_recovery_codes(user) if user.mfa_enabled else 0,
        start_form=ReauthForm(),
        confirm_form=ConfirmForm(),
    )


def _reauthenticate(form: Any) -> str:
    """Check a re-entered password: ``"ok"``, ``"wrong"`` (error set on the field) or ``"throttled"``.

    Wrong passwords count against the same per-account throttle as the sign-in page; both refusals
    are kept although the answer is a refusal.
    """
    user = current_user._get_current_object()
    if is_throttled(f"login:{user.email}"):
        keep_despite_refusal(partial(record_reauth_refusal, user, throttled=True))
        return "throttled"
    if verify_password(user.password_hash, form.current_password.data or ""):
        return "ok"
    keep_despite_refusal(partial(record_reauth_refusal, user, throttled=False))
    form.current_password.errors = ["Your password is not correct"]
    return "wrong"


def _sign_in_again(user: User) -> None:
    """After a change that rotated the session token, keep this browser signed in."""
    login_user(user)
    start_session_clock()


@bp.route("/account/two-step/start", methods=["GET", "POST"])
@login_required
def mfa_start() -> Any:
    """Confirm the password, then make a new authenticator secret."""
    user = current_user._get_current_object()
    if user.mfa_enabled:
        return redirect(url_for("auth.account"))
    form = ReauthForm()
    status = 200
    if form.validate_on_submit():
        outcome = _reauthenticate(form)
        if outcome == "throttled":
            return try_later()
        if outcome == "ok":
            mfa.start_enrolment(user)
            return redirect(url_for("auth.mfa_setup"))
        status = 422
    elif request.method == "POST":
        status = 422
    return render_template("auth/mfa_start.html", form=form, required=mfa.mfa_required(user)), status


@bp.route("/account/two-step", methods=["GET", "POST"])
@login_required
def mfa_setup() -> Any:
    """Scan the QR code, then confirm with a first code; the recovery codes are shown once."""
    user = current_user._get_current_object()
    if user.mfa_enabled:
        return redirect(url_for("auth.account"))
    if not user.mfa_secret:
        return redirect(url_for("auth.mfa_start"))
    form = CodeForm()
    status = 200
    if form.validate_on_submit():
        codes, error = attempt(mfa.confirm_enrolment, user, form.code.data or "")
        if error is not None:
            form.code.errors = error.fields["code"]
            status = 422
        else:
            _sign_in_again(user)
            return render_template("auth/mfa_recovery_codes.html", codes=codes, new_setup=True)
    elif request.method == "POST":
        status = 422
    return render_template(
        "auth/mfa_setup.html",
        form=form,
        qr=mfa.qr_code_data_uri(user),
        secret=mfa.grouped_secret(user),
        required=mfa.mfa_required(user),
    ), status


def _reauth_with_code(template: str) -> tuple[ReauthCodeForm, Any]:
    """Shared by turning off and new recovery codes: password and a current code, both checked."""
    user = current_user._get_current_object()
    form = ReauthCodeForm()
    if not form.validate_on_submit():
        status = 422 if request.method == "POST" else 200
        return form, (render_template(template, form=form), status)
    outcome = _reauthenticate(form)
    if outcome == "throttled":
        return form, try_later()
    if outcome == "wrong":
        return form, (render_template(template, form=form), 422)
    result = mfa.check_second_factor(user, form.code.data or "", purpose="account_change")
    if result.refusal is not None:
        keep_despite_refusal(result.refusal)
    if result.throttled:
        return form, try_later()
    if not result.ok:
        form.code.errors = [mfa.WRONG_CODE]
        return form, (render_template(template, form=form), 422)
    return form, None


@bp.route("/account/two-step/turn-off", methods=["GET", "POST"])
@login_required
def mfa_turn_off() -> Any:
    """Turn two-step verification off (a role that requires it is asked to set it up again)."""
    user = current_user._get_current_object()
    if not user.mfa_enabled:
        return redirect(url_for("auth.account"))
    _form, response = _reauth_with_code("auth/mfa_turn_off.html")
    if response is not None:
        return response
    mfa.turn_off(user)
    _sign_in_again(user)
    flash("Two-step verification is off. Your other sessions have been signed out.", "success")
    return redirect(url_for("auth.account"))


@bp.route("/account/two-step/recovery-codes", methods=["GET", "POST"])
@login_required
def mfa_recovery_codes() -> Any:
    """Replace the recovery codes (the old ones stop working); the new ones are shown once."""
    user = current_user._get_current_object()
    if not user.mfa_enabled:
        return redirect(url_for("auth.account"))
    _form, response = _reauth_with_code("auth/mfa_new_codes.html")
    if response is not None:
        return response
    codes = mfa.regenerate_recovery_codes(user)
    return render_template("auth/mfa_recovery_codes.html", codes=codes, new_setup=False)


@bp.post("/users/<int:user_id>/two-step/reset")
@require_permission(Permission.ADMIN)
def mfa_reset(user_id: int) -> Any:
    """Admin: remove a user's lost authenticator; they set up again at their next sign-in."""
    form = ConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    target = db.get_or_404(User, user_id)
    try:
        mfa.reset_by_admin(target, current_user._get_current_object())
    except Conflict as exc:
        abandon()  # answered with a redirect: nothing of the refused reset is kept
        flash(exc.message, "info")
    else:
        flash(
            f"Two-step verification has been reset for {target.full_name}. "
            "They will set it up again when they next sign in.",
            "success",
        )
    return redirect(safe_next(request.form.get("next")) or url_for("auth.account"))


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password() -> Any:
    """Change the password; every other session of the user is signed out."""
    form = ChangePasswordForm()
    status = 200
    if form.validate_on_submit():
        user = current_user._get_current_object()
        outcome = _reauthenticate(form)
        if outcome == "throttled":
            return try_later()
        if outcome == "wrong":
            status = 422
        else:
            _none, error = attempt(set_password, user, form.new_password.data or "")
            if error is not None:
                form.new_password.errors = error.fields["password"]
                status = 422
            else:
                record_event("auth.password_change", actor=user, object_type="user", object_id=user.id)
                _sign_in_again(user)  # the rotated token keeps this browser signed in
                flash("Your password has been changed. Other sessions have been signed out.", "success")
                return redirect(url_for("core.home"))
    elif request.method == "POST":
        status = 422
    return render_template("auth/change_password.html", form=form), status
