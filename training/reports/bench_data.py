"""A synthetic province for benchmarking the coverage reports (`flask --app app bench-data`).

A report is only worth timing on data shaped like a province's: a deep unit tree that was
reorganised (one merger, units moved, renamed), a few per cent priority staff, completions
spread over two years with some expired and renewed, people late, people who left. Ten
thousand identical rows would time an index, not a report. So every row here is what the org,
assignment and records services would have written had that history happened day by day:
dated placements and memberships with exclusive ends, key periods, flag periods, inactive
periods, requirements opened and closed as `assignments/requirements.py` would (a refresh
afterwards changes nothing), completions with unique certificate codes.

It is written in bulk (Core inserts of 10,000 rows, ids chosen here so children need no
RETURNING), never through the services that write one person at a time: 60,000 people take
seconds, not hours. The same seed and day give the same province. It refuses any database that
holds a person or a unit it did not make, and production sites outright.
"""

from __future__ import annotations

import bisect
import enum
import hashlib
import json
import random
import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from itertools import accumulate, count
from typing import Any, cast

from flask import current_app
from sqlalchemy import ColumnElement, Table, delete, func, insert, or_, select, text, update

from training.assignments.defaults import RULES, default_key
from training.assignments.models import Assignment, Requirement, TargetGroup
from training.clock import VN_TZ
from training.courses.completions import CODE_ALPHABET, add_months
from training.courses.loading import render_lesson
from training.courses.models import (
    Attendance,
    Audience,
    ClassroomSession,
    Completion,
    CompletionAction,
    CompletionLog,
    CompletionMethod,
    Course,
    CourseVersion,
    ExternalCourse,
    Lesson,
    LessonRead,
    LessonText,
)
from training.errors import KhienError
from training.extensions import Model, db
from training.org.event_text import followed_merger_note, people_moved_note
from training.org.models import (
    Membership,
    Person,
    PersonFlag,
    PersonFlagPeriod,
    Role,
    Unit,
    UnitEvent,
    UnitEventKind,
    UnitKeyPeriod,
    UnitKind,
    UnitPlacement,
)
from training.quizzes.models import Attempt, AttemptResult, Quiz
from training.text import fold, nfc

USERNAME_PREFIX = "bench."
UNIT_CODE = re.compile(r"^B\d{4,}$")
COURSE_PREFIX = "bench-course-"
BATCH = 10_000
HISTORY_DAYS = 730

# Shares of the staff, drawn per person.
LATE_HIRES = 0.15  # joined during the two years, not before
MOVERS = 0.05  # moved to another unit once
DEACTIVATED = 0.01
DRAFTERS = 0.02  # D2: draft classified documents
FORMER_DRAFTERS = 0.004  # stopped: the priority course's requirement closed that day
IT_STAFF = 0.025
# Key departments are chosen until their staff reach this share (with the drafters, priority
# staff end up between 5 and 10 %); small units first, as real key departments are.
KEY_SHARE = (0.045, 0.06)
# Per required pair.
DONE = 0.66  # completed at some time (some of them after today: about 60 % by today)
LATE = 0.3  # of those, after the deadline
RENEWED = 0.55  # an expired completion taken again
STARTED = 0.15  # of the pairs never completed: lessons read or a quiz failed


@dataclass(frozen=True)
class Summary:
    """What a run made, for the command to print and the tests to check."""

    units: int
    retired_units: int
    key_departments: int
    placements: int
    unit_events: int
    people: int
    inactive_people: int
    priority_staff: int
    memberships: int
    flag_periods: int
    courses: int
    courses_created: int
    assignments: int
    requirements: int
    completions: int
    lesson_reads: int
    attempts: int
    classroom_sessions: int


# --- refusing -----------------------------------------------------------------------------------


def refuse_reason() -> str | None:
    """Why this database must not receive bench data, or None. Anything the generator did not
    make is someone's real record: one such person or unit and nothing is written."""
    if current_app.config.get("KHIEN_ENV") == "production":
        return "bench-data never runs on a production site (KHIEN_ENV=production)."
    people = db.session.scalar(
        select(func.count(Person.id)).where(~Person.username.startswith(USERNAME_PREFIX))
    )
    if people:
        return (
            f"The database holds {people} people whose username does not start with "
            f"'{USERNAME_PREFIX}': real staff. Use an empty database."
        )
    foreign = [code for code in db.session.scalars(select(Unit.code)) if not UNIT_CODE.match(code)]
    if foreign:
        return (
            f"The database holds {len(foreign)} units the generator did not make "
            f"({', '.join(sorted(foreign)[:3])}…): a real organisation. Use an empty database."
        )
    return None


def has_bench_data() -> bool:
    return bool(db.session.scalar(select(func.count(Unit.id))))


def remove_bench_data() -> int:
    """Delete what an earlier run made, children first: its people, units and courses, and
    every row that refers to them (found through the foreign keys, so tables added later are
    covered too). The directive's default assignments of real courses stay. Rows deleted."""
    unit_ids = [
        unit_id
        for unit_id, code in db.session.execute(select(Unit.id, Unit.code))
        if UNIT_CODE.match(code)
    ]
    doomed: dict[Table, ColumnElement[bool]] = {
        cast(Table, Person.__table__): Person.username.startswith(USERNAME_PREFIX),
        cast(Table, Unit.__table__): Unit.id.in_(unit_ids),
        cast(Table, Course.__table__): Course.slug.startswith(COURSE_PREFIX),
    }
    tables = db.metadata.sorted_tables
    for table in tables:
        conditions = [doomed[table]] if table in doomed else []
        for fk in table.foreign_keys:
            parent = fk.column.table
            if parent is not table and isinstance(parent, Table) and parent in doomed:
                conditions.append(fk.parent.in_(select(fk.column).where(doomed[parent])))
        if conditions:
            doomed[table] = or_(*conditions)
    removed = 0
    if db.session.get_bind().dialect.name == "postgresql":
        removed = _truncate_whole_tables(doomed)
    for table in reversed(tables):
        if table in doomed:
            result = db.session.execute(delete(table).where(doomed[table]))
            removed += int(result.rowcount or 0)  # type: ignore[attr-defined]
    return removed


def _truncate_whole_tables(doomed: dict[Table, ColumnElement[bool]]) -> int:
    """On PostgreSQL, empty by one TRUNCATE (transactional there) the tables whose every row
    is bench data, with every table that refers to them. Deleting row by row, each person
    deleted is checked against the columns that may name them without an index
    (`completions.recorded_by_id`, …): a scan per person over tables whose deleted rows are
    still there, dead, until the transaction ends: over 17 minutes for 60,000 people."""
    sizes = {}
    for table in db.metadata.sorted_tables:
        rows = int(db.session.scalar(select(func.count()).select_from(table)) or 0)
        if rows == 0 or (
            table in doomed
            and rows
            == db.session.scalar(select(func.count()).select_from(table).where(doomed[table]))
        ):
            sizes[table] = rows  # nothing but bench data (an empty table may join the rest)
    referrers = {
        table: {
            other
            for other in db.metadata.sorted_tables
            if other is not table and any(fk.column.table is table for fk in other.foreign_keys)
        }
        for table in sizes
    }
    whole = set(sizes)
    while shrunk := {t for t in whole if not referrers[t] <= whole}:
        whole -= shrunk
    if not any(sizes[t] for t in whole):
        return 0
    names = ", ".join(sorted(t.name for t in whole))
    db.session.execute(text(f"TRUNCATE {names}"))
    for table in whole:
        doomed.pop(table, None)
    return sum(sizes[t] for t in whole)


