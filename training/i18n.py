"""Language and time zone of each request, and the date formats of the UI.

Vietnamese is the default for everyone; a person's saved choice wins, then the choice made on the
sign-in page (kept in the session). Dates are shown dd/mm/yyyy whatever the language, because the
people reading them are Vietnamese officials; times are shown in Asia/Ho_Chi_Minh.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from functools import cache
from typing import Any

from babel import Locale
from babel.support import NullTranslations
from flask import Flask, current_app, g, has_request_context, session
from flask_babel import (
    format_date,
    format_datetime,
    get_locale,
    get_translations,
)
from flask_login import current_user
from jinja2 import pass_eval_context
from jinja2.nodes import EvalContext
from markupsafe import Markup

from training.clock import VN_TZ
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


@cache
def _parsed(code: str) -> Locale:
    """Babel parses a locale code afresh on every request, down to checking its data file on
    disk; the site speaks two languages, so each is parsed once."""
    return Locale.parse(code)


def _request_locale() -> Locale:
    return _parsed(select_locale())


def dateformat(value: date | datetime | None, pattern: str = DATE_PATTERN) -> str:
    """The site's own two patterns are all digits, so they need no locale: written out
    directly they cost a tenth of Babel's formatter (parse, locale, time zone lookups), which
    every line of a list of dates paid. Times are shown in the site's one zone (`VN_TZ`, also
    Flask-Babel's default), naive values taken as UTC as Flask-Babel takes them, without
    asking Flask-Babel for the zone at every call; any other pattern still goes to Babel."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        if pattern in (DATE_PATTERN, DATETIME_PATTERN):
            aware = value if value.tzinfo is not None else value.replace(tzinfo=UTC)
            local = aware.astimezone(VN_TZ)
            day = f"{local.day:02d}/{local.month:02d}/{local.year:04d}"
            return day if pattern == DATE_PATTERN else f"{day} {local.hour:02d}:{local.minute:02d}"
        return format_datetime(value, pattern)
    if pattern == DATE_PATTERN:
        return f"{value.day:02d}/{value.month:02d}/{value.year:04d}"
    return format_date(value, pattern)


def datetimeformat(value: datetime | None) -> str:
    return dateformat(value, DATETIME_PATTERN)


def request_translations() -> NullTranslations:
    """The catalogue of the request's language, found once per request. Flask-Babel looks up
    the domain, the locale and the catalogue again for every string, which on a page of a
    hundred strings cost more than the page's queries. Kept in Flask-Babel's own per-request
    namespace next to the locale it was found for, so `refresh()` and `force_locale()`, which
    replace that locale, are still obeyed."""
    try:
        space = g._flask_babel
        locale, translations = space.khien_translations
        if locale is space.babel_locale:
            return translations
    except (AttributeError, RuntimeError):  # not found yet this request; no app context
        pass
    translations = get_translations()
    try:
        space = g._flask_babel
        space.khien_translations = (space.babel_locale, translations)
    except (AttributeError, RuntimeError):
        pass
    return translations


# The template functions of Jinja's i18n extension in its "newstyle" form, as Flask-Babel
# installs them, minus what made them dear: two layers of indirection per call (`_` looked up
# again as `gettext`, then the catalogue function called through `Context.call`), and the
# whole template context they asked for, which Jinja copies for every call made in a loop that
# sets a variable (a course card's) when all they read is whether the template autoescapes.
# What they return is the same: the translation, marked safe in an autoescaped template,
# formatted with its variables escaped. Positional-only, as Jinja's are, so that a template
# variable may be called `num` or `context`.


def _formatted(eval_ctx: EvalContext, text: str, variables: dict[str, Any]) -> str:
    """Jinja's rule: always a format string; in an autoescaped template the translation is
    markup and the variables are escaped into it."""
    key = _key_of(eval_ctx.autoescape, text, variables)
    if key is None:
        return _format(eval_ctx.autoescape, text, variables)
    done = _FORMATTED.get(key)
    if done is None:
        if len(_FORMATTED) >= _FORMATTED_MAX:
            _FORMATTED.clear()
        done = _FORMATTED[key] = _format(eval_ctx.autoescape, text, variables)
    return done


def _format(autoescape: bool, text: str, variables: dict[str, Any]) -> str:
    if autoescape:
        text = Markup(text)  # noqa: S704 - our own catalogue, trusted as Jinja's i18n trusts it
    return text % variables


# The same sentence with the same numbers comes back on every card and every page ("about 20
# minutes", "3 of 5 lessons read", "due 30/11/2026"): a formatted sentence is kept by its text
# and its variables, each with its exact type (a markup string and a plain one with the same
# characters are equal, but only the plain one is escaped), when every variable is a value whose
# text cannot change: an int, a str, markup or a date. At most this many; past it the memory
# starts again.
_FORMATTED: dict[tuple[Any, ...], str] = {}
_FORMATTED_MAX = 4096
_PLAIN = frozenset({int, str, Markup, date})


def _key_of(autoescape: bool, text: str, variables: dict[str, Any]) -> tuple[Any, ...] | None:
    items = []
    for name, value in variables.items():
        kind = type(value)
        if kind not in _PLAIN:
            return None
        items.append((name, kind, value))
    return (autoescape, text, *sorted(items, key=lambda item: item[0]))


@pass_eval_context
def _gettext(eval_ctx: EvalContext, string: str, /, **variables: Any) -> str:
    translations = request_translations()
    if variables or not eval_ctx.autoescape:
        return _formatted(eval_ctx, translations.ugettext(string), variables)
    # Most strings of a page are labels without variables: the same markup every time, kept
    # with the catalogue (which lives as long as the process) instead of made again.
    labels: dict[str, str] | None = getattr(translations, "khien_labels", None)
    if labels is None:
        labels = translations.khien_labels = {}  # type: ignore[attr-defined]
    label = labels.get(string)
    if label is None:
        label = labels[string] = _formatted(eval_ctx, translations.ugettext(string), {})
    return label


@pass_eval_context
def _ngettext(
    eval_ctx: EvalContext, singular: str, plural: str, num: int, /, **variables: Any
) -> str:
    variables.setdefault("num", num)
    text = request_translations().ungettext(singular, plural, num)
    return _formatted(eval_ctx, text, variables)


@pass_eval_context
def _pgettext(eval_ctx: EvalContext, string_ctx: str, string: str, /, **variables: Any) -> str:
    variables.setdefault("context", string_ctx)
    text = request_translations().upgettext(string_ctx, string)
    return _formatted(eval_ctx, text, variables)


@pass_eval_context
def _npgettext(
    eval_ctx: EvalContext,
    string_ctx: str,
    singular: str,
    plural: str,
    num: int,
    /,
    **variables: Any,
) -> str:
    variables.setdefault("context", string_ctx)
    variables.setdefault("num", num)
    text = request_translations().unpgettext(string_ctx, singular, plural, num)
    return _formatted(eval_ctx, text, variables)


def init_i18n(app: Flask) -> None:
    babel.init_app(app, locale_selector=_request_locale)
    # In place of those Flask-Babel installed (newstyle, which `{% trans %}` keeps using).
    app.jinja_env.globals.update(
        _=_gettext, gettext=_gettext, ngettext=_ngettext, pgettext=_pgettext, npgettext=_npgettext
    )
    app.add_template_filter(dateformat, "dateformat")
    app.add_template_filter(datetimeformat, "datetimeformat")
    app.jinja_env.globals["current_locale"] = lambda: str(get_locale())
