"""Forms of the coverage pages: they check shape only. Which units a reader may see is
`access.filters_for`'s rule, and what a target may be is `targets.py`'s."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, IntegerField, SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional
from wtforms.widgets import HiddenInput

from training.forms import TEXT_FILTERS, DayField, KhienForm, select_choices
from training.reports.models import TargetGroup

GROUP_LABELS = {
    TargetGroup.EVERYONE: _l("Everyone"),
    TargetGroup.PRIORITY: _l("Priority staff"),
}

FORMAT_LABELS = {"xlsx": _l("Excel workbook (XLSX)"), "csv": _l("CSV")}


class DashboardForm(KhienForm):
    """A GET form: it changes nothing, so it carries no CSRF token. Its field names are the
    query string of the page and of its downloads."""

    class Meta:
        csrf = False

    as_of = DayField(_l("As of"), default=None, validators=[Optional()])
    course = SelectField(_l("Course"), coerce=int, default=0, validators=[Optional()])
    priority = BooleanField(_l("Priority staff only"))
    unit = IntegerField(widget=HiddenInput(), validators=[Optional(), NumberRange(min=1)])


class PeopleExportForm(KhienForm):
    """The people export runs in the background. The page's filters travel beside it as hidden
    inputs named as the dashboard's query string (read by `DashboardForm`), and are narrowed to
    the reader's scope again on arrival."""

    fmt = SelectField(
        _l("File format"),
        default="xlsx",
        choices=select_choices(FORMAT_LABELS.items()),
    )
    submit = SubmitField(_l("Export people"))


class TargetForm(KhienForm):
    group = SelectField(
        _l("Who"),
        default=TargetGroup.EVERYONE.value,
        choices=select_choices((group.value, label) for group, label in GROUP_LABELS.items()),
    )
    percent = StringField(
        _l("Target (%)"),
        filters=TEXT_FILTERS,
        validators=[DataRequired(), Length(max=10)],
        description=_l("A percent of required courses completed, e.g. 90 or 92,5."),
        render_kw={"inputmode": "decimal", "autocomplete": "off"},
    )
    due_on = DayField(_l("Reach by"), default=None, validators=[InputRequired()])
    submit = SubmitField(_l("Set the target"))


class HeadcountForm(KhienForm):
    headcount = IntegerField(
        _l("Official headcount (biên chế)"),
        validators=[Optional(), NumberRange(min=0, max=100_000)],
        description=_l("Leave empty if it is not known."),
        render_kw={"inputmode": "numeric", "autocomplete": "off"},
    )
    submit = SubmitField(_l("Save the headcount"))