# --- names --------------------------------------------------------------------------------------


def _words(text_: str) -> tuple[str, ...]:
    return tuple(nfc(w) for w in text_.split("|"))


FAMILY = _words(
    "Nguyễn|Trần|Lê|Phạm|Huỳnh|Hoàng|Phan|Võ|Vũ|Đặng|Bùi|Đỗ|Hồ|Ngô|Dương|Lý|Trương|Lâm|Đinh|"
    "Châu|Thái|Tô|Danh|Thạch"
)
FAMILY_WEIGHTS = (
    38,
    11,
    9,
    7,
    5,
    3,
    4,
    4,
    2,
    2,
    2,
    1.5,
    1.5,
    1.3,
    1,
    1,
    1,
    1,
    0.6,
    0.6,
    0.5,
    0.4,
    0.8,
    0.6,
)
MIDDLE_M = _words("Văn|Hữu|Minh|Quốc|Đức|Công|Thanh|Hoàng|Ngọc|Tấn|Thành|Trung")
MIDDLE_F = _words("Thị|Ngọc|Thu|Thanh|Kim|Mỹ|Bích|Hồng|Phương|Thúy")
GIVEN_M = _words(
    "An|Bình|Cường|Dũng|Duy|Hải|Hiếu|Hòa|Hùng|Huy|Khang|Khoa|Kiên|Long|Lộc|Minh|Nam|Nghĩa|Nhân|"
    "Phong|Phúc|Quang|Sơn|Tài|Tâm|Thắng|Thiện|Toàn|Trí|Trung|Tuấn|Việt|Vinh"
)
GIVEN_F = _words(
    "Anh|Châu|Diễm|Dung|Hà|Hạnh|Hằng|Hoa|Hương|Lan|Liên|Linh|Loan|Mai|My|Ngân|Nhung|Oanh|"
    "Phương|Quyên|Tâm|Thảo|Trang|Trinh|Tuyết|Vân|Vy|Yến"
)
POSITIONS = _words("Chuyên viên|Chuyên viên chính|Cán sự|Văn thư|Kế toán viên|Phó Trưởng phòng")
ROOT_NAME = nfc("Tỉnh Kiên Hòa (dữ liệu thử nghiệm)")
# The two first are the merger's: Information and Communications into Science and Technology,
# as every province did on 1 March 2025.
AGENCIES = _words(
    "Sở Khoa học và Công nghệ|Sở Thông tin và Truyền thông|Văn phòng Ủy ban nhân dân tỉnh|"
    "Sở Nội vụ|Sở Tài chính|Sở Tư pháp|Sở Xây dựng|Sở Y tế|Sở Giáo dục và Đào tạo|"
    "Sở Công Thương|Sở Nông nghiệp và Môi trường|Sở Văn hóa, Thể thao và Du lịch|Sở Ngoại vụ|"
    "Sở Dân tộc và Tôn giáo|Thanh tra tỉnh|Ban Quản lý các khu kinh tế|Công an tỉnh|"
    "Văn phòng Đoàn đại biểu Quốc hội và Hội đồng nhân dân tỉnh|Sở Kế hoạch và Đầu tư|"
    "Sở Giao thông vận tải|Sở Lao động - Thương binh và Xã hội|Sở Tài nguyên và Môi trường"
)
SERVICE_UNITS = _words(
    "Đài Phát thanh và Truyền hình tỉnh|Bệnh viện Đa khoa tỉnh|Trường Chính trị tỉnh|"
    "Trường Cao đẳng Kỹ thuật - Công nghệ|Trung tâm Xúc tiến Đầu tư, Thương mại và Du lịch|"
    "Ban Quản lý dự án đầu tư xây dựng tỉnh"
)
ENTERPRISES = _words(
    "Công ty TNHH MTV Xổ số kiến thiết|Công ty Cổ phần Cấp thoát nước|"
    "Công ty TNHH MTV Khai thác công trình thủy lợi"
)
DISTRICTS = _words(
    "Thành phố Rạch Giá|Thành phố Phú Quốc|Thành phố Hà Tiên|Huyện Kiên Lương|Huyện Hòn Đất|"
    "Huyện Tân Hiệp|Huyện Châu Thành|Huyện Giồng Riềng|Huyện Gò Quao|Huyện An Biên|"
    "Huyện An Minh|Huyện Vĩnh Thuận|Huyện U Minh Thượng|Huyện Giang Thành|Huyện Kiên Hải"
)
PLACE_A = _words("Tân|Bình|Mỹ|Vĩnh|Long|Thạnh|Hòa|Phú|An|Đông|Tây|Nam|Thới|Định|Hưng|Minh")
PLACE_B = _words("An|Hòa|Lợi|Hưng|Thạnh|Phú|Bình|Lộc|Thuận|Đông|Tây|Yên|Hiệp|Khánh|Điền|Quới")
DIVISIONS = _words(
    "Văn phòng|Thanh tra|Phòng Tổ chức cán bộ|Phòng Kế hoạch - Tài chính|Phòng Pháp chế|"
    "Phòng Công nghệ thông tin|Phòng Quản lý chuyên ngành|Chi cục Quản lý chất lượng|"
    "Trung tâm Dịch vụ công|Phòng Hành chính - Tổng hợp|Phòng Hợp tác quốc tế|Phòng Cơ yếu|"
    "Phòng Bảo vệ chính trị nội bộ|Phòng Thi đua - Khen thưởng|Phòng Văn thư - Lưu trữ|"
    "Trung tâm Thông tin|Ban Tiếp công dân|Phòng Quy hoạch|Chi cục Kiểm lâm|Phòng Nghiệp vụ"
)
SECTIONS = _words(
    "Phòng Hành chính|Phòng Nghiệp vụ {n}|Đội Kiểm tra số {n}|Bộ phận Một cửa|Trạm {n}"
)
TEAMS = _words("Tổ công tác số {n}|Tổ Văn thư|Tổ Kỹ thuật|Nhóm Hỗ trợ {n}")
SYNTHETIC_COURSES = _words(
    "Bảo mật thư điện tử công vụ|Sao lưu và phục hồi dữ liệu|An toàn khi làm việc từ xa|"
    "Mạng xã hội và thông tin công vụ|Thiết bị di động an toàn|Nhận diện lừa đảo qua điện thoại|"
    "Quản lý tài khoản dùng chung|Bảo vệ dữ liệu cá nhân|An toàn hội nghị trực tuyến|"
    "Phần mềm độc hại tống tiền"
)
EXTERNAL_SOURCE = nfc("Bình dân học vụ số (dữ liệu thử nghiệm)")


def _full_name(rng: random.Random) -> str:
    family = rng.choices(FAMILY, FAMILY_WEIGHTS)[0]
    if rng.random() < 0.5:
        return f"{family} {rng.choice(MIDDLE_M)} {rng.choice(GIVEN_M)}"
    return f"{family} {rng.choice(MIDDLE_F)} {rng.choice(GIVEN_F)}"


