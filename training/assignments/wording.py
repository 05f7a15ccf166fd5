"""Assignments in words: whom they target and by when, as the officer's list and the learner's
pages say it. Whole sentences per case, so a translator never glues fragments together (word
order differs between Vietnamese and English)."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext

from training.assignments.models import Assignment, TargetGroup
from training.i18n import dateformat

TARGET_LABELS = {
    TargetGroup.EVERYONE: _l("Everyone"),
    TargetGroup.PRIORITY: _l("Priority staff"),
    TargetGroup.IT_STAFF: _l("IT staff"),
    TargetGroup.UNIT_HEADS: _l("Unit heads"),
    TargetGroup.NAMED: _l("Named people"),
}

_IN_PROVINCE = {
    TargetGroup.EVERYONE: _l("Everyone in the province"),
    TargetGroup.PRIORITY: _l("Priority staff in the province"),
    TargetGroup.IT_STAFF: _l("IT staff in the province"),
    TargetGroup.UNIT_HEADS: _l("Unit heads in the province"),
}

_IN_UNIT = {
    TargetGroup.EVERYONE: _l("Everyone in %(unit)s and its sub-units"),
    TargetGroup.PRIORITY: _l("Priority staff in %(unit)s and its sub-units"),
    TargetGroup.IT_STAFF: _l("IT staff in %(unit)s and its sub-units"),
    TargetGroup.UNIT_HEADS: _l("Unit heads in %(unit)s and its sub-units"),
}


def describe_target(assignment: Assignment, *, named: int | None = None) -> str:
    """`named`: how many people a named assignment lists, when the caller counted them (in
    bulk, for a list)."""
    if assignment.audience == TargetGroup.NAMED:
        if named is None:
            return str(TARGET_LABELS[TargetGroup.NAMED])
        return ngettext("%(num)d named person", "%(num)d named people", named)
    if assignment.unit is None:
        return str(_IN_PROVINCE[assignment.audience])
    return str(_IN_UNIT[assignment.audience]) % {"unit": assignment.unit.name}


def describe_deadline(assignment: Assignment) -> str:
    if assignment.due_on is not None:
        rule = _("By %(date)s", date=dateformat(assignment.due_on))
    else:
        days = assignment.due_days or 0
        rule = ngettext(
            "Within %(num)d day of coming under it",
            "Within %(num)d days of coming under it",
            days,
        )
    if assignment.priority_due_days is None:
        return rule
    return _(
        "%(rule)s; priority staff within %(num)d days",
        rule=rule,
        num=assignment.priority_due_days,
    )
