"""A demo province for trying the site: An Giang as provinces are shaped since 1 July 2025
(province and commune levels, no districts), with the agencies a training programme deals with,
reached through the real reorganisations of 2025 so that the history pages and the tree of a
past day have something true to show:

- from 01/01/2024 (where the demo's records begin) Kiên Giang has its agencies, among them the
  Sở Thông tin và Truyền thông with its divisions and staff, and its districts (Thành phố Rạch
  Giá, Thành phố Phú Quốc, Huyện Hòn Đất); An Giang has Thành phố Long Xuyên;
- on 01/03/2025 the Sở Thông tin và Truyền thông merges into the Sở Khoa học và Công nghệ: its
  IT division and its office merge into the department's new IT division and its office, and
  its centre follows into the department under its own name;
- on 01/07/2025 the wards, commune and special zone are created, the district staff move to
  them, the districts are retired, and Kiên Giang merges into An Giang: its agencies follow.

The demo follows the Kiên Giang side (the merged province's centre is in Rạch Giá); the former
An Giang's own agencies are not modelled. Division names and the people are illustrative: the
people are invented, generated from a fixed seed so every run produces the same names, and their
e-mail addresses use a reserved domain.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from training.clock import utcnow
from training.extensions import db
from training.org.models import Person, Role, Unit, UnitKind
from training.org.people import PersonData, create_person
from training.org.province import SettingChange, save_settings
from training.org.units import (
    add_unit,
    get_unit_by_code,
    merge_unit,
    move_person_to_unit,
    retire_unit,
)
from training.passwords import hash_password
from training.text import fold

DEMO_PASSWORD = "khien-demo-2026"  # noqa: S105 - printed for the demo, refused in production
ROOT_CODE = "AG"
EMAIL_DOMAIN = "demo.khien.example"

K = UnitKind
RECORDS_BEGIN = date(2024, 1, 1)  # where the demo's history starts
STTTT_MERGER = date(2025, 3, 1)  # Sở TT&TT into Sở KH&CN, nationwide
TWO_LEVEL = date(2025, 7, 1)  # provinces merged, districts abolished

# code, name, kind, parent code, key department: the units standing on RECORDS_BEGIN
UNITS: tuple[tuple[str, str, UnitKind, str | None, bool], ...] = (
    ("KG", "Tỉnh Kiên Giang", K.PROVINCE, None, False),
    ("VPUB", "Văn phòng Ủy ban nhân dân tỉnh", K.AGENCY, "KG", False),
    ("VPUB-TH", "Phòng Tổng hợp", K.DIVISION, "VPUB", True),
    ("VPUB-HCTC", "Phòng Hành chính - Tổ chức", K.DIVISION, "VPUB", False),
    ("SKHCN", "Sở Khoa học và Công nghệ", K.AGENCY, "KG", False),
    ("SKHCN-VP", "Văn phòng Sở", K.DIVISION, "SKHCN", False),
    ("STTTT", "Sở Thông tin và Truyền thông", K.AGENCY, "KG", False),
    ("STTTT-VP", "Văn phòng Sở", K.DIVISION, "STTTT", False),
    ("STTTT-CNTT", "Phòng Công nghệ thông tin", K.DIVISION, "STTTT", True),
    (
        "STTTT-TTCNTT",
        "Trung tâm Công nghệ thông tin và Truyền thông",
        K.PUBLIC_SERVICE_UNIT,
        "STTTT",
        False,
    ),
    ("SNV", "Sở Nội vụ", K.AGENCY, "KG", False),
    ("SNV-VP", "Văn phòng Sở", K.DIVISION, "SNV", False),
    ("SNV-TCBC", "Phòng Tổ chức - Biên chế", K.DIVISION, "SNV", True),
    ("STC", "Sở Tài chính", K.AGENCY, "KG", False),
    ("STC-VP", "Văn phòng Sở", K.DIVISION, "STC", False),
    ("STC-NS", "Phòng Quản lý ngân sách", K.DIVISION, "STC", True),
    ("CAT", "Công an tỉnh", K.AGENCY, "KG", False),
    (
        "CAT-PA05",
        "Phòng An ninh mạng và phòng, chống tội phạm sử dụng công nghệ cao",
        K.DIVISION,
        "CAT",
        True,
    ),
    ("BVDK", "Bệnh viện Đa khoa tỉnh", K.PUBLIC_SERVICE_UNIT, "KG", False),
    ("BVDK-KHTH", "Phòng Kế hoạch tổng hợp", K.DIVISION, "BVDK", False),
    ("XSKT", "Công ty TNHH MTV Xổ số kiến thiết tỉnh", K.STATE_ENTERPRISE, "KG", False),
    ("XSKT-KT", "Phòng Kế toán", K.DIVISION, "XSKT", False),
    ("TP-RACHGIA", "Thành phố Rạch Giá", K.DISTRICT, "KG", False),
    ("TP-RACHGIA-VP", "Văn phòng HĐND và UBND", K.DIVISION, "TP-RACHGIA", True),
    ("TP-RACHGIA-QLDT", "Phòng Quản lý đô thị", K.DIVISION, "TP-RACHGIA", False),
    ("H-HONDAT", "Huyện Hòn Đất", K.DISTRICT, "KG", False),
    ("H-HONDAT-VP", "Văn phòng HĐND và UBND", K.DIVISION, "H-HONDAT", False),
    ("H-HONDAT-VHTT", "Phòng Văn hóa và Thông tin", K.DIVISION, "H-HONDAT", False),
    ("TP-PHUQUOC", "Thành phố Phú Quốc", K.DISTRICT, "KG", False),
    ("TP-PHUQUOC-VP", "Văn phòng HĐND và UBND", K.DIVISION, "TP-PHUQUOC", True),
    ("TP-PHUQUOC-KT", "Phòng Kinh tế", K.DIVISION, "TP-PHUQUOC", False),
    ("AG", "Tỉnh An Giang", K.PROVINCE, None, False),
    ("TP-LONGXUYEN", "Thành phố Long Xuyên", K.DISTRICT, "AG", False),
    ("TP-LONGXUYEN-VP", "Văn phòng HĐND và UBND", K.DIVISION, "TP-LONGXUYEN", True),
)

# On STTTT_MERGER the department gets a new IT division; the merged department's office and IT
# division merge into the department's, the same day (so they never stand under it).
UNITS_STTTT_MERGER: tuple[tuple[str, str, UnitKind, str | None, bool], ...] = (
    ("SKHCN-CNTT", "Phòng Công nghệ thông tin và Chuyển đổi số", K.DIVISION, "SKHCN", True),
)
STTTT_DIVISIONS_MERGED = (("STTTT-VP", "SKHCN-VP"), ("STTTT-CNTT", "SKHCN-CNTT"))

UNITS_TWO_LEVEL: tuple[tuple[str, str, UnitKind, str | None, bool], ...] = (
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
# Where each district unit's staff went on TWO_LEVEL; each is then retired (divisions first:
# a unit with active sub-units cannot retire).
DISTRICT_STAFF_MOVED = (
    ("TP-RACHGIA-VP", "P-RACHGIA-VP"),
    ("TP-RACHGIA-QLDT", "P-RACHGIA-KT"),
    ("TP-RACHGIA", "P-RACHGIA"),
    ("H-HONDAT-VP", "X-HONDAT-VP"),
    ("H-HONDAT-VHTT", "X-HONDAT-VHXH"),
    ("H-HONDAT", "X-HONDAT"),
    ("TP-PHUQUOC-VP", "DK-PHUQUOC-VP"),
    ("TP-PHUQUOC-KT", "DK-PHUQUOC-KT"),
    ("TP-PHUQUOC", "DK-PHUQUOC"),
    ("TP-LONGXUYEN-VP", "P-LONGXUYEN-VP"),
    ("TP-LONGXUYEN", "P-LONGXUYEN"),
)
FORMER_UNIT = {new: old for old, new in DISTRICT_STAFF_MOVED}

# One IT officer per agency, placed in the agency itself: an officer manages their own unit
# and everything below it. The officers of the wards, commune and special zone served the
# district before (FORMER_UNIT) and moved with its staff.
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
        "STTTT-CNTT",  # in SKHCN-CNTT since the merger
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
    NamedPerson(  # in P-RACHGIA-KT since the districts went
        "khang.le", "Lê Minh Khang", "TP-RACHGIA-QLDT", Role.LEARNER, "Chuyên viên"
    ),
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
HEAD_POSITION = "Trưởng phòng"
# What the province publishes, filled into the lessons: every value is invented and says so,
# so nobody reports a real incident to a demo address. The phone number cannot be dialled.
DEMO_SETTINGS = {
    "name": SettingChange("tỉnh An Giang (demo)", "An Giang province (demo)"),
    "incident_body": SettingChange(
        "Đầu mối tiếp nhận sự cố mẫu (demo)", "Sample incident contact point (demo)"
    ),
    "incident_phone": SettingChange("000 000 0000"),
    "incident_email": SettingChange(f"bao-su-co@{EMAIL_DOMAIN}"),
    "incident_form": SettingChange("https://baocaosuco.angiang-demo.example/"),
    "security_body": SettingChange(
        "Công an tỉnh — đầu mối an ninh mạng mẫu (demo)",
        "Provincial Police — sample network-security contact (demo)",
    ),
    "signature_body": SettingChange(
        "Đầu mối chữ ký số mẫu (demo)", "Sample digital-signature contact (demo)"
    ),
    "document_system": SettingChange(
        "Hệ thống quản lý văn bản và điều hành mẫu (demo)",
        "Sample document-management system (demo)",
    ),
    "document_system_url": SettingChange("https://vanban.angiang-demo.example/"),
    "mail_system": SettingChange(
        "Hệ thống thư điện tử công vụ mẫu (demo)", "Sample official mail system (demo)"
    ),
    "mail_domain": SettingChange(EMAIL_DOMAIN),  # the demo staff's own addresses
    "ict_department": SettingChange(
        "Đơn vị phụ trách công nghệ thông tin mẫu (demo)", "Sample provincial ICT body (demo)"
    ),
}


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


def _add_units(
    units: dict[str, Unit], rows: tuple[tuple[str, str, UnitKind, str | None, bool], ...], on: date
) -> None:
    for code, name, kind, parent, key in rows:
        units[code] = add_unit(
            code,
            name,
            kind=kind,
            parent=units[parent] if parent else None,
            is_key_department=key,
            today=on,
        )


def _people_of(unit: Unit) -> list[Person]:
    return list(db.session.scalars(select(Person).where(Person.unit_id == unit.id)))


def _merge_information_department(units: dict[str, Unit]) -> None:
    """01/03/2025: the Sở TT&TT folds into the Sở KH&CN through the same services an
    administrator would use, so its history reads as a real merger would."""
    _add_units(units, UNITS_STTTT_MERGER, STTTT_MERGER)
    merge_unit(units["STTTT"], units["SKHCN"], today=STTTT_MERGER)
    for old, new in STTTT_DIVISIONS_MERGED:
        merge_unit(units[old], units[new], today=STTTT_MERGER)


def _abolish_districts(units: dict[str, Unit]) -> None:
    """01/07/2025: wards, commune and special zone take over from the districts, whose staff
    move to them; then Kiên Giang merges into An Giang and its agencies follow."""
    _add_units(units, UNITS_TWO_LEVEL, TWO_LEVEL)
    for old, new in DISTRICT_STAFF_MOVED:
        for person in _people_of(units[old]):
            move_person_to_unit(person, units[new], today=TWO_LEVEL)
        retire_unit(units[old], today=TWO_LEVEL)
    merge_unit(units["KG"], units[ROOT_CODE], today=TWO_LEVEL)


def seed_demo_province(*, today: date) -> bool:
    """Create the demo province unless it is there already; True if it was created.

    The province is built as it stood on RECORDS_BEGIN, then taken through the reorganisations
    that had taken effect by `today`, each on its real date."""
    if get_unit_by_code(ROOT_CODE) is not None:
        return False
    units: dict[str, Unit] = {}
    _add_units(units, UNITS, RECORDS_BEGIN)
    password_hash = hash_password(DEMO_PASSWORD)  # one hash for all: seeding stays fast
    taken = {p.username for p in NAMED_PEOPLE}
    serial = iter(range(10001, 99999))

    def add(data: PersonData) -> None:
        data.employee_id = f"AG-{next(serial)}"
        data.email = f"{data.username}@{EMAIL_DOMAIN}"
        person = create_person(data, actor=None, password=None, today=RECORDS_BEGIN)
        person.password_hash = password_hash

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
                unit=units[FORMER_UNIT.get(agency, agency)],
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
            head = index == LEARNERS_PER_DIVISION - 1  # the heads' course needs its audience
            add(
                PersonData(
                    username=_username(full_name, taken),
                    full_name=full_name,
                    unit=units[code],
                    position=HEAD_POSITION if head else position,
                    drafts_classified=key and (index == 0 or position == "Văn thư"),
                    is_unit_head=head,
                )
            )
    save_settings(DEMO_SETTINGS, actor=None, now=utcnow())
    if today >= STTTT_MERGER:
        _merge_information_department(units)
    if today >= TWO_LEVEL:
        _abolish_districts(units)
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
