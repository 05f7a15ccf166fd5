from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import PasswordField, SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, EqualTo, Length, Optional

from training.forms import TEXT_FILTERS, KhienForm, select_choices
from training.password_policy import MAX_LENGTH


class LoginForm(KhienForm):
    username = StringField(
        _l("Username"),
        filters=TEXT_FILTERS,
        validators=[DataRequired(), Length(max=64)],
        render_kw={"autocomplete": "username", "autofocus": True},
    )
    password = PasswordField(
        _l("Password"),
        validators=[DataRequired(), Length(max=4 * MAX_LENGTH)],
        render_kw={"autocomplete": "current-password"},
    )
    submit = SubmitField(_l("Sign in"))


class ChangePasswordForm(KhienForm):
    current_password = PasswordField(
        _l("Current password"),
        validators=[DataRequired()],
        render_kw={"autocomplete": "current-password"},
    )
    new_password = PasswordField(
        _l("New password"),
        validators=[DataRequired(), Length(max=4 * MAX_LENGTH)],
        render_kw={"autocomplete": "new-password"},
    )
    confirm = PasswordField(
        _l("Repeat the new password"),
        validators=[DataRequired(), EqualTo("new_password", message=_l("The passwords differ."))],
        render_kw={"autocomplete": "new-password"},
    )
    submit = SubmitField(_l("Change password"))


class ProfileForm(KhienForm):
    email = StringField(
        _l("E-mail"),
        filters=TEXT_FILTERS,
        validators=[Optional(), Length(max=254)],
        render_kw={"autocomplete": "email"},
    )
    locale = SelectField(
        _l("Language"), choices=select_choices([("vi", "Tiếng Việt"), ("en", "English")])
    )
    submit = SubmitField(_l("Save"))


class FirstPasswordForm(KhienForm):
    """The welcome link's page: the link itself says who the person is."""

    password = PasswordField(
        _l("Choose a password"),
        validators=[DataRequired(), Length(max=4 * MAX_LENGTH)],
        render_kw={"autocomplete": "new-password"},
    )
    confirm = PasswordField(
        _l("Repeat the password"),
        validators=[DataRequired(), EqualTo("password", message=_l("The passwords differ."))],
        render_kw={"autocomplete": "new-password"},
    )
    submit = SubmitField(_l("Save the password and sign in"))


class CodeSignInForm(FirstPasswordForm):
    """The printed slip's page: username and code, then the password, in one step."""

    username = StringField(
        _l("Username"),
        filters=TEXT_FILTERS,
        validators=[DataRequired(), Length(max=64)],
        render_kw={"autocomplete": "username", "autofocus": True},
    )
    code = StringField(
        _l("One-time code"),
        filters=TEXT_FILTERS,
        validators=[DataRequired(), Length(max=32)],
        render_kw={"autocomplete": "one-time-code", "autocapitalize": "characters"},
    )