def _at(day: date, hour: float = 8.0) -> datetime:
    """A moment of a Vietnamese working day: records are dated when their change happened, so
    two runs with the same seed write the same rows."""
    minutes = int(hour * 60)
    return datetime.combine(day, time(minutes // 60, minutes % 60), tzinfo=VN_TZ)


def _certificate_codes(rng: random.Random) -> Callable[[], str]:
    """Certificate codes in the site's alphabet and shape, unique by construction: a counter
    through a keyed bijection of 60 bits (two odd multiplications and xor-shifts), so no set of
    millions of codes is kept to rule out a collision."""
    key, mask, counter = rng.getrandbits(60), (1 << 60) - 1, iter(range(1, 1 << 60))

    def next_code() -> str:
        x = (next(counter) * 0x9E3779B97F4A7C15) & mask
        x ^= key
        x ^= x >> 29
        x = (x * 0xBF58476D1CE4E5B9) & mask
        x ^= x >> 31
        raw = "".join(CODE_ALPHABET[(x >> (5 * i)) & 31] for i in range(12))
        return f"{raw[:4]}-{raw[4:8]}-{raw[8:]}"

    return next_code


# --- the tree and its history -------------------------------------------------------------------

Span = tuple[date, date | None]  # valid_from, valid_to (exclusive, None while open)


@dataclass(slots=True)
class _Placement:
    parent_id: int | None
    name: str
    valid_from: date
    valid_to: date | None = None


@dataclass(slots=True)
class _Unit:
    id: int
    code: str
    kind: UnitKind
    level: int  # 0 the province, 1 agencies and districts, … as first placed
    placements: list[_Placement]
    weight: float  # how many staff it draws
    is_key: bool = False
    retired_on: date | None = None
    merged_into: int | None = None

    @property
    def parent_id(self) -> int | None:
        """Today's parent; a retired unit keeps the one it had (as `merge_unit` leaves it)."""
        return self.placements[-1].parent_id

    @property
    def name(self) -> str:
        return self.placements[-1].name

    def placement_on(self, day: date) -> _Placement | None:
        for placement in self.placements:
            if placement.valid_from <= day and (
                placement.valid_to is None or day < placement.valid_to
            ):
                return placement
        return None


@dataclass
class _Province:
    """The tree as first placed two years ago, then reshaped by dated events, all in memory:
    the rows come from here, and so does each person's priority on any day, which sets their
    deadlines and the priority course's requirements."""

    units: list[_Unit]
    start: date
    events: list[dict[str, Any]] = field(default_factory=list)
    change_days: list[date] = field(default_factory=list)
    merged: _Unit | None = None
    _key_cache: dict[int, frozenset[int]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.by_id = {u.id: u for u in self.units}

    @property
    def merger(self) -> tuple[_Unit, _Unit, date]:
        merged = self.merged
        if merged is None or merged.merged_into is None or merged.retired_on is None:
            raise LookupError("No merger yet: `_reshape` makes it.")
        return merged, self.by_id[merged.merged_into], merged.retired_on

    def log(
        self,
        unit: _Unit,
        kind: UnitEventKind,
        day: date,
        old: str | None,
        new: str | None,
        note: str | None = None,
    ) -> None:
        self.events.append(
            {
                "unit_id": unit.id,
                "kind": kind,
                "effective_on": day,
                "old_value": old,
                "new_value": new,
                "note": note,
                "created_at": _at(day, 9),
            }
        )

    def place(self, unit: _Unit, day: date, *, parent_id: int | None, name: str) -> None:
        """As `org.units._place`: the open row closes on `day`, the next one opens that day."""
        unit.placements[-1].valid_to = day
        unit.placements.append(_Placement(parent_id, name, day))
        bisect.insort(self.change_days, day)

    def children_on(self, parent: _Unit, day: date) -> list[_Unit]:
        found = []
        for unit in self.units:
            placement = unit.placement_on(day)
            if placement is not None and placement.parent_id == parent.id:
                found.append(unit)
        return found

    def key_subtree_on(self, day: date) -> frozenset[int]:
        """The units in a key department's subtree on `day`, by the tree of that day (key
        periods run from the start: no key department retires). One walk per shape of the
        tree, however many days are asked."""
        epoch = bisect.bisect_right(self.change_days, day)
        found = self._key_cache.get(epoch)
        if found is None:
            parents = {}
            for unit in self.units:
                placement = unit.placement_on(day)
                if placement is not None:
                    parents[unit.id] = placement.parent_id

            def is_key(unit_id: int | None) -> bool:
                while unit_id is not None:
                    if self.by_id[unit_id].is_key:
                        return True
                    unit_id = parents.get(unit_id)
                return False

            found = self._key_cache[epoch] = frozenset(u for u in parents if is_key(u))
        return found

    def paths(self) -> dict[int, str]:
        """Today's materialised paths."""
        paths: dict[int, str] = {}

        def path(unit: _Unit) -> str:
            if unit.id not in paths:
                above = self.by_id[unit.parent_id] if unit.parent_id is not None else None
                paths[unit.id] = f"{path(above) if above else '/'}{unit.id}/"
            return paths[unit.id]

        for unit in self.units:
            path(unit)
        return paths

    def tops(self) -> dict[int, int]:
        """Each unit's agency or district (the province for itself): who holds its sessions."""
        return {
            unit_id: int(path.strip("/").split("/")[min(1, path.count("/") - 2)])
            for unit_id, path in self.paths().items()
        }


def _plan_tree(rng: random.Random, count: int, first_id: int, start: date) -> list[_Unit]:
    """Province → agencies, service units, an enterprise, districts → divisions and communes →
    sections → teams: five levels, in about a province's proportions."""
    agencies = max(4, round(count * 0.07))
    services = max(1, round(count * 0.015))
    enterprises = 1 if count >= 60 else 0
    districts = max(2, round(count * 0.025))
    rest = count - 1 - agencies - services - enterprises - districts
    communes = round(rest * 0.35)
    sections, teams = round(rest * 0.65 * 0.28), round(rest * 0.65 * 0.12)
    divisions = rest - communes - sections - teams
    units: list[_Unit] = []
    used: dict[int, set[str]] = {}

    def add(name: str, kind: UnitKind, parent: _Unit | None, weight: float) -> _Unit:
        unit = _Unit(
            id=first_id + len(units),
            code=f"B{len(units) + 1:04d}",
            kind=kind,
            level=parent.level + 1 if parent else 0,
            placements=[_Placement(parent.id if parent else None, name, start)],
            weight=weight * rng.lognormvariate(0, 0.6),
        )
        units.append(unit)
        return unit

    def numbered(names: Sequence[str], index: int) -> str:
        again = index // len(names)
        return names[index % len(names)] + (f" {again + 1}" if again else "")

    def child(parent: _Unit, names: Sequence[str], kind: UnitKind, weight: float) -> _Unit:
        """A name none of its siblings has."""
        taken = used.setdefault(parent.id, set())
        name = rng.choice(names).format(n=len(taken) + 1)
        if name in taken:
            name = f"{name} {len(taken) + 1}"
        taken.add(name)
        return add(name, kind, parent, weight)

    root = add(ROOT_NAME, UnitKind.PROVINCE, None, 0.5)
    tops = [add(numbered(AGENCIES, i), UnitKind.AGENCY, root, 2.0) for i in range(agencies)]
    tops += [
        add(numbered(SERVICE_UNITS, i), UnitKind.PUBLIC_SERVICE_UNIT, root, 3.0)
        for i in range(services)
    ]
    tops += [
        add(numbered(ENTERPRISES, i), UnitKind.STATE_ENTERPRISE, root, 3.0)
        for i in range(enterprises)
    ]
    district_units = [
        add(numbered(DISTRICTS, i), UnitKind.DISTRICT, root, 1.0) for i in range(districts)
    ]
    # Every agency gets a division before any gets a second: the merged one must have some.
    level2 = [
        child(tops[i] if i < agencies else rng.choice(tops), DIVISIONS, UnitKind.DIVISION, 3.0)
        for i in range(divisions)
    ]
    level3 = [child(rng.choice(level2), SECTIONS, UnitKind.DIVISION, 2.5) for _ in range(sections)]
    for _ in range(teams):
        child(rng.choice(level3), TEAMS, UnitKind.DIVISION, 1.5)
    for _ in range(communes):
        ward = rng.random() < 0.25
        name = f"{'Phường' if ward else 'Xã'} {rng.choice(PLACE_A)} {rng.choice(PLACE_B)}"
        kind = UnitKind.WARD if ward else UnitKind.COMMUNE
        child(rng.choice(district_units), [name], kind, 2.0)
    return units


def _reshape(province: _Province, rng: random.Random, today: date) -> None:
    """The two years' history: a merger (Information and Communications into Science and
    Technology, its divisions following), units moved under another parent, two renames; each
    a `UnitEvent` with its placements, as the org services write them. A unit changes at most
    once, so no change has to reckon with another of the same unit."""
    start, span = province.start, (today - province.start).days
    units = province.units
    merged, into = units[2], units[1]  # AGENCIES lists the pair first
    merger_day = start + timedelta(days=round(span * 0.62))
    touched = {merged.id, into.id}
    below: dict[int | None, list[_Unit]] = {}
    for unit in units:
        below.setdefault(unit.parent_id, []).append(unit)

    def levels(unit: _Unit) -> int:
        return 1 + max((levels(u) for u in below.get(unit.id, [])), default=0)

    days = iter(rng.sample(range(round(span * 0.08), round(span * 0.92)), 64))

    def next_day() -> date:
        day = start + timedelta(days=next(days))
        return day if day != merger_day else next_day()

    for sub_unit in province.children_on(merged, merger_day - timedelta(days=1)):
        note = followed_merger_note(merged.code, into.code)
        province.log(sub_unit, UnitEventKind.MOVED, merger_day, merged.code, into.code, note)
        province.place(sub_unit, merger_day, parent_id=into.id, name=sub_unit.name)
        touched.add(sub_unit.id)
    merged.placements[-1].valid_to = merger_day
    merged.retired_on, merged.merged_into = merger_day, into.id
    province.merged = merged
    bisect.insort(province.change_days, merger_day)

    def pool(level: int, kinds: set[UnitKind]) -> list[_Unit]:
        """Units to move under an agency or a district (to level 2) without taking any of
        their sub-units below the fifth level."""
        return [
            u
            for u in units
            if u.level == level and u.kind in kinds and u.id not in touched and levels(u) <= 3
        ]

    agencies = [u for u in units if u.kind == UnitKind.AGENCY and u is not merged]
    districts = [u for u in units if u.kind == UnitKind.DISTRICT]
    kinds_of_move = [
        (2, {UnitKind.DIVISION}, agencies),  # a division to another department
        (2, {UnitKind.COMMUNE, UnitKind.WARD}, districts),  # a commune to another district
        (1, {UnitKind.PUBLIC_SERVICE_UNIT}, agencies),  # a centre placed under a department
    ]
    for n in range(max(2, len(units) // 60)):
        level, kinds, parents = kinds_of_move[n % len(kinds_of_move)]
        candidates = pool(level, kinds) or pool(2, {UnitKind.DIVISION})
        if not candidates:
            break
        unit = rng.choice(candidates)
        new_parent = rng.choice([p for p in parents if p.id != unit.parent_id])
        old_parent = province.by_id[unit.parent_id] if unit.parent_id is not None else None
        day = next_day()
        old_code = old_parent.code if old_parent else None
        province.log(unit, UnitEventKind.MOVED, day, old_code, new_parent.code)
        province.place(unit, day, parent_id=new_parent.id, name=unit.name)
        touched.add(unit.id)
    renamable = pool(2, {UnitKind.DIVISION, UnitKind.COMMUNE})
    for unit in rng.sample(renamable, min(2, len(renamable))):
        if unit.name.startswith("Xã "):
            new_name = "Phường" + unit.name.removeprefix("Xã")
        else:
            new_name = f"{unit.name} và Chuyển đổi số"
        day = next_day()
        province.log(unit, UnitEventKind.RENAMED, day, unit.name, new_name)
        province.place(unit, day, parent_id=unit.parent_id, name=new_name)
        touched.add(unit.id)


# --- people -------------------------------------------------------------------------------------


@dataclass(slots=True)
class _Person:
    id: int
    number: int
    full_name: str
    hired: date
    segments: list[tuple[int, date, date | None]]  # the memberships: unit, from, to
    left_on: date | None = None  # deactivated that day
    drafter: Span | None = None
    it_from: date | None = None
    head_from: date | None = None
    role: Role = Role.LEARNER

    @property
    def unit_id(self) -> int:
        return self.segments[-1][0]

    def unit_on(self, day: date) -> int | None:
        for unit_id, since, until in self.segments:
            if since <= day and (until is None or day < until):
                return unit_id
        return None

    def is_priority_on(self, day: date, province: _Province) -> bool:
        """D2 on that day: drafting classified documents, or in a key subtree as it stood."""
        if self.drafter is not None and _holds(self.drafter, day):
            return True
        unit_id = self.unit_on(day)
        return unit_id is not None and unit_id in province.key_subtree_on(day)


def _holds(span: Span, day: date) -> bool:
    return span[0] <= day and (span[1] is None or day < span[1])


def _between(rng: random.Random, first: date, last: date) -> date:
    return first + timedelta(days=rng.randint(0, max(0, (last - first).days)))


def _plan_people(
    rng: random.Random, count: int, first_id: int, province: _Province, today: date
) -> list[_Person]:
    """Staff spread over the units by weight; some hired later, some moved once, those of the
    merged unit moved on the merger day (as `merge_unit` moves everyone, active or not), a few
    drafters, IT staff and people who left."""
    merged, into, merger_day = province.merger
    start = province.start
    units = province.units
    cumulative = list(accumulate(u.weight for u in units))
    standing = [u.id for u in units if u is not merged]
    people: list[_Person] = []
    for n in range(1, count + 1):
        hired = start
        if rng.random() < LATE_HIRES:
            hired = _between(rng, start, today - timedelta(days=7))
        unit_id = rng.choices(units, cum_weights=cumulative)[0].id
        if unit_id == merged.id and hired >= merger_day:
            unit_id = into.id
        segments: list[tuple[int, date, date | None]] = [(unit_id, hired, None)]
        if rng.random() < MOVERS and unit_id != merged.id and hired < today - timedelta(60):
            moved = _between(rng, hired + timedelta(30), today - timedelta(14))
            target = rng.choice(standing)
            if target != unit_id:
                segments = [(unit_id, hired, moved), (target, moved, None)]
        if segments[-1][0] == merged.id:
            segments = [(merged.id, hired, merger_day), (into.id, merger_day, None)]
        person = _Person(first_id + n - 1, n, _full_name(rng), hired, segments)
        last_change = segments[-1][1]
        if rng.random() < DEACTIVATED and last_change < today - timedelta(45):
            earliest = max(last_change + timedelta(1), today - timedelta(300))
            person.left_on = _between(rng, earliest, today - timedelta(30))
        # A flag changes only while the person is active.
        latest = person.left_on - timedelta(1) if person.left_on else today - timedelta(30)
        draw = rng.random()
        if draw < DRAFTERS:
            since = hired if rng.random() < 0.7 else _between(rng, hired, latest)
            person.drafter = (since, None)
        elif draw < DRAFTERS + FORMER_DRAFTERS and hired < latest - timedelta(90):
            person.drafter = (hired, _between(rng, hired + timedelta(60), latest))
        if rng.random() < IT_STAFF:
            person.it_from = hired
        people.append(person)
    _name_heads_and_officers(people, province)
    return people


def _name_heads_and_officers(people: list[_Person], province: _Province) -> None:
    """A head for each unit; an IT officer for each agency or district (its first IT staff
    member); one ICT administrator. None has a password: they make the lists look real."""
    tops = province.tops()
    headed: set[int] = set()
    officered: set[int] = set()
    for person in people:
        if person.left_on is not None:
            continue
        if person.unit_id not in headed:
            headed.add(person.unit_id)
            person.head_from = person.segments[-1][1]
        top = tops[person.unit_id]
        if person.it_from is not None and top not in officered:
            officered.add(top)
            person.role = Role.UNIT_OFFICER
    admin = next((p for p in people if p.left_on is None and p.role == Role.LEARNER), None)
    if admin is not None:
        admin.role = Role.ICT_ADMIN


def _choose_key_departments(rng: random.Random, province: _Province, people: list[_Person]) -> None:
    """Key departments (D2), the smaller units first as real ones are (a cipher room, a
    records office), until their staff reach `KEY_SHARE` of today's staff."""
    paths = province.paths()
    staff = Counter(p.unit_id for p in people if p.left_on is None)
    active = sum(staff.values()) or 1
    below = {u.id: [v for v, path in paths.items() if f"/{u.id}/" in path] for u in province.units}
    size = {unit_id: sum(staff[v] for v in ids) for unit_id, ids in below.items()}
    candidates = [u for u in province.units if u.level >= 2 and u.retired_on is None]
    median = sorted(size[u.id] for u in candidates)[len(candidates) // 2] if candidates else 0
    small = [u for u in candidates if 0 < size[u.id] <= median]
    rng.shuffle(small)
    covered: set[int] = set()
    reached = 0
    for unit in small:
        if reached >= KEY_SHARE[0] * active:
            break
        extra = sum(staff[v] for v in below[unit.id] if v not in covered)
        if extra and reached + extra <= KEY_SHARE[1] * active:
            unit.is_key = True
            covered.update(below[unit.id])
            reached += extra
    province._key_cache.clear()


def _priority_spans(person: _Person, province: _Province) -> list[Span]:
    """When the person was priority staff while active: the spans over which a course for
    priority staff required them. Priority can change only on the days their unit, their
    flag or the tree changed."""
    end = person.left_on
    days = {person.hired, *(since for _unit, since, _until in person.segments)}
    if person.drafter is not None:
        days.update(d for d in person.drafter if d is not None)
    days.update(d for d in province.change_days if d > person.hired)
    spans: list[Span] = []
    opened: date | None = None
    for day in sorted(d for d in days if d >= person.hired and (end is None or d < end)):
        if person.is_priority_on(day, province):
            opened = opened or day
        elif opened is not None:
            spans.append((opened, day))
            opened = None
    if opened is not None:
        spans.append((opened, end))
    return spans


def _intersect(left: Sequence[Span], right: Sequence[Span]) -> list[Span]:
    found: list[Span] = []
    for a_from, a_to in left:
        for b_from, b_to in right:
            since = max(a_from, b_from)
            ends = [d for d in (a_to, b_to) if d is not None]
            until = min(ends) if ends else None
            if until is None or since < until:  # a span of no whole day never held
                found.append((since, until))
    return sorted(found)


# --- writing ------------------------------------------------------------------------------------


class _Rows:
    """Rows waiting for their bulk insert. When one table's batch is full, every buffer is
    written, parents first, so no row reaches the database before a row it names."""

    def __init__(self, *models: type[Model]) -> None:
        self.buffers: dict[type[Model], list[dict[str, Any]]] = {m: [] for m in models}
        self.counts: Counter[type[Model]] = Counter()
        self.copy = db.session.get_bind().dialect.name == "postgresql"

    def add(self, model: type[Model], row: dict[str, Any]) -> None:
        buffer = self.buffers[model]
        buffer.append(row)
        if len(buffer) >= BATCH:
            self.flush()

    def flush(self) -> None:
        for model, buffer in self.buffers.items():
            if buffer:
                table = cast(Table, model.__table__)
                if self.copy:
                    _copy(table, buffer)
                else:
                    # The table, not the entity: the ORM's bulk path splits a batch by which
                    # values are NULL, 400,000 statements where one executemany per batch does.
                    db.session.execute(insert(table), buffer)
                self.counts[model] += len(buffer)
                buffer.clear()


def _copy(table: Table, rows: list[dict[str, Any]]) -> None:
    """PostgreSQL's COPY, on the session's own connection and transaction: psycopg's
    executemany sends a statement per row (2 minutes for 60,000 people, 85 % of it waiting on
    the server); COPY streams them. Values go as plain text, so enums as their values (psycopg
    would write an enum's name) and JSON as JSON text."""
    columns = list(rows[0])
    connection = db.session.connection().connection.driver_connection
    statement = f"COPY {table.name} ({', '.join(columns)}) FROM STDIN"
    with connection.cursor() as cursor, cursor.copy(statement) as copy:  # type: ignore[union-attr]
        for row in rows:
            copy.write_row([_plain(row[column]) for column in columns])


def _plain(value: Any) -> Any:
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, list | dict):
        return json.dumps(value)
    return value


def _next_id(model: type[Model]) -> int:
    column = model.__table__.c.id
    return int(db.session.scalar(select(func.coalesce(func.max(column), 0))) or 0) + 1


def _advance_sequences(*models: type[Model]) -> None:
    """The ids of these tables were chosen here; PostgreSQL's sequences must never hand them
    out again (SQLite takes the next rowid from the table itself)."""
    if db.session.get_bind().dialect.name != "postgresql":
        return
    for model in models:
        table = model.__table__
        top = db.session.scalar(select(func.max(table.c.id)))
        if top is not None:
            db.session.execute(
                text(
                    "SELECT setval(pg_get_serial_sequence(:table, 'id'), GREATEST("
                    "nextval(pg_get_serial_sequence(:table, 'id')), :top))"
                ),
                {"table": table.name, "top": top},  # type: ignore[attr-defined]
            )


def _write_org(
    rng: random.Random, province: _Province, people: list[_Person]
) -> Counter[type[Model]]:
    rows = _Rows(
        Unit, UnitPlacement, UnitKeyPeriod, UnitEvent, Person, Membership, PersonFlagPeriod
    )
    start = province.start
    headcounts = _official_headcounts(rng, province, people)
    paths = province.paths()
    key_paths = [paths[u.id] for u in province.units if u.is_key]
    # Parents first: foreign keys are checked row by row.
    for unit in sorted(province.units, key=lambda u: (paths[u.id].count("/"), u.id)):
        rows.add(
            Unit,
            {
                "id": unit.id,
                "code": unit.code,
                "name": unit.name,
                "kind": unit.kind,
                "parent_id": unit.parent_id,
                "path": paths[unit.id],
                "is_key_department": unit.is_key,
                # As `org.changes.refresh_key_subtrees` derives it, retired units included.
                "in_key_subtree": any(paths[unit.id].startswith(p) for p in key_paths),
                "retired_on": unit.retired_on,
                "official_headcount": headcounts.get(unit.id),
                "merged_into_id": None,  # set below: the unit merged into may come later
                "created_at": _at(start),
            },
        )
    for unit in province.units:
        for placement in unit.placements:
            rows.add(
                UnitPlacement,
                {
                    "unit_id": unit.id,
                    "parent_id": placement.parent_id,
                    "name": placement.name,
                    "valid_from": placement.valid_from,
                    "valid_to": placement.valid_to,
                },
            )
        if unit.is_key:
            rows.add(UnitKeyPeriod, {"unit_id": unit.id, "valid_from": start, "valid_to": None})
    merged, into, merger_day = province.merger
    moved = sum(1 for p in people if any(s[0] == merged.id for s in p.segments))
    province.log(
        merged, UnitEventKind.MERGED, merger_day, None, into.code, people_moved_note(moved)
    )
    created = [
        {
            "unit_id": u.id,
            "kind": UnitEventKind.CREATED,
            "effective_on": start,
            "old_value": None,
            "new_value": u.placements[0].name,
            "note": None,
            "created_at": _at(start),
        }
        for u in province.units
    ]
    for event in [*created, *sorted(province.events, key=lambda e: e["effective_on"])]:
        rows.add(UnitEvent, event)
    width = max(5, len(str(len(people))))
    for person in people:
        _add_person(rows, person, width)
    rows.flush()
    db.session.execute(
        update(Unit).where(Unit.id == merged.id).values(merged_into_id=into.id),
        execution_options={"synchronize_session": False},
    )
    return rows.counts


def _official_headcounts(
    rng: random.Random, province: _Province, people: list[_Person]
) -> dict[int, int]:
    """Known for most staffed units: the roster's own size or a little more, and clearly more
    for one in ten (a roster not yet complete, whose coverage flatters the unit)."""
    staff = Counter(p.unit_id for p in people if p.left_on is None)
    known = {}
    for unit in province.units:
        if staff[unit.id] and rng.random() < 0.7:
            extra = 0.3 if rng.random() < 0.1 else rng.random() * 0.05
            known[unit.id] = staff[unit.id] + round(staff[unit.id] * extra)
    return known


def _add_person(rows: _Rows, person: _Person, width: int) -> None:
    number = f"{person.number:0{width}d}"
    username = f"{USERNAME_PREFIX}{number}"
    email = f"{username}@bench.khien.example" if person.number % 4 else None  # three in four
    employee_id = f"BENCH-{number}"
    position = POSITIONS[person.number * 7 % len(POSITIONS)]
    rows.add(
        Person,
        {
            "id": person.id,
            "username": username,
            "full_name": person.full_name,
            "search_key": fold(
                " ".join(filter(None, [person.full_name, username, employee_id, email]))
            ),
            "email": email,
            "employee_id": employee_id,
            "position": "Trưởng phòng" if person.head_from else position,
            "unit_id": person.unit_id,
            "role": person.role,
            "active": person.left_on is None,
            "drafts_classified": person.drafter is not None and person.drafter[1] is None,
            "is_it_staff": person.it_from is not None,
            "is_unit_head": person.head_from is not None,
            "password_hash": None,
            "locale": None,
            "created_at": _at(person.hired),
            "last_login_at": None,
            "session_version": 0 if person.left_on is None else 1,  # deactivation ends sessions
        },
    )
    for unit_id, since, until in person.segments:
        rows.add(
            Membership,
            {
                "person_id": person.id,
                "unit_id": unit_id,
                "valid_from": since,
                "valid_to": until,
                "created_at": _at(since),
            },
        )
    flags: list[tuple[PersonFlag, date, date | None]] = []
    if person.drafter is not None:
        flags.append((PersonFlag.DRAFTS_CLASSIFIED, *person.drafter))
    if person.it_from is not None:
        flags.append((PersonFlag.IT_STAFF, person.it_from, None))
    if person.head_from is not None:
        flags.append((PersonFlag.UNIT_HEAD, person.head_from, None))
    if person.left_on is not None:
        flags.append((PersonFlag.INACTIVE, person.left_on, None))
    for flag, since, until in flags:
        rows.add(
            PersonFlagPeriod,
            {"person_id": person.id, "flag": flag, "valid_from": since, "valid_to": until},
        )


# --- courses and training -----------------------------------------------------------------------


@dataclass(frozen=True)
class _Quiz:
    id: int
    pass_mark: int
    partial_credit: bool
    time_limit_minutes: int | None


@dataclass(frozen=True)
class _Plan:
    """One course as the training loop needs it, with the assignment that requires it."""

    course_id: int
    title: str
    course_hash: str
    validity_months: int
    version_id: int | None
    lesson_keys: tuple[str, ...]
    quiz: _Quiz | None
    external_id: int
    assignment_id: int
    starts_on: date
    due_days: int
    priority_due_days: int | None
    needs_priority: bool
    needs_it: bool


def _plan_courses(count: int, start: date, today: date) -> tuple[list[_Plan], int]:
    """The loaded courses first (`init` loads the real ones), synthetic ones for the rest.
    Each is required by its province-wide assignment: the directive's default when there is
    one (moved back to its start date: it had no requirements, there being nobody), else a
    new default. The assignments begin one after another over the two years, the last a few
    weeks ago, so some deadlines still lie ahead."""
    courses = list(
        db.session.scalars(
            select(Course).where(Course.active.is_(True)).order_by(Course.position, Course.slug)
        ).all()[:count]
    )
    created = count - len(courses)
    # One synthetic course for priority staff, unless a loaded one already is.
    for_priority = count >= 3 and not any(c.audience == Audience.PRIORITY for c in courses)
    courses += [
        _add_course(n, Audience.PRIORITY if for_priority and n == 1 else Audience.ALL, start)
        for n in range(1, created + 1)
    ]
    span = (today - start).days
    plans = []
    for index, course in enumerate(courses):
        starts_on = start + timedelta(days=round(index * span * 0.7 / max(1, count - 1)))
        if count > 1 and index == count - 1:
            starts_on = today - timedelta(days=40)
        assignment = _assignment_for(course, starts_on)
        plans.append(_plan(course, assignment))
    return plans, created


def _add_course(number: int, audience: Audience, start: date) -> Course:
    slug = f"{COURSE_PREFIX}{number:02d}"
    title = SYNTHETIC_COURSES[(number - 1) % len(SYNTHETIC_COURSES)]
    content_hash = hashlib.sha256(slug.encode()).hexdigest()
    course = Course(
        slug=slug,
        title_vi=f"{title} (dữ liệu thử nghiệm)",
        title_en=None,
        summary_vi="Khoá học tổng hợp để đo hiệu năng báo cáo; không có nội dung thật.",
        audience=audience,
        minutes=30,
        validity_months=12,
        quiz_slug=None,
        clauses="D2",
        position=100 + number,
        current_hash=content_hash,
        active=True,
        updated_at=_at(start),
    )
    db.session.add(course)
    db.session.flush()
    version = CourseVersion(course_id=course.id, content_hash=content_hash, created_at=_at(start))
    db.session.add(version)
    db.session.flush()
    for position in range(1, 4):
        key = f"{position:02d}-bai-{position}"
        lesson = Lesson(version_id=version.id, key=key, position=position, clauses="D2")
        body = f"# Bài {position}\n\nNội dung thử nghiệm của bài {position}: {title.lower()}."
        lesson.texts.append(
            LessonText(
                lang="vi",
                title=f"Bài {position}",
                source_hash=hashlib.sha256(f"{slug}/{key}".encode()).hexdigest(),
                html=render_lesson(body),
            )
        )
        db.session.add(lesson)
    return course


def _assignment_for(course: Course, starts_on: date) -> Assignment:
    found = db.session.scalars(
        select(Assignment)
        .where(
            Assignment.course_id == course.id,
            Assignment.unit_id.is_(None),
            Assignment.ended_on.is_(None),
            Assignment.due_days.is_not(None),
            Assignment.audience.in_(
                [TargetGroup.EVERYONE, TargetGroup.PRIORITY, TargetGroup.IT_STAFF]
            ),
        )
        .order_by(Assignment.default_key.is_(None), Assignment.id)
    ).first()
    if found is not None:
        found.starts_on = starts_on
        return found
    rule = RULES[course.audience]
    key = default_key(course)
    taken = db.session.scalar(select(Assignment.id).where(Assignment.default_key == key))
    assignment = Assignment(
        course_id=course.id,
        unit_id=None,
        audience=rule.group,
        due_days=rule.due_days,
        priority_due_days=rule.priority_due_days,
        starts_on=starts_on,
        default_key=None if taken else key,
        clause=rule.clause,
        created_at=_at(starts_on),
    )
    db.session.add(assignment)
    db.session.flush()
    return assignment


def _plan(course: Course, assignment: Assignment) -> _Plan:
    version_id = db.session.scalar(
        select(func.min(CourseVersion.id)).where(
            CourseVersion.course_id == course.id,
            CourseVersion.content_hash == course.current_hash,
        )
    )
    keys = tuple(
        db.session.scalars(
            select(Lesson.key).where(Lesson.version_id == version_id).order_by(Lesson.position)
        )
    )
    quiz = None
    if course.quiz_slug:
        found = db.session.scalar(select(Quiz).where(Quiz.slug == course.quiz_slug))
        if found is not None:
            quiz = _Quiz(found.id, found.pass_mark, found.partial_credit, found.time_limit_minutes)
    external = db.session.scalar(
        select(ExternalCourse.id).where(
            ExternalCourse.source == EXTERNAL_SOURCE, ExternalCourse.course_id == course.id
        )
    )
    if external is None:
        mapping = ExternalCourse(
            source=EXTERNAL_SOURCE,
            title=course.title_vi,
            key=" ".join(fold(course.title_vi).split()),
            course_id=course.id,
            active=True,
        )
        db.session.add(mapping)
        db.session.flush()
        external = mapping.id
    return _Plan(
        course_id=course.id,
        title=course.title_vi,
        course_hash=course.current_hash,
        validity_months=course.validity_months,
        version_id=version_id,
        lesson_keys=keys,
        quiz=quiz,
        external_id=external,
        assignment_id=assignment.id,
        starts_on=assignment.starts_on,
        due_days=assignment.due_days or RULES[course.audience].due_days,
        priority_due_days=assignment.priority_due_days,
        needs_priority=course.audience == Audience.PRIORITY
        or assignment.audience == TargetGroup.PRIORITY,
        needs_it=course.audience == Audience.IT_STAFF
        or assignment.audience == TargetGroup.IT_STAFF,
    )


class _Training:
    """Requirements as `assignments.requirements.refresh` would have opened and closed them day
    by day, then what each person did about each: completed on time or late, renewed or left
    to expire, started and stalled, or nothing."""

    def __init__(
        self, rng: random.Random, province: _Province, plans: list[_Plan], today: date
    ) -> None:
        self.rng, self.province, self.plans, self.today = rng, province, plans, today
        self.tops = province.tops()
        self.rows = _Rows(
            ClassroomSession,
            Attendance,
            Requirement,
            Attempt,
            AttemptResult,
            Completion,
            CompletionLog,
            LessonRead,
        )
        self.session_ids = count(_next_id(ClassroomSession))
        self.completion_ids = count(_next_id(Completion))
        self.attempt_ids = count(_next_id(Attempt))
        self.sessions: dict[tuple[int, int, int, int], tuple[int, date]] = {}
        self.code = _certificate_codes(rng)

    def run(self, people: Sequence[_Person]) -> Counter[type[Model]]:
        any_priority = any(plan.needs_priority for plan in self.plans)
        for person in people:
            active: list[Span] = [(person.hired, person.left_on)]
            priority = _priority_spans(person, self.province) if any_priority else []
            it_staff: list[Span] = [(person.it_from, None)] if person.it_from else []
            for plan in self.plans:
                spans = active
                if plan.needs_priority:
                    spans = _intersect(spans, priority)
                if plan.needs_it:
                    spans = _intersect(spans, it_staff)
                spans = _intersect(spans, [(plan.starts_on, None)])
                if spans:
                    due = self._require(person, plan, spans)
                    self._train(person, plan, spans[0][0], due)
        self.rows.flush()
        return self.rows.counts

    def _require(self, person: _Person, plan: _Plan, spans: list[Span]) -> date:
        """One row per span; the deadline counted from its start, shorter for someone who was
        priority staff that day (as `due_for_newcomers`). The first deadline."""
        dues = []
        for since, until in spans:
            window = plan.due_days
            shorter = plan.priority_due_days
            if shorter and shorter < window and person.is_priority_on(since, self.province):
                window = shorter
            due = since + timedelta(days=window)
            dues.append(due)
            self.rows.add(
                Requirement,
                {
                    "assignment_id": plan.assignment_id,
                    "person_id": person.id,
                    "course_id": plan.course_id,
                    "starts_on": since,
                    "due_on": due,
                    "ended_on": until,
                },
            )
        return dues[0]

    def _train(self, person: _Person, plan: _Plan, since: date, due: date) -> None:
        rng = self.rng
        last = person.left_on - timedelta(days=1) if person.left_on else self.today
        if since > last:
            return
        if rng.random() < DONE:
            if rng.random() < LATE:
                day = due + timedelta(days=rng.randint(1, 240))
            else:
                day = _between(rng, since, max(since, due))
            completed = False
            while day <= last:
                day = self._complete(person, plan, day, last)
                completed = True
                until = add_months(day, plan.validity_months)
                if until >= self.today or rng.random() >= RENEWED:
                    break
                if rng.random() < 0.5:  # renewed in time, or some weeks after it expired
                    day = until - timedelta(days=rng.randint(0, 30))
                else:
                    day = until + timedelta(days=rng.randint(1, 120))
            if completed:
                return
        if rng.random() < STARTED:
            self._start(person, plan, since, last)

    def _complete(self, person: _Person, plan: _Plan, day: date, last: date) -> date:
        """A completion, by the course's quiz mostly; in a session of the person's agency or
        district that month (the session's day becomes the completion's), by an officer's
        record, or on another platform. The day it was earned."""
        rng = self.rng
        draw = rng.random()
        if plan.quiz is not None:
            method = (
                CompletionMethod.QUIZ
                if draw < 0.86
                else CompletionMethod.IN_PERSON
                if draw < 0.95
                else CompletionMethod.MANUAL
                if draw < 0.98
                else CompletionMethod.EXTERNAL
            )
        else:
            method = (
                CompletionMethod.IN_PERSON
                if draw < 0.6
                else CompletionMethod.MANUAL
                if draw < 0.9
                else CompletionMethod.EXTERNAL
            )
        session_id: int | None = None
        logged = ""  # the completion log's reason: records outside the quiz are logged
        evidence: str | None = None
        if method == CompletionMethod.IN_PERSON:
            unit_id = person.unit_on(day) or person.unit_id
            session_id, held_on, logged = self._session(plan, self.tops[unit_id], day)
            if person.hired <= held_on <= last:
                day = held_on
                self.rows.add(
                    Attendance,
                    {"session_id": session_id, "person_id": person.id, "created_at": _at(day, 17)},
                )
            else:
                method, session_id = CompletionMethod.MANUAL, None
        if method == CompletionMethod.MANUAL:
            logged = "Đã học lớp tập huấn của đơn vị; ghi nhận theo danh sách ký tên."
            evidence = f"{rng.randint(10, 999)}/QĐ-{day.year}"
        elif method == CompletionMethod.EXTERNAL:
            logged = f"{EXTERNAL_SOURCE}: {plan.title}"
            evidence = f"BDHVS-{rng.randint(10**7, 10**8 - 1)}"
        completion_id = next(self.completion_ids)
        self.rows.add(
            Completion,
            {
                "id": completion_id,
                "person_id": person.id,
                "course_id": plan.course_id,
                "course_hash": plan.course_hash,
                "attempt_id": None,
                "method": method,
                "classroom_id": session_id,
                "external_course_id": plan.external_id
                if method == CompletionMethod.EXTERNAL
                else None,
                "recorded_by_id": None,
                "reason": logged if method == CompletionMethod.MANUAL else None,
                "evidence": evidence,
                "completed_on": day,
                "valid_until": add_months(day, plan.validity_months),
                "code": self.code(),
                "created_at": _at(day, 10 + rng.random() * 6),
                "revoked_at": None,
                "revoked_by_id": None,
            },
        )
        if logged:
            self.rows.add(
                CompletionLog,
                {
                    "completion_id": completion_id,
                    "action": CompletionAction.RECORDED,
                    "method": method,
                    "actor_id": None,
                    "person_id": person.id,
                    "course_id": plan.course_id,
                    "completed_on": day,
                    "reason": logged,
                    "evidence": evidence,
                    "at": _at(day, 17),
                },
            )
        return day

    def _session(self, plan: _Plan, unit_id: int, day: date) -> tuple[int, date, str]:
        """One session per course, agency or district and month, held the first day someone
        there needed one."""
        key = (plan.course_id, unit_id, day.year, day.month)
        found = self.sessions.get(key)
        if found is None:
            found = self.sessions[key] = (next(self.session_ids), day)
            place = f"Hội trường {self.province.by_id[unit_id].name}"
            trainer = "Trung tâm Công nghệ thông tin (dữ liệu thử nghiệm)"
            self.rows.add(
                ClassroomSession,
                {
                    "id": found[0],
                    "course_id": plan.course_id,
                    "unit_id": unit_id,
                    "held_on": day,
                    "place": place,
                    "trainer": trainer,
                    "attendance_completes": True,
                    "created_by_id": None,
                    "created_at": _at(day, 7),
                },
            )
        session_id, held_on = found
        unit = self.province.by_id[unit_id]
        summary = (
            f"{held_on:%d/%m/%Y} · Hội trường {unit.name} · "
            "Trung tâm Công nghệ thông tin (dữ liệu thử nghiệm)"
        )
        return session_id, held_on, summary

    def _start(self, person: _Person, plan: _Plan, since: date, last: date) -> None:
        """Started and stalled: a quiz failed, or the first lessons read."""
        rng = self.rng
        day = _between(rng, since, last)
        if plan.quiz is not None and (rng.random() < 1 / 3 or not plan.lesson_keys):
            quiz = plan.quiz
            attempt_id = next(self.attempt_ids)
            started_at = _at(day, 8 + rng.random() * 9)
            limit = quiz.time_limit_minutes
            self.rows.add(
                Attempt,
                {
                    "id": attempt_id,
                    "person_id": person.id,
                    "quiz_id": quiz.id,
                    "course_id": plan.course_id,
                    "course_hash": plan.course_hash,
                    "validity_months": plan.validity_months,
                    "pass_mark": quiz.pass_mark,
                    "partial_credit": quiz.partial_credit,
                    "started_at": started_at,
                    "started_on": day,
                    "day_seq": 1,
                    "open_slot": None,
                    "deadline_at": started_at + timedelta(minutes=limit) if limit else None,
                    "expired_at": None,
                    "items": [],
                },
            )
            self.rows.add(
                AttemptResult,
                {
                    "attempt_id": attempt_id,
                    "score": rng.randint(20, max(20, quiz.pass_mark - 1)),
                    "passed": False,
                    "answers": [],
                    "graded_at": started_at + timedelta(minutes=12),
                },
            )
            return
        if not plan.lesson_keys or plan.version_id is None:
            return
        read = plan.lesson_keys[: rng.randint(1, max(1, len(plan.lesson_keys) - 1))]
        for key in read:
            self.rows.add(
                LessonRead,
                {
                    "person_id": person.id,
                    "course_id": plan.course_id,
                    "lesson_key": key,
                    "version_id": plan.version_id,
                    "read_at": _at(day, 8 + rng.random() * 9),
                },
            )
            day = min(last, day + timedelta(days=rng.randint(0, 6)))


# --- the whole -----------------------------------------------------------------------------------


def generate(staff: int, units: int, courses: int, seed: int, *, today: date) -> Summary:
    """Write a province of `staff` people in `units` units trained in `courses` courses over
    the two years before `today`; flushes, never commits. Refuses (KhienError, nothing
    written) a database with real records or earlier bench data."""
    reason = refuse_reason()
    if reason is not None:
        raise KhienError(reason)
    if has_bench_data():
        raise KhienError("This database already holds bench data: remove it first (--replace).")
    if staff < 10 or units < 15 or courses < 1:
        raise KhienError("Ask for at least 10 staff, 15 units and 1 course.")
    rng = random.Random(seed)  # noqa: S311 - invented data, not secrets
    start = today - timedelta(days=HISTORY_DAYS)
    province = _Province(_plan_tree(rng, units, _next_id(Unit), start), start)
    _reshape(province, rng, today)
    people = _plan_people(rng, staff, _next_id(Person), province, today)
    _choose_key_departments(rng, province, people)
    org = _write_org(rng, province, people)
    plans, created = _plan_courses(courses, start, today)
    training = _Training(rng, province, plans, today).run(people)
    _advance_sequences(Unit, Person, ClassroomSession, Completion, Attempt)
    active = [p for p in people if p.left_on is None]
    return Summary(
        units=len(province.units),
        retired_units=sum(1 for u in province.units if u.retired_on is not None),
        key_departments=sum(1 for u in province.units if u.is_key),
        placements=org[UnitPlacement],
        unit_events=org[UnitEvent],
        people=len(people),
        inactive_people=len(people) - len(active),
        priority_staff=sum(1 for p in active if p.is_priority_on(today, province)),
        memberships=org[Membership],
        flag_periods=org[PersonFlagPeriod],
        courses=len(plans),
        courses_created=created,
        assignments=len({plan.assignment_id for plan in plans}),
        requirements=training[Requirement],
        completions=training[Completion],
        lesson_reads=training[LessonRead],
        attempts=training[Attempt],
        classroom_sessions=training[ClassroomSession],
    )
