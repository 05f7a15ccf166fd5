"""The two clocks of the product.

Timestamps are stored in UTC; calendar questions (is it due today? valid until when?) are answered
on the Vietnamese calendar, so that work due today stays on time until midnight in Hà Nội.
Services take `now`/`today` as arguments; only views and commands call these.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

VN_TZ = ZoneInfo("Asia/Ho_Chi_Minh")

# How a date may be typed, in a form or after `--on`: dd/mm/yyyy as Vietnamese officials write
# it, or ISO yyyy-mm-dd.
DATE_INPUT_FORMATS = ("%d/%m/%Y", "%Y-%m-%d")


def utcnow() -> datetime:
    return datetime.now(UTC)


def today_vn() -> date:
    return datetime.now(VN_TZ).date()


def parse_date(text: str) -> date | None:
    """A calendar date typed in one of `DATE_INPUT_FORMATS`; None when it is not one."""
    for pattern in DATE_INPUT_FORMATS:
        try:
            return datetime.strptime(text.strip(), pattern).date()  # noqa: DTZ007 - a calendar date
        except ValueError:
            continue
    return None
