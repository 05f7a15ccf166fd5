"""Forms of the organisation pages: they check shape only; the rules live in the services."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, PasswordField, SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, Length, Optional

from training.auth.passwords import MIN_LENGTH
from training.forms import TEXT_FILTERS, select_choices
from training.org.models import Role, UnitEventKind, UnitKind

ROLE_LABELS = {
    Role.LEARNER: _l("Learner"),
    Role.UNIT_OFFICER: _l("Unit IT officer"),
    Role.ICT_ADMIN: _l("ICT administrator"),
}

KIND_LABELS = {
    UnitKind.PROVINCE: _l("Province"),
    UnitKind.AGENCY: _l("Department or agency"),
    UnitKind.PUBLIC_SERVICE_UNIT: _l("Public service unit"),
    UnitKind.STATE_ENTERPRISE: _l("State enterprise"),
    UnitKind.COMMUNE: _l("Commune"),
    UnitKind.WARD: _l("Ward"),
    UnitKind.SPECIAL_ZONE: _l("Special zone"),
    UnitKind.DIVISION: _l("Division"),
}


class PersonForm(FlaskForm):
    full_name = StringField(
        _l("Full name"), filters=TEXT_FILTERS, validators=[DataRequired(), Length(max=200)]
    )
    username = StringField(
        _l("Username"), filters=TEXT_FILTERS, validators=[DataRequired(), Length(min=3, max=64)]
    )
    email = StringField(
        _l("E-mail"), filters=TEXT_FILTERS, validators=[Optional(), Length(max=254)]
    )
    employee_id = StringField(
        _l("Employee ID"), filters=TEXT_FILTERS, validators=[Optional(), Length(max=32)]
    )
    position = StringField(
        _l("Position"), filters=TEXT_FILTERS, validators=[Optional(), Length(max=200)]
    )
    unit_id = SelectField(_l("Unit"), coerce=int, validators=[DataRequired()])
    role = SelectField(_l("Role"), validators=[DataRequired()])
    drafts_classified = BooleanField(_l("Drafts classified documents"))
    is_it_staff = BooleanField(_l("IT staff"))
    password = PasswordField(
        _l("Password"),
        validators=[Optional(), Length(min=MIN_LENGTH, max=256)],
        description=_l(
            "Leave empty to keep the current password; a person without a password cannot sign in."
        ),
        render_kw={"autocomplete": "new-password"},
    )
    submit = SubmitField(_l("Save"))


class PeopleFilterForm(FlaskForm):
    """A GET search form: it changes nothing, so it carries no CSRF token."""

    class Meta:
        csrf = False

    q = StringField(_l("Search"), filters=TEXT_FILTERS, validators=[Optional(), Length(max=100)])
    unit_id = SelectField(_l("Unit"), coerce=int, validators=[Optional()], default=0)
    priority = BooleanField(_l("Priority only"))
    drafts_classified = BooleanField(_l("Classified drafters"))
    it_staff = BooleanField(_l("IT staff"))
    role = SelectField(_l("Role"), validators=[Optional()], default="")
    status = SelectField(
        _l("Status"),
        default="active",
        choices=select_choices(
            [("active", _l("Active")), ("inactive", _l("Deactivated")), ("all", _l("All"))]
        ),
    )


class UnitForm(FlaskForm):
    code = StringField(
        _l("Code"), filters=TEXT_FILTERS, validators=[DataRequired(), Length(max=32)]
    )
    name = StringField(
        _l("Name"), filters=TEXT_FILTERS, validators=[DataRequired(), Length(max=200)]
    )
    kind = SelectField(
        _l("Kind"), choices=select_choices((k.value, label) for k, label in KIND_LABELS.items())
    )
    parent_id = SelectField(_l("Parent unit"), coerce=int)
    is_key_department = BooleanField(_l("Key department"))
    submit = SubmitField(_l("Add unit"))


class RenameUnitForm(FlaskForm):
    name = StringField(
        _l("New name"), filters=TEXT_FILTERS, validators=[DataRequired(), Length(max=200)]
    )
    submit = SubmitField(_l("Rename"))


class MoveUnitForm(FlaskForm):
    parent_id = SelectField(_l("New parent unit"), coerce=int)
    submit = SubmitField(_l("Move"))


class MergeUnitForm(FlaskForm):
    into_id = SelectField(_l("Merge into"), coerce=int)
    submit = SubmitField(_l("Merge"))


class KeyDepartmentForm(FlaskForm):
    is_key_department = BooleanField(_l("Key department"))
    submit = SubmitField(_l("Save"))


EVENT_LABELS = {
    UnitEventKind.CREATED.value: _l("Created"),
    UnitEventKind.RENAMED.value: _l("Renamed"),
    UnitEventKind.MOVED.value: _l("Moved"),
    UnitEventKind.MERGED.value: _l("Merged"),
    UnitEventKind.RETIRED.value: _l("Retired"),
    UnitEventKind.KEY_FLAG.value: _l("Key department flag"),
}
