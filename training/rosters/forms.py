"""Forms of the roster pages: shape only; what a file means is the services' business."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, HiddenField, SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, Length, Optional, Regexp

from training.forms import TEXT_FILTERS, KhienForm, select_choices

ENCODINGS = select_choices(
    [
        ("", _l("Automatic (UTF-8, or Windows-1258 when it is not UTF-8)")),
        ("utf-8", "UTF-8"),
        ("cp1258", "Windows-1258 (CP1258)"),
    ]
)


class UploadRosterForm(KhienForm):
    file = FileField(_l("Staff list (.csv or .xlsx)"), validators=[FileRequired()])
    unit_id = SelectField(
        _l("Unit of the list"),
        coerce=int,
        description=_l(
            "Rows without a unit code go here; with “deactivate”, it is the unit whose staff "
            "the list is."
        ),
    )
    deactivate_missing = BooleanField(
        _l("Deactivate the learners of this unit and its sub-units who are not in the list")
    )
    encoding = SelectField(_l("Text encoding of a CSV file"), choices=ENCODINGS, default="")
    sheet = StringField(
        _l("Sheet of a workbook"),
        filters=TEXT_FILTERS,
        validators=[Optional(), Length(max=100)],
        description=_l("Leave empty for the first sheet."),
    )
    submit = SubmitField(_l("Check the list"))


class ConfirmImportForm(KhienForm):
    """Names the upload kept on the server and the plan the officer saw; the plan is made
    again from the stored file, never taken from the form."""

    upload_id = HiddenField(validators=[DataRequired(), Regexp(r"^[A-Za-z0-9_-]{20,64}$")])
    fingerprint = HiddenField(validators=[DataRequired(), Regexp(r"^[0-9a-f]{64}$")])
    submit = SubmitField(_l("Import"))


class CodesForm(KhienForm):
    unit_id = SelectField(_l("Unit"), coerce=int, validators=[DataRequired()])
    include_email = BooleanField(_l("Also people who have an e-mail address"))
    submit = SubmitField(_l("Print new codes"))
