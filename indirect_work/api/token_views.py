"""The account page's "API tokens" section: create (shown once), list and revoke personal tokens."""

from __future__ import annotations

from functools import partial
from typing import Any

from flask import Blueprint, g, redirect, render_template, url_for
from flask_login import current_user, login_required
from wtforms import HiddenField, PasswordField, SelectField, StringField
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]  # WTForms 3.3 API, not in types-WTForms 3.2

from indirect_work.api.tokens import (
    DEFAULT_LIFETIME,
    LIFETIMES,
    create_token,
    list_tokens,
    revoke_token,
    token_state,
)
from indirect_work.auth.passwords import verify_password
from indirect_work.auth.services import record_reauth_refusal
from indirect_work.auth.throttle import is_throttled
from indirect_work.auth.views import try_later
from indirect_work.core.inputs import CheckedForm, parse_id
from indirect_work.core.transactions import attempt, keep_despite_refusal

bp = Blueprint("api_tokens", __name__, url_prefix="/account/api-tokens", template_folder="templates")


class TokenForm(CheckedForm):
    name = StringField("Token name", description="What will use it, for example “Trust data warehouse”")
    lifetime_days = SelectField(
        "Expires after",
        coerce=str,
        validate_choice=False,
        choices=[SelectChoice(str(d), f"{d} days") for d in LIFETIMES],
        default=str(DEFAULT_LIFETIME),
    )
    current_password = PasswordField("Your password", description="A token acts as you, so confirm it is you")


class RevokeForm(CheckedForm):
    token_id = HiddenField()


@bp.before_request
def _mark_section() -> None:
    g.nav_section = None


def _page(form: TokenForm, status: int = 200) -> Any:
    user = current_user._get_current_object()
    tokens = list_tokens(user)
    return render_template(
        "api/tokens.html", form=form, revoke_form=RevokeForm(), tokens=tokens, state=token_state
    ), status


@bp.get("/")
@login_required
def index() -> Any:
    return _page(TokenForm())


@bp.post("/")
@login_required
def create() -> Any:
    form = TokenForm()
    if not form.validate_on_submit():  # only the CSRF token can fail here
        return _page(form, 400)
    user = current_user._get_current_object()
    # Wrong passwords here count with the sign-in page's, and are kept although refused.
    if is_throttled(f"login:{user.email}"):
        keep_despite_refusal(partial(record_reauth_refusal, user, throttled=True))
        return try_later()
    if not verify_password(user.password_hash, form.current_password.data or ""):
        keep_despite_refusal(partial(record_reauth_refusal, user, throttled=False))
        form.current_password.errors = ["Your password is not correct"]
        return _page(form, 422)
    lifetime = int(form.lifetime_days.data) if (form.lifetime_days.data or "").isdigit() else None
    new, error = attempt(create_token, user=user, name=form.name.data, lifetime_days=lifetime)
    if error is not None:
        for name, messages in error.fields.items():
            getattr(form, name).errors = list(messages)
        return _page(form, 422)
    assert new is not None  # attempt() returns the result whenever there is no error
    return render_template("api/token_created.html", token=new.token, secret=new.secret)


@bp.post("/revoke")
@login_required
def revoke() -> Any:
    form = RevokeForm()
    token_id = parse_id(form.token_id.data)
    if not form.validate_on_submit() or token_id is None:
        return _page(TokenForm(), 400)
    revoke_token(user=current_user._get_current_object(), token_id=token_id)
    return redirect(url_for("api_tokens.index"))
