"""A demo province for trying the site: An Giang as provinces are shaped since 1 July 2025
(province and commune levels, no districts), with the agencies a training programme deals with.

Everything here is illustrative: the people are invented, generated from a fixed seed so every
run produces the same names, and their e-mail addresses use a reserved domain.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from training.extensions import db
from training.org.models import Person, Role, Unit, UnitKind
from training.org.people import PersonData, create_person
from training.org.units import add_unit, get_unit_by_code
from training.passwords import hash_password
from training.text import fold

DEMO_PASSWORD = "khien-demo-2026"  # noqa: S105 - printed for the demo, refused in production
ROOT_CODE = "AG"
EMAIL_DOMAIN = "demo.khien.example"

K = UnitKind
# code, name, kind, parent code, key department
UNITS: tuple[tuple[str, str, UnitKind, str | None, bool], ...] = (
    ("AG", "Tỉnh An Giang", K.PROVINCE, None, False),
    ("VPUB", "Văn phòng Ủy ban nhân dân tỉnh", K.AGENCY, "AG", False),
    ("VPUB-TH", "Phòng Tổng hợp", K.DIVISION, "VPUB", True),
    ("VPUB-HCTC", "Phòng Hành chính - Tổ chức", K.DIVISION, "VPUB", False),
    ("SKHCN", "Sở Khoa học và Công nghệ", K.AGENCY, "AG", False),
    ("SKHCN-VP", "Văn phòng Sở", K.DIVISION, "SKHCN", False),
    ("SKHCN-CNTT", "Phòng Công nghệ thông tin và Chuyển đổi số", K.DIVISION, "SKHCN", True),
    ("SKHCN-TTCDS", "Trung tâm Chuyển đổi số", K.PUBLIC_SERVICE_UNIT, "SKHCN", False),
    ("SNV", "Sở Nội vụ", K.AGENCY, "AG", False),
    ("SNV-VP", "Văn phòng Sở", K.DIVISION, "SNV", False),
    ("SNV-TCBC", "Phòng Tổ chức - Biên chế", K.DIVISION, "SNV", True),
    ("STC", "Sở Tài chính", K.AGENCY, "AG", False),
    ("STC-VP", "Văn phòng Sở", K.DIVISION, "STC", False),
    ("STC-NS", "Phòng Quản lý ngân sách", K.DIVISION, "STC", True),
    ("CAT", "Công an tỉnh", K.AGENCY, "AG", False),
    (
        "CAT-PA05",
        "Phòng An ninh mạng và phòng, chống tội phạm sử dụng công nghệ cao",
        K.DIVISION,
        "CAT",
        True,
    ),
    ("BVDK", "Bệnh viện Đa khoa tỉnh", K.PUBLIC_SERVICE_UNIT, "AG", False),
    ("BVDK-KHTH", "Phòng Kế hoạch tổng hợp", K.DIVISION, "BVDK", False),
    ("XSKT", "Công ty TNHH MTV Xổ số kiến thiết tỉnh", K.STATE_ENTERPRISE, "AG", False),
    ("XSKT-KT", "Phòng Kế toán", K.DIVISION, "XSKT", False),
    ("P-RACHGIA", "Phường Rạch Giá", K.WARD, "AG", False),
    ("P-RACHGIA-VP", "Văn phòng HĐND và UBND", K.DIVISION, "P-RACHGIA", True),
    ("P-RACHGIA-KT", "Phòng Kinh tế, Hạ tầng và Đô thị", K.DIVISION, "P-RACHGIA", False),
    ("P-LONGXUYEN", "Phường Long Xuyên", K.WARD, "AG", False),
    ("P-LONGXUYEN-VP", "Văn phòng HĐND và UBND", K.DIVISION, "P-LONGXUYEN", True),
    ("X-HONDAT", "Xã Hòn Đất", K.COMMUNE, "AG", False),
    ("X-HONDAT-VP", "Văn phòng HĐND và UBND", K.DIVISION, "X-HONDAT", False),
    ("X-HONDAT-VHXH", "Phòng Văn hóa - Xã hội", K.DIVISION, "X-HONDAT", False),
    ("DK-PHUQUOC", "Đặc khu Phú Quốc", K.SPECIAL_ZONE, "AG", False),
    ("DK-PHUQUOC-VP", "Văn phòng HĐND và UBND", K.DIVISION, "DK-PHUQUOC", True),
    ("DK-PHUQUOC-KT", "Phòng Kinh tế", K.DIVISION, "DK-PHUQUOC", False),
)

# One IT officer per agency, placed in the agency itself: an officer manages their own unit
# and everything below it.
OFFICER_UNITS = (
    "VPUB",
    "SKHCN",
    "SNV",
    "STC",
    "CAT",
    "BVDK",
    "XSKT",
    "P-RACHGIA",
    "P-LONGXUYEN",
    "X-HONDAT",
    "DK-PHUQUOC",
)


@dataclass(frozen=True)
class NamedPerson:
    username: str
    full_name: str
    unit: str
    role: Role
    position: str
    drafts_classified: bool = False
    is_it_staff: bool = False


NAMED_PEOPLE = (
    NamedPerson(
        "quantri",
        "Nguyễn Thành Đạt",
        "SKHCN-CNTT",
        Role.ICT_ADMIN,
        "Trưởng phòng",
        is_it_staff=True,
    ),
    NamedPerson(
        "hanh.tran",
        "Trần Thị Mỹ Hạnh",
        "VPUB-TH",
        Role.LEARNER,
        "Chuyên viên",
        drafts_classified=True,
    ),
    NamedPerson("khang.le", "Lê Minh Khang", "P-RACHGIA-KT", Role.LEARNER, "Chuyên viên"),
)

FAMILY = (
    "Nguyễn",
    "Trần",
    "Lê",
    "Phạm",
    "Huỳnh",
    "Võ",
    "Phan",
    "Trương",
    "Đặng",
    "Bùi",
    "Đỗ",
    "Hồ",
    "Ngô",
    "Dương",
    "Lâm",
    "Danh",
    "Thạch",
    "Lý",
    "Châu",
    "Tô",
)
MIDDLE_M = ("Văn", "Minh", "Quốc", "Hữu", "Đức", "Thanh", "Công", "Hoàng", "Tấn")
MIDDLE_F = ("Thị", "Ngọc", "Thanh", "Thu", "Kim", "Mỹ", "Bích", "Hồng", "Thúy")
GIVEN_M = (
    "Hùng",
    "Dũng",
    "Tuấn",
    "Phúc",
    "Trung",
    "Hải",
    "Sơn",
    "Long",
    "Tài",
    "Nghĩa",
    "Thắng",
    "Lộc",
    "Hiếu",
    "Quang",
    "Vinh",
    "Toàn",
    "Bảo",
    "Nhân",
)
GIVEN_F = (
    "Lan",
    "Trang",
    "Ngân",
    "Thảo",
    "Phương",
    "Yến",
    "Hương",
    "Nhung",
    "Diễm",
    "Tuyết",
    "Vy",
    "Loan",
    "My",
    "Hà",
    "Linh",
    "Oanh",
    "Quyên",
    "Châu",
)
POSITIONS = (
    "Chuyên viên",
    "Chuyên viên",
    "Chuyên viên chính",
    "Phó Trưởng phòng",
    "Văn thư",
    "Kế toán viên",
)
LEARNERS_PER_DIVISION = 3


@dataclass(frozen=True)
class DemoLogin:
    role: Role
    username: str
    full_name: str
    unit_name: str
    is_priority: bool


def _username(full_name: str, taken: set[str]) -> str:
    """Given name then the initials of the rest, as many Vietnamese agencies do: hanhtt."""
    parts = fold(full_name).split()
    base = parts[-1] + "".join(p[0] for p in parts[:-1])
    candidate, n = base, 1
    while candidate in taken:
        n += 1
        candidate = f"{base}{n}"
    taken.add(candidate)
    return candidate


def _generated_name(rng: random.Random) -> str:
    if rng.random() < 0.5:
        return f"{rng.choice(FAMILY)} {rng.choice(MIDDLE_M)} {rng.choice(GIVEN_M)}"
    return f"{rng.choice(FAMILY)} {rng.choice(MIDDLE_F)} {rng.choice(GIVEN_F)}"


def seed_demo_province(*, today: date) -> bool:
    """Create the demo province unless it is there already; True if it was created."""
    if get_unit_by_code(ROOT_CODE) is not None:
        return False
    units: dict[str, Unit] = {}
    for code, name, kind, parent, key in UNITS:
        units[code] = add_unit(
            code,
            name,
            kind=kind,
            parent=units.get(parent or ""),
            is_key_department=key,
            today=today,
        )
    password_hash = hash_password(DEMO_PASSWORD)  # one hash for all: seeding stays fast
    taken = {p.username for p in NAMED_PEOPLE}
    serial = iter(range(10001, 99999))

    def add(data: PersonData) -> None:
        data.employee_id = f"AG-{next(serial)}"
        data.email = f"{data.username}@{EMAIL_DOMAIN}"
        create_person(data, actor=None, password=None, today=today).password_hash = password_hash

    for named in NAMED_PEOPLE:
        add(
            PersonData(
                username=named.username,
                full_name=named.full_name,
                unit=units[named.unit],
                role=named.role,
                position=named.position,
                drafts_classified=named.drafts_classified,
                is_it_staff=named.is_it_staff,
            )
        )
    rng = random.Random(288)  # noqa: S311 - demo names, not secrets
    for agency in OFFICER_UNITS:
        add(
            PersonData(
                username=f"cntt.{agency.lower()}",
                full_name=_generated_name(rng),
                unit=units[agency],
                role=Role.UNIT_OFFICER,
                position="Chuyên viên công nghệ thông tin",
                is_it_staff=True,
            )
        )
    for code, _name, kind, _parent, key in UNITS:
        if kind not in (K.DIVISION, K.PUBLIC_SERVICE_UNIT):
            continue
        for index in range(LEARNERS_PER_DIVISION):
            full_name = _generated_name(rng)
            position = rng.choice(POSITIONS)
            add(
                PersonData(
                    username=_username(full_name, taken),
                    full_name=full_name,
                    unit=units[code],
                    position=position,
                    drafts_classified=key and (index == 0 or position == "Văn thư"),
                )
            )
    return True


def demo_logins() -> list[DemoLogin]:
    """The accounts worth showing a newcomer: the admin, every officer, two learners."""
    names = [p.username for p in NAMED_PEOPLE] + [f"cntt.{a.lower()}" for a in OFFICER_UNITS]
    people = db.session.scalars(select(Person).where(Person.username.in_(names))).all()
    order = {name: i for i, name in enumerate(names)}
    rank = {Role.ICT_ADMIN: 0, Role.UNIT_OFFICER: 1, Role.LEARNER: 2}
    return [
        DemoLogin(p.role, p.username, p.full_name, p.unit.name, p.is_priority)
        for p in sorted(people, key=lambda p: (rank[p.role], order[p.username]))
    ]
