"""Forms of the records pages: they check shape only; the rules live in the services."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    HiddenField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, Optional

from training.courses.models import CompletionMethod
from training.forms import TEXT_FILTERS, DayField, KhienForm, select_choices
from training.records.classroom import MAX_PLACE, MAX_TRAINER
from training.records.external import MAX_NOTE, MAX_SOURCE, MAX_TITLE
from training.records.manual import MAX_EVIDENCE, MAX_REASON, MIN_REASON

REASON_HINT = _l(
    "At least 10 characters: why the completion is recorded by hand (for example, the course "
    "was taught by the unit before Khiên existed)."
)


# Units and courses are offered as choices but not checked against them: the view loads the one
# sent through the scope-aware getter, so a forged ID answers 404 like any other URL.


class SessionForm(KhienForm):
    course_id = SelectField(
        _l("Course"), coerce=int, validate_choice=False, validators=[DataRequired()]
    )
    unit_id = SelectField(
        _l("Unit"), coerce=int, validate_choice=False, validators=[DataRequired()]
    )
    held_on = DayField(_l("Held on"), validators=[DataRequired()])
    place = StringField(
        _l("Place"), filters=TEXT_FILTERS, validators=[DataRequired(), Length(max=MAX_PLACE)]
    )
    trainer = StringField(
        _l("Trainer"), filters=TEXT_FILTERS, validators=[DataRequired(), Length(max=MAX_TRAINER)]
    )
    attendance_completes = BooleanField(
        _l("Attendance alone completes the course"),
        description=_l(
            "Tick only if the trainer tested the attendees in the room: they then count as "
            "trained from the session's day. Otherwise they complete the course by passing its "
            "quiz on Khiên."
        ),
    )
    submit = SubmitField(_l("Record the session"))


class SearchForm(KhienForm):
    """A GET search: it changes nothing, so it carries no CSRF token."""

    class Meta:
        csrf = False

    q = StringField(_l("Search"), filters=TEXT_FILTERS, validators=[Optional(), Length(max=100)])


class AttendeesForm(KhienForm):
    """The people ticked on the checklist. Any ID is accepted here: the view loads them through
    the scope-aware query and answers 404 when one is not there."""

    person_ids = SelectMultipleField(_l("Attendees"), coerce=int, validate_choice=False)
    submit = SubmitField(_l("Add the ticked people"))


class UploadForm(KhienForm):
    file = FileField(
        _l("File (.csv or .xlsx)"),
        validators=[FileRequired()],
        render_kw={"accept": ".csv,.xlsx,text/csv"},
    )
    submit = SubmitField(_l("Check the file"))


class ConfirmImportForm(KhienForm):
    """Carries the checked file back: the import reads and checks it all again before writing,
    so what arrives here is only ever another upload."""

    payload = HiddenField(validators=[DataRequired()])
    filename = HiddenField(validators=[DataRequired(), Length(max=255)])
    submit = SubmitField(_l("Import"))


class ManualForm(KhienForm):
    course_id = SelectField(
        _l("Course"), coerce=int, validate_choice=False, validators=[DataRequired()]
    )
    completed_on = DayField(_l("Completed on"), validators=[DataRequired()])
    reason = TextAreaField(
        _l("Reason"),
        filters=TEXT_FILTERS,
        validators=[DataRequired(), Length(max=MAX_REASON)],
        description=REASON_HINT,
        render_kw={"minlength": MIN_REASON, "rows": 3},
    )
    evidence = StringField(
        _l("Evidence reference"),
        filters=TEXT_FILTERS,
        validators=[DataRequired(), Length(max=MAX_EVIDENCE)],
        description=_l("The number of the document that proves it (decision, attendance sheet)."),
    )
    submit = SubmitField(_l("Record the completion"))


class RevokeForm(KhienForm):
    reason = TextAreaField(
        _l("Why is it revoked?"),
        filters=TEXT_FILTERS,
        validators=[DataRequired(), Length(max=MAX_REASON)],
        render_kw={"minlength": MIN_REASON, "rows": 3},
    )
    submit = SubmitField(_l("Revoke"))


METHOD_CHOICES = (
    ("", _l("Any method")),
    (CompletionMethod.IN_PERSON.value, _l("In person")),
    (CompletionMethod.MANUAL.value, _l("Recorded manually")),
    (CompletionMethod.EXTERNAL.value, _l("Earned elsewhere")),
    (CompletionMethod.QUIZ.value, _l("Quiz on Khiên")),
)


class LogFilterForm(KhienForm):
    class Meta:
        csrf = False

    unit_id = SelectField(_l("Unit"), coerce=int, validators=[Optional()], default=0)
    since = DayField(_l("From"), validators=[Optional()], default=None)
    until = DayField(_l("Until"), validators=[Optional()], default=None)
    method = SelectField(
        _l("Method"), validators=[Optional()], default="", choices=select_choices(METHOD_CHOICES)
    )


class MappingForm(KhienForm):
    source = StringField(
        _l("Outside platform"),
        filters=TEXT_FILTERS,
        validators=[DataRequired(), Length(max=MAX_SOURCE)],
        description=_l("As the import files name it, e.g. Bình dân học vụ số."),
    )
    title = StringField(
        _l("Outside course"),
        filters=TEXT_FILTERS,
        validators=[DataRequired(), Length(max=MAX_TITLE)],
        description=_l("The course's title as that platform writes it."),
    )
    course_id = SelectField(
        _l("Counts as the Khiên course"),
        coerce=int,
        validate_choice=False,
        validators=[DataRequired()],
    )
    note = TextAreaField(
        _l("Note"),
        filters=TEXT_FILTERS,
        validators=[Optional(), Length(max=MAX_NOTE)],
        render_kw={"rows": 2},
    )
    submit = SubmitField(_l("Save"))
