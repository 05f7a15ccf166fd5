"""The freeze form: shape only; the snapshot service decides what may be frozen."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import StringField, SubmitField
from wtforms.validators import DataRequired, Length

from training.forms import TEXT_FILTERS, DayField, KhienForm


class FreezeForm(KhienForm):
    as_of = DayField(_l("Coverage as of"), validators=[DataRequired()])
    title = StringField(
        _l("Title"), filters=TEXT_FILTERS, validators=[DataRequired(), Length(max=200)]
    )
    submit = SubmitField(_l("Freeze"))
