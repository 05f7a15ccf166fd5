"""Pieces shared by the forms of every domain.

Every form derives from `KhienForm`, so WTForms' own messages ("This field is required.", "Not a
valid choice.", …) are looked up in our catalogue, in the reader's language: WTForms ships no
Vietnamese, and Flask-WTF would only look in WTForms' catalogues. `form_messages.py` lists those
messages so that `pybabel extract` keeps them in ours.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from flask import current_app
from flask_babel import get_translations
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, Form, StringField, SubmitField

# types-WTForms (3.2) predates WTForms 3.3, which added SelectChoice: the stub is missing it.
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]
from wtforms.widgets import TextInput

from training.clock import DATE_INPUT_FORMATS, parse_date, today_vn
from training.text import nfc_strip

TEXT_FILTERS = (nfc_strip,)


class BabelTranslations:
    """What WTForms asks for its built-in messages, answered from Flask-Babel's catalogue for the
    request's language. The strings come back unformatted: WTForms fills in `%(min)d` and the like
    itself (Flask-Babel's `ngettext` would format them, and fail on the missing `num`)."""

    def gettext(self, string: str) -> str:
        return get_translations().ugettext(string)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return get_translations().ungettext(singular, plural, n)


BABEL_TRANSLATIONS = BabelTranslations()


class KhienForm(FlaskForm):
    """The base of every form of the site."""

    class Meta:
        def get_translations(self, form: Form) -> BabelTranslations | None:
            # WTF_I18N_ENABLED = False keeps Flask-WTF's meaning: WTForms' messages in English.
            if not current_app.config.get("WTF_I18N_ENABLED", True):
                return None
            return BABEL_TRANSLATIONS


class DayField(DateField):
    """A calendar date typed as dd/mm/yyyy, as officials write it (ISO yyyy-mm-dd is accepted too,
    as by the commands' `--on`), defaulting to today in Vietnam. A text box, not
    `<input type="date">`, whose picker shows and sends dates in the browser's own format.
    Left empty it holds None: the view then uses today, as the commands do."""

    widget = TextInput()

    def __init__(self, label: Any = None, validators: Any = None, **kwargs: Any) -> None:
        kwargs.setdefault("default", today_vn)
        kwargs.setdefault("render_kw", {"inputmode": "numeric", "autocomplete": "off"})
        super().__init__(label, validators, format=list(DATE_INPUT_FORMATS), **kwargs)

    def process_formdata(self, valuelist: list[Any]) -> None:
        if not valuelist:
            return
        text = " ".join(valuelist).strip()
        self.data = parse_date(text) if text else None
        if text and self.data is None:
            raise ValueError(_("Enter the date as dd/mm/yyyy, for example 01/07/2025."))


class ConfirmForm(KhienForm):
    """A bare POST button: the form exists so the CSRF token travels with it."""

    submit = SubmitField(_l("Confirm"))


def required_text(field: StringField) -> str:
    """The text of a field that a `DataRequired` validator has passed, read after validation.

    WTForms types a text field's data as optional, since it is None until input is processed;
    once `DataRequired` has passed it is a non-empty string. Reading it before validation is a
    bug in the view, and fails here rather than passing None on."""
    data = field.data
    if data is None:
        raise RuntimeError(f"{field.name} read before its form was validated")
    return data


def select_choices(pairs: Iterable[tuple[object, object]]) -> list[SelectChoice]:
    """WTForms 3.3 wants `SelectChoice` objects; pairs read better where choices are built."""
    return [SelectChoice(value, label) for value, label in pairs]


MAX_PAGE = 100_000


def page_number(args: Mapping[str, str]) -> int:
    """`?page=` as a page that can exist: junk or zero is page 1, and a 30-digit number is a
    page past the end (an empty page) rather than an offset the database cannot hold."""
    raw = args.get("page", "1")
    if not (raw.isascii() and raw.isdigit()):
        return 1
    return min(max(int(raw[:7]), 1), MAX_PAGE)
