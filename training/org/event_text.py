"""How a unit's history reads on its page.

An event is stored as data: its kind, old and new values, and a note kept in English for the
audit trail (`merge_unit` writes the notes through the two functions below, so writer and reader
agree). Here it becomes a line in the reader's language: "False → True" reads "marked as a key
department", and a merger says where the unit went and how many people moved with it (nothing
when nobody did).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from flask_babel import gettext as _
from flask_babel import ngettext

from training.org.models import UnitEvent, UnitEventKind

_PEOPLE_MOVED = re.compile(r"^(\d+) people moved$")
_FOLLOWED_MERGER = re.compile(r"^merge (\S+) → (\S+)$")


def people_moved_note(num: int) -> str:
    """The note on a merged unit's event."""
    return f"{num} people moved"


def followed_merger_note(code: str, into: str) -> str:
    """The note on the move of each sub-unit that followed its parent into another unit."""
    return f"merge {code} → {into}"


@dataclass(frozen=True)
class HistoryLine:
    effective_on: date
    kind: UnitEventKind
    details: str


def history_lines(events: Sequence[UnitEvent]) -> list[HistoryLine]:
    return [HistoryLine(e.effective_on, e.kind, _details(e)) for e in events]


def _change(old: str | None, new: str | None) -> str:
    return f"{old} → {new or ''}" if old else new or ""


def _details(event: UnitEvent) -> str:
    note = event.note or ""
    if event.kind == UnitEventKind.KEY_FLAG:
        if event.new_value == "True":
            return _("Marked as a key department")
        return _("No longer a key department")
    if event.kind == UnitEventKind.MERGED:
        moved = _PEOPLE_MOVED.match(note)
        num = int(moved.group(1)) if moved else 0
        if num:
            return ngettext(
                "Into %(into)s; %(num)d person moved with it.",
                "Into %(into)s; %(num)d people moved with it.",
                num,
                into=event.new_value,
            )
        return _("Into %(into)s.", into=event.new_value)
    followed = _FOLLOWED_MERGER.match(note)
    if event.kind == UnitEventKind.MOVED and followed:
        return _(
            "%(old)s → %(new)s, following the merger of %(code)s into %(into)s",
            old=event.old_value,
            new=event.new_value,
            code=followed.group(1),
            into=followed.group(2),
        )
    details = _change(event.old_value, event.new_value)
    return f"{details} ({note})" if note else details
