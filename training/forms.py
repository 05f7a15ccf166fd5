"""Pieces shared by the forms of every domain."""

from __future__ import annotations

from collections.abc import Iterable

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SubmitField
from wtforms.fields.choices import SelectChoice

from training.text import nfc_strip

TEXT_FILTERS = (nfc_strip,)


class ConfirmForm(FlaskForm):
    """A bare POST button: the form exists so the CSRF token travels with it."""

    submit = SubmitField(_l("Confirm"))


def select_choices(pairs: Iterable[tuple[object, object]]) -> list[SelectChoice]:
    """WTForms 3.3 wants `SelectChoice` objects; pairs read better where choices are built."""
    return [SelectChoice(value, label) for value, label in pairs]  # type: ignore[arg-type]
