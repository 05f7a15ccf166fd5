"""Language and time zone of each request, and the date formats of the UI.

Vietnamese is the default for everyone; a person's saved choice wins, then the choice made on the
sign-in page (kept in the session). Dates are shown dd/mm/yyyy whatever the language, because the
people reading them are Vietnamese officials; times are shown in Asia/Ho_Chi_Minh.
"""

from __future__ import annotations

from datetime import date, datetime

from flask import Flask, current_app, has_request_context, session
from flask_babel import format_date, format_datetime, get_locale
from flask_login import current_user

from training.extensions import babel

DATE_PATTERN = "dd/MM/yyyy"
DATETIME_PATTERN = "dd/MM/yyyy HH:mm"


def select_locale() -> str:
    languages = current_app.config["LANGUAGES"]
    if not has_request_context():  # commands speak the site's default language
        return str(current_app.config["BABEL_DEFAULT_LOCALE"])
    if current_user and current_user.is_authenticated and current_user.locale in languages:
        return str(current_user.locale)
    chosen = session.get("lang")
    if chosen in languages:
        return str(chosen)
    return str(current_app.config["BABEL_DEFAULT_LOCALE"])


def dateformat(value: date | datetime | None, pattern: str = DATE_PATTERN) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return format_datetime(value, pattern)
    return format_date(value, pattern)


def datetimeformat(value: datetime | None) -> str:
    return dateformat(value, DATETIME_PATTERN)


def init_i18n(app: Flask) -> None:
    babel.init_app(app, locale_selector=select_locale)
    app.add_template_filter(dateformat, "dateformat")
    app.add_template_filter(datetimeformat, "datetimeformat")
    app.jinja_env.globals["current_locale"] = lambda: str(get_locale())
