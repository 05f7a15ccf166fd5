"""Forms of the organisation pages: they check shape only; the rules live in the services."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    IntegerField,
    PasswordField,
    SelectField,
    StringField,
    SubmitField,
)
from wtforms.validators import DataRequired, Length, Optional
from wtforms.widgets import HiddenInput

from training.forms import TEXT_FILTERS, DayField, KhienForm, select_choices
from training.org.models import Role, UnitEventKind, UnitKind
from training.password_policy import MAX_LENGTH

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
    UnitKind.DISTRICT: _l("District (until 30/06/2025)"),
}


class PersonForm(KhienForm):
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
    is_unit_head = BooleanField(_l("Unit head"))
    password = PasswordField(
        _l("Password"),
        validators=[Optional(), Length(max=4 * MAX_LENGTH)],
        description=_l(
            "Leave empty to keep the current password; a person without a password cannot sign in."
        ),
        render_kw={"autocomplete": "new-password"},
    )
    submit = SubmitField(_l("Save"))


class PeopleFilterForm(KhienForm):
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


class UnitForm(KhienForm):
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


class RenameUnitForm(KhienForm):
    name = StringField(
        _l("New name"), filters=TEXT_FILTERS, validators=[DataRequired(), Length(max=200)]
    )
    submit = SubmitField(_l("Rename"))


EFFECTIVE_ON_HINT = _l("As dd/mm/yyyy: the day the decision takes effect, which may be past.")


class MoveUnitForm(KhienForm):
    parent_id = SelectField(_l("New parent unit"), coerce=int)
    effective_on = DayField(
        _l("Takes effect on"), validators=[Optional()], description=EFFECTIVE_ON_HINT
    )
    submit = SubmitField(_l("Move"))


class MergeUnitForm(KhienForm):
    """Posted twice: from the unit page, which answers with a page naming both units and the
    number of people who will move; then from that page, carrying the number confirmed. The
    merger happens only if it is still the number of people in the unit."""

    into_id = SelectField(_l("Merge into"), coerce=int)
    effective_on = DayField(
        _l("Takes effect on"), validators=[Optional()], description=EFFECTIVE_ON_HINT
    )
    confirmed_people = IntegerField(
        _l("People who will move"), widget=HiddenInput(), validators=[Optional()]
    )
    submit = SubmitField(_l("Merge…"))


class KeyDepartmentForm(KhienForm):
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
