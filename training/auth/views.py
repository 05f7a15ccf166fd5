"""Signing in and out.

Failed sign-ins all read the same and are throttled per account and per address (`throttle`),
the session is cleared and reissued at sign-in (so a session id planted before sign-in is
worthless), sign-out is a POST so that a link or an image on another site cannot sign anyone out,
and it ends every session of the person, copied cookies included.
"""

from __future__ import annotations

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_user, logout_user
from flask_wtf import FlaskForm

from training.auth import throttle, tokens
from training.auth.forms import (
    ChangePasswordForm,
    CodeSignInForm,
    FirstPasswordForm,
    LoginForm,
    ProfileForm,
)
from training.auth.models import SignInToken
from training.auth.services import (
    SignInFailed,
    authenticate,
    change_own_password,
    update_own_profile,
)
from training.clock import utcnow
from training.extensions import db
from training.forms import required_text
from training.org.access import current_person, login_required, public
from training.org.models import Person
from training.org.people import end_sessions
from training.urls import safe_next
from training.web import commit_or_show

bp = Blueprint("auth", __name__, url_prefix="/auth", template_folder="templates")


def _start_session(person: Person) -> None:
    lang = session.get("lang")
    session.clear()  # a new session at sign-in: nothing planted before survives
    if lang:
        session["lang"] = lang
    login_user(person)


def _throttled(form: FlaskForm, username: str) -> bool:
    """Too many failed sign-ins for this account or address: the form says when to try
    again. Passwords and first sign-in codes share the limits."""
    wait = throttle.blocked(username)
    if wait is None:
        return False
    form.form_errors.append(
        ngettext(
            "Too many failed sign-ins. Try again in %(num)d minute.",
            "Too many failed sign-ins. Try again in %(num)d minutes.",
            wait.minutes,
        )
    )
    return True


@bp.route("/login", methods=["GET", "POST"])
@public
def login() -> ResponseReturnValue:
    if current_user.is_authenticated:
        return redirect(url_for("site.home"))
    form = LoginForm()
    status = 200
    if form.validate_on_submit():
        username = required_text(form.username)
        if _throttled(form, username):
            status = 429
        else:
            try:
                person = authenticate(username, required_text(form.password), now=utcnow())
            except SignInFailed as err:
                db.session.rollback()
                throttle.record_failure(username)
                form.form_errors.append(err.message)
            else:
                _start_session(person)
                db.session.commit()
                return redirect(safe_next(request.args.get("next")) or url_for("site.home"))
    return render_template("auth/login.html", form=form), status


@bp.route("/logout", methods=["POST"])
@login_required
def logout() -> ResponseReturnValue:
    person = current_person()
    lang = person.locale or session.get("lang")
    end_sessions(person)  # a copy of this session's cookie is worthless from now on
    db.session.commit()
    logout_user()
    session.clear()
    if lang:
        session["lang"] = lang  # the sign-in page stays in the language the person reads
    flash(_("You have signed out."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/profile", methods=["GET", "POST"])
@login_required
def profile() -> ResponseReturnValue:
    """Everyone can keep their own e-mail, language and password; the rest of a staff record
    belongs to the unit's IT officer."""
    person = current_person()
    profile_form = ProfileForm(prefix="profile", obj=person)
    if request.method == "GET":
        profile_form.locale.data = person.locale or current_app.config["BABEL_DEFAULT_LOCALE"]
    password_form = ChangePasswordForm(prefix="password")
    if (
        profile_form.submit.data
        and profile_form.validate_on_submit()
        and commit_or_show(
            lambda: update_own_profile(
                person, email=profile_form.email.data, locale=profile_form.locale.data
            ),
            form=profile_form,
        )
    ):
        session["lang"] = person.locale
        flash(_("Your profile was saved."), "success")
        return redirect(url_for(".profile"))
    if (
        password_form.submit.data
        and password_form.validate_on_submit()
        and commit_or_show(
            lambda: change_own_password(
                person,
                required_text(password_form.current_password),
                required_text(password_form.new_password),
            ),
            form=password_form,
        )
    ):
        _start_session(person)  # every other session ended; this one carries on
        flash(_("Your password was changed."), "success")
        return redirect(url_for(".profile"))
    return render_template(
        "auth/profile.html", person=person, profile_form=profile_form, password_form=password_form
    )


# --- first sign-in ------------------------------------------------------------------------------

MAX_TOKEN_LENGTH = 100


def _first_password(form: FirstPasswordForm, token: SignInToken) -> ResponseReturnValue | None:
    """Set the password and sign in; None when the password was refused (the form says why,
    and the token stays usable) or the token was spent meanwhile (ditto, as a form error)."""
    try:
        saved = commit_or_show(
            lambda: tokens.redeem(token, required_text(form.password), now=utcnow()),
            form=form,
        )
    except tokens.TokenRefused as err:
        db.session.rollback()
        form.form_errors.append(err.message)
        return None
    if saved is None:
        return None
    _start_session(saved.value)
    flash(_("Welcome, %(name)s. Your password is saved.", name=saved.value.full_name), "success")
    return redirect(url_for("site.home"))


@bp.route("/welcome/<token>", methods=["GET", "POST"])
@public
def welcome(token: str) -> ResponseReturnValue:
    """The e-mailed link. A used, replaced or expired link says so and changes nothing."""
    form = FirstPasswordForm()
    try:
        if len(token) > MAX_TOKEN_LENGTH:
            raise tokens.TokenRefused(_("This link is not valid."))
        found = tokens.find_link(token, now=utcnow())
    except tokens.TokenRefused as err:
        return render_template("auth/welcome.html", form=None, refused=err.message), 410
    if form.validate_on_submit():
        done = _first_password(form, found)
        if done is not None:
            return done
    return render_template("auth/welcome.html", form=form, person=found.person, refused=None)


@bp.route("/first-sign-in", methods=["GET", "POST"])
@public
def first_sign_in() -> ResponseReturnValue:
    """The printed slip: username, code, and the password the person chooses. Wrong codes
    count as failed sign-ins, with the same per-account and per-address limits."""
    form = CodeSignInForm()
    status = 200
    if form.validate_on_submit():
        username = required_text(form.username)
        if _throttled(form, username):
            status = 429
        else:
            try:
                found = tokens.find_code(username, required_text(form.code), now=utcnow())
            except tokens.CodeNotRecognised as err:
                db.session.rollback()
                throttle.record_failure(username)
                form.form_errors.append(err.message)
            except tokens.TokenRefused as err:
                db.session.rollback()
                form.form_errors.append(err.message)
            else:
                done = _first_password(form, found)
                if done is not None:
                    return done
    return render_template("auth/first_sign_in.html", form=form), status
