"""Forms of the assignment pages: they check shape only; scope and deadlines are the services'
rules (`assignments/services.py`), which refuse a forged id however it arrives."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    SubmitField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from training.assignments.models import TargetGroup
from training.assignments.services import MAX_DAYS
from training.assignments.status import STATUS_LABELS
from training.assignments.wording import TARGET_LABELS
from training.forms import TEXT_FILTERS, DayField, KhienForm, select_choices

TARGET_UNIT, TARGET_PROVINCE, TARGET_NAMED = "unit", "province", "named"
TARGETS = {
    TARGET_UNIT: _l("A unit and its sub-units"),
    TARGET_PROVINCE: _l("The whole province"),
    TARGET_NAMED: _l("Named people"),
}

DEADLINE_DAYS, DEADLINE_DATE = "days", "date"

DAYS = NumberRange(min=1, max=MAX_DAYS)


class AssignmentForm(KhienForm):
    course_id = SelectField(_l("Course"), coerce=int, validators=[DataRequired()])
    target = RadioField(_l("Who must take it"), default=TARGET_UNIT)
    unit_id = SelectField(_l("Unit"), coerce=int, default=0, validators=[Optional()])
    audience = SelectField(
        _l("Among them"),
        default=TargetGroup.EVERYONE.value,
        choices=select_choices(
            (group.value, label)
            for group, label in TARGET_LABELS.items()
            if group != TargetGroup.NAMED
        ),
    )
    q = StringField(
        _l("Find people"), filters=TEXT_FILTERS, validators=[Optional(), Length(max=100)]
    )
    find = SubmitField(_l("Search"))
    deadline = RadioField(
        _l("Deadline"),
        default=DEADLINE_DAYS,
        choices=select_choices(
            [
                (DEADLINE_DAYS, _l("A number of days from when each person comes under it")),
                (DEADLINE_DATE, _l("A date")),
            ]
        ),
    )
    due_days = IntegerField(_l("Days"), validators=[Optional(), DAYS])
    due_on = DayField(_l("Due date"), default=None, validators=[Optional()])
    priority_due_days = IntegerField(
        _l("Days for priority staff"),
        validators=[Optional(), DAYS],
        description=_l(
            "Optional: a shorter window for priority staff (directive clause D2); the "
            "directive's defaults give them 30 days."
        ),
    )
    submit = SubmitField(_l("Assign the course"))

    def set_targets(self, targets: Sequence[str]) -> None:
        self.target.choices = select_choices((t, TARGETS[t]) for t in targets)

    def validate(self, extra_validators: Any = None) -> bool:
        """The fields a choice makes necessary: a unit for a unit, the days or the date."""
        valid = super().validate(extra_validators)
        if self.target.data == TARGET_UNIT and not self.unit_id.data:
            self.unit_id.errors = [*self.unit_id.errors, _l("Choose a unit.")]
            valid = False
        if self.deadline.data == DEADLINE_DAYS and self.due_days.data is None:
            self.due_days.errors = [*self.due_days.errors, _l("Give a number of days.")]
            valid = False
        if self.deadline.data == DEADLINE_DATE and self.due_on.data is None:
            self.due_on.errors = [*self.due_on.errors, _l("Give the due date.")]
            valid = False
        return valid


class DeadlinesForm(KhienForm):
    due_days = IntegerField(_l("Days for everyone"), validators=[Optional(), DAYS])
    priority_due_days = IntegerField(
        _l("Days for priority staff"),
        validators=[Optional(), DAYS],
        description=_l("Leave empty to give priority staff the same window."),
    )
    submit = SubmitField(_l("Save the windows"))


class StatusFilterForm(KhienForm):
    """A GET form: it changes nothing, so it carries no CSRF token."""

    class Meta:
        csrf = False

    unit_id = SelectField(_l("Unit"), coerce=int, default=0, validators=[Optional()])
    course_id = SelectField(_l("Course"), coerce=int, default=0, validators=[Optional()])
    status = SelectField(
        _l("Status"),
        default="",
        choices=select_choices(
            [("", _l("Any status")), *((s.value, label) for s, label in STATUS_LABELS.items())]
        ),
        validators=[Optional()],
    )
    priority = BooleanField(_l("Priority staff only"))
    overdue = BooleanField(_l("Overdue only"))
    on = DayField(_l("As of"), default=None, validators=[Optional()])
