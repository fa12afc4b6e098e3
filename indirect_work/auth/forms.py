"""Sign-in and password forms."""

from typing import cast

from wtforms import EmailField, PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, Length

from indirect_work.core.inputs import CheckedForm


class LoginForm(CheckedForm):
    email = EmailField(
        "Email address", validators=[DataRequired("Enter your email address"), Length(max=254)]
    )
    password = PasswordField("Password", validators=[DataRequired("Enter your password"), Length(max=256)])


class ChangePasswordForm(CheckedForm):
    current_password = PasswordField(
        "Current password", validators=[DataRequired("Enter your current password")]
    )
    new_password = PasswordField(
        "New password",
        description="At least 10 characters. A phrase of three or four words is easy to remember.",
        validators=[DataRequired("Enter a new password"), Length(max=128)],
    )
    confirm_password = PasswordField(
        "Confirm new password",
        validators=[
            DataRequired("Confirm your new password"),
            EqualTo("new_password", "The passwords do not match"),
        ],
    )


class ConfirmForm(CheckedForm):
    """A form with only the CSRF token, for buttons that change state (sign out)."""


class CodeForm(CheckedForm):
    """The second step of sign-in: a code from the authenticator app or a recovery code."""

    code = StringField(
        "Code from your authenticator app",
        description="The 6-digit code your app shows now. If you have lost your phone, enter one of "
        "your recovery codes instead.",
        validators=[DataRequired("Enter the code from your authenticator app"), Length(max=20)],
    )


class ReauthForm(CheckedForm):
    """Re-enter the password before changing how the account is protected."""

    current_password = PasswordField(
        "Your password", validators=[DataRequired("Enter your password"), Length(max=256)]
    )


class ReauthCodeForm(ReauthForm):
    """Password and a current code: turning two-step verification off or replacing recovery codes."""

    # CodeForm's own unbound field, declared once. Read from the class it is an UnboundField; the stubs
    # type a field declared in a class body as the bound field, so this one is typed the same way.
    code = cast(StringField, CodeForm.code)


class ForgottenPasswordForm(CheckedForm):
    """Ask for a password reset link by email."""

    email = EmailField(
        "Email address",
        description="The address you sign in with.",
        validators=[DataRequired("Enter your email address"), Length(max=254)],
    )


class SetPasswordForm(CheckedForm):
    """Choose a password through an invitation or reset link."""

    new_password = cast(PasswordField, ChangePasswordForm.new_password)
    confirm_password = cast(PasswordField, ChangePasswordForm.confirm_password)
