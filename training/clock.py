"""The two clocks of the product.

Timestamps are stored in UTC; calendar questions (is it due today? valid until when?) are answered
on the Vietnamese calendar, so that work due today stays on time until midnight in Hà Nội.
Services take `now`/`today` as arguments; only views and commands call these.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

VN_TZ = ZoneInfo("Asia/Ho_Chi_Minh")


def utcnow() -> datetime:
    return datetime.now(UTC)


def today_vn() -> date:
    return datetime.now(VN_TZ).date()
