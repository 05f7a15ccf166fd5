"""WTForms' built-in messages, listed so that `pybabel extract` copies them into our catalogue.

WTForms ships no Vietnamese. Its validators and fields ask the form's translations
(`training.forms.BabelTranslations`) for these exact English strings when a form is checked, and
get our catalogue's Vietnamese back. The list is WTForms' own `wtforms/locale/wtforms.pot`, word for
word; `tests/test_i18n.py` fails if a new WTForms release adds or changes one. Nothing here is
called while the site runs.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l


def ngettext(singular: str, plural: str, num: int) -> tuple[str, str]:
    """Marks a plural pair for `pybabel extract`, for which `ngettext` is a keyword; WTForms itself
    picks the form when it shows the message."""
    return singular, plural


MESSAGES = (
    _l("Invalid field name '%s'."),
    _l("Field must be equal to %(other_name)s."),
    _l("Field must be between %(min)d and %(max)d characters long."),
    _l("Number must be at least %(min)s."),
    _l("Number must be at most %(max)s."),
    _l("Number must be between %(min)s and %(max)s."),
    _l("Date must be at least %(min)s."),
    _l("Date must be at most %(max)s."),
    _l("Date must be between %(min)s and %(max)s."),
    _l("This field is required."),
    _l("Invalid input."),
    _l("Invalid email address."),
    _l("Invalid IP address."),
    _l("Invalid Mac address."),
    _l("Invalid URL."),
    _l("Invalid UUID."),
    _l("Invalid value, must be one of: %(values)s."),
    _l("Invalid value, can't be any of: %(values)s."),
    _l("This field cannot be edited."),
    _l("This field is disabled and cannot have a value."),
    _l("Invalid CSRF Token."),
    _l("CSRF token missing."),
    _l("CSRF failed."),
    _l("CSRF token expired."),
    _l("Invalid Choice: could not coerce."),
    _l("Choices cannot be None."),
    _l("Not a valid choice."),
    _l("Invalid choice(s): one or more data inputs could not be coerced."),
    _l("Not a valid datetime value."),
    _l("Not a valid date value."),
    _l("Not a valid time value."),
    _l("Not a valid week value."),
    _l("Not a valid integer value."),
    _l("Not a valid decimal value."),
    _l("Not a valid float value."),
)

PLURAL_MESSAGES = (
    ngettext(
        "Field must be at least %(min)d character long.",
        "Field must be at least %(min)d characters long.",
        2,
    ),
    ngettext(
        "Field cannot be longer than %(max)d character.",
        "Field cannot be longer than %(max)d characters.",
        2,
    ),
    ngettext(
        "Field must be exactly %(max)d character long.",
        "Field must be exactly %(max)d characters long.",
        2,
    ),
    ngettext(
        "'%(value)s' is not a valid choice for this field.",
        "'%(value)s' are not valid choices for this field.",
        2,
    ),
)
