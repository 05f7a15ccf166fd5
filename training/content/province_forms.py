"""The province settings form, one field (two for names) per setting, built from the list of
settings so a new setting needs no template change."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import StringField
from wtforms.validators import Length, Optional

from training.forms import TEXT_FILTERS, KhienForm
from training.org.province import MAX_LENGTH, SETTINGS


class ProvinceSettingsForm(KhienForm):
    """Field `NAME` holds the Vietnamese (or only) value, `NAME_en` the English one."""


for _setting in SETTINGS:
    setattr(
        ProvinceSettingsForm,
        _setting.name,
        StringField(
            _setting.label,
            validators=[Optional(), Length(max=MAX_LENGTH)],
            filters=TEXT_FILTERS,
            description=_setting.hint or "",
        ),
    )
    if _setting.has_english:
        setattr(
            ProvinceSettingsForm,
            f"{_setting.name}_en",
            StringField(
                _l("In English"),
                validators=[Optional(), Length(max=MAX_LENGTH)],
                filters=TEXT_FILTERS,
            ),
        )
