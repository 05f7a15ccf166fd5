"""Coverage targets and official headcounts: what a unit's figures are measured against.

The ICT admin sets a target per group ("100 % of priority staff by 30/06", "90 % of everyone by
31/12"); a unit is *below target* when its coverage (or priority coverage) is under the percent,
whatever the date: the date says by when the province must get there, and until then the mark
says who is behind. A unit may carry its official headcount (biên chế); a roster with fewer
active people than that is incomplete, and its coverage flatters the unit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

import pandas as pd
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from training.errors import RuleViolation
from training.extensions import db
from training.org.models import Role, Unit
from training.org.people import Actor
from training.reports.models import CoverageTarget, TargetGroup


@dataclass(frozen=True)
class Targets:
    """The targets in force; either may be missing."""

    everyone: CoverageTarget | None
    priority: CoverageTarget | None

    @property
    def everyone_pct(self) -> float | None:
        return float(self.everyone.percent) if self.everyone else None

    @property
    def priority_pct(self) -> float | None:
        return float(self.priority.percent) if self.priority else None


def targets_in_force() -> Targets:
    """The latest target of each group not withdrawn; one query."""
    rows = db.session.scalars(
        select(CoverageTarget)
        .where(CoverageTarget.withdrawn_at.is_(None))
        .order_by(CoverageTarget.set_at.desc(), CoverageTarget.id.desc())
    ).all()
    found: dict[TargetGroup, CoverageTarget] = {}
    for target in rows:
        found.setdefault(target.group_name, target)
    return Targets(found.get(TargetGroup.EVERYONE), found.get(TargetGroup.PRIORITY))


def target_history() -> list[CoverageTarget]:
    return list(
        db.session.scalars(
            select(CoverageTarget).order_by(CoverageTarget.set_at.desc(), CoverageTarget.id.desc())
        )
    )


def _require_admin(actor: Actor) -> None:
    if actor is not None and actor.role != Role.ICT_ADMIN:
        raise RuleViolation(None, _("Only the province's ICT administrators set coverage targets."))


def parse_percent(text: str) -> Decimal:
    """ "90", "92,5" or "92.5" (Vietnamese write a decimal comma) → 92.5; refused outside
    (0, 100] or with more than one decimal."""
    try:
        value = Decimal(text.strip().replace(",", ".").removesuffix("%").strip())
    except InvalidOperation as err:
        raise RuleViolation("percent", _("Write the target as a number, e.g. 90 or 92,5.")) from err
    if not value.is_finite() or value <= 0 or value > 100:
        raise RuleViolation("percent", _("A target is a percent above 0 and at most 100."))
    if value != value.quantize(Decimal("0.1")):
        raise RuleViolation("percent", _("A target has at most one decimal."))
    return value


def set_target(
    group: TargetGroup, percent: Decimal, due_on: date, *, actor: Actor, now: datetime
) -> CoverageTarget:
    """Replace the group's target: the old one is withdrawn, not edited, so the history shows
    what the province aimed at when."""
    _require_admin(actor)
    if not Decimal(0) < percent <= Decimal(100):
        raise RuleViolation("percent", _("A target is a percent above 0 and at most 100."))
    for old in db.session.scalars(
        select(CoverageTarget).where(
            CoverageTarget.group_name == group, CoverageTarget.withdrawn_at.is_(None)
        )
    ):
        old.withdrawn_at = now
    target = CoverageTarget(
        group_name=group,
        percent=percent,
        due_on=due_on,
        set_by_id=actor.id if actor else None,
        set_at=now,
    )
    try:
        with db.session.begin_nested():
            db.session.add(target)
    except IntegrityError as err:  # the index decides: someone set one at the same moment
        raise RuleViolation(
            None, _("Someone else set this target at the same moment: look at it again.")
        ) from err
    return target


def withdraw_target(group: TargetGroup, *, actor: Actor, now: datetime) -> None:
    _require_admin(actor)
    for old in db.session.scalars(
        select(CoverageTarget).where(
            CoverageTarget.group_name == group, CoverageTarget.withdrawn_at.is_(None)
        )
    ):
        old.withdrawn_at = now


def below_target(table: pd.DataFrame, targets: Targets) -> pd.Series:
    """Per row of a unit or course table: below the everyone target, or below the priority
    target where the row has priority requirements. A row with nothing required is not."""
    below = pd.Series(False, index=table.index)
    if targets.everyone_pct is not None:
        below |= table["coverage_pct"].lt(targets.everyone_pct).fillna(False)
    if targets.priority_pct is not None:
        below |= table["priority_coverage_pct"].lt(targets.priority_pct).fillna(False)
    return below


def set_headcount(unit: Unit, headcount: int | None) -> None:
    """The unit's biên chế; None forgets it. Officers may set it for units in their scope (the
    caller loads the unit through the scope): they hold the staffing decision."""
    if headcount is not None and not 0 <= headcount <= 100_000:
        raise RuleViolation("headcount", _("The official headcount is a whole number of people."))
    unit.official_headcount = headcount


def short_rosters(table: pd.DataFrame) -> pd.Series:
    """Per unit row: the roster holds fewer active people than the unit's official headcount.
    A unit's biên chế covers its divisions, so it is compared with the unit's row, which
    counts its sub-units; a unit without a headcount is never short. One query."""
    codes = table["unit_code"].tolist()
    headcounts = dict(
        db.session.execute(
            select(Unit.code, Unit.official_headcount).where(
                Unit.code.in_(codes), Unit.official_headcount.is_not(None)
            )
        ).all()
    )
    wanted = table["unit_code"].map(headcounts)
    return table["staff"].lt(wanted).fillna(False).astype(bool)
