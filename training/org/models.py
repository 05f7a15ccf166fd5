"""The organisation: units in a tree, people in units, and the dated history of both.

Reorganisations are routine in Vietnamese public administration (provinces merged and the district
level abolished on 1 July 2025; the Departments of Information and Communications folded into
Science and Technology on 1 March 2025). So nothing here is edited in place when it has a history:
a move closes one dated row and opens another, and reports can ask "who was where on that date".
"""

from __future__ import annotations

import enum
from datetime import date, datetime

from flask_login import UserMixin
from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, WriteOnlyMapped, mapped_column, relationship

from training.clock import utcnow
from training.db import UTCDateTime, str_enum
from training.extensions import Model


class UnitKind(enum.StrEnum):
    PROVINCE = "province"
    AGENCY = "agency"  # sở, ban, ngành; the Provincial Police
    PUBLIC_SERVICE_UNIT = "public_service_unit"
    STATE_ENTERPRISE = "state_enterprise"
    COMMUNE = "commune"
    WARD = "ward"
    SPECIAL_ZONE = "special_zone"
    DIVISION = "division"  # phòng, ban, trung tâm inside any of the above
    # huyện, thị xã, thành phố thuộc tỉnh: abolished on 1 July 2025, kept for the history
    DISTRICT = "district"


class Role(enum.StrEnum):
    LEARNER = "learner"
    UNIT_OFFICER = "unit_officer"
    ICT_ADMIN = "ict_admin"


class PersonFlag(enum.StrEnum):
    DRAFTS_CLASSIFIED = "drafts_classified"
    IT_STAFF = "it_staff"
    UNIT_HEAD = "unit_head"
    # Not a role but an absence: from deactivation to reactivation. Reports count a person as
    # staff on a day only outside these periods.
    INACTIVE = "inactive"


class UnitEventKind(enum.StrEnum):
    CREATED = "created"
    RENAMED = "renamed"
    MOVED = "moved"
    MERGED = "merged"
    RETIRED = "retired"
    KEY_FLAG = "key_flag"


class Unit(Model):
    """A node of the organisation tree.

    `path` is the chain of ids from the root ("/1/4/9/"): scope checks and subtree lists become
    one indexed prefix comparison in SQL on both databases, instead of a recursive walk.
    """

    __tablename__ = "units"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[UnitKind] = mapped_column(str_enum(UnitKind))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), index=True)
    path: Mapped[str] = mapped_column(String(400), index=True)
    is_key_department: Mapped[bool] = mapped_column(default=False)
    # It or an ancestor is a key department: derived from the tree before each commit that
    # changed it (`org/changes.py`), so priority today is a column, not a walk up the tree.
    in_key_subtree: Mapped[bool] = mapped_column(default=False, server_default=text("false"))
    retired_on: Mapped[date | None]
    # The official headcount (biên chế): a roster holding fewer active people than this is
    # incomplete, and its coverage flatters the unit. None: not known.
    official_headcount: Mapped[int | None]
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    parent: Mapped[Unit | None] = relationship(remote_side=[id], foreign_keys=[parent_id])
    merged_into: Mapped[Unit | None] = relationship(remote_side=[id], foreign_keys=[merged_into_id])
    events: WriteOnlyMapped[UnitEvent] = relationship(
        back_populates="unit", order_by="UnitEvent.id"
    )

    @property
    def is_active(self) -> bool:
        return self.retired_on is None

    @property
    def depth(self) -> int:
        return self.path.count("/") - 2

    def __repr__(self) -> str:
        return f"<Unit {self.code}>"


class UnitEvent(Model):
    """One change to a unit, kept forever: the audit trail of reorganisations."""

    __tablename__ = "unit_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    kind: Mapped[UnitEventKind] = mapped_column(str_enum(UnitEventKind))
    effective_on: Mapped[date]
    old_value: Mapped[str | None] = mapped_column(String(400))
    new_value: Mapped[str | None] = mapped_column(String(400))
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    unit: Mapped[Unit] = relationship(back_populates="events")


class UnitKeyPeriod(Model):
    """When a unit was a key department: priority on a past date depends on it (D2)."""

    __tablename__ = "unit_key_periods"
    __table_args__ = (CheckConstraint("valid_to IS NULL OR valid_to >= valid_from", name="dates"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    valid_from: Mapped[date]
    valid_to: Mapped[date | None]


class UnitPlacement(Model):
    """Where a unit stood in the tree, and under which name, from one day to another.

    `Unit.parent_id`, `path` and `name` answer for today (scope checks are one prefix test);
    these rows answer for any day, so "the Department of Information and Communications with
    its divisions, as of 2024" survives its merger. Like `Membership`, `valid_to` is exclusive:
    it is the day the next row begins, so a row holds on `valid_from <= day < valid_to`.
    A change made the same day as the last one rewrites that row instead of leaving one that
    never held; the unique (unit, valid_from) and the single open row per unit enforce that.
    """

    __tablename__ = "unit_placements"
    __table_args__ = (
        CheckConstraint("valid_to IS NULL OR valid_to >= valid_from", name="dates"),
        UniqueConstraint("unit_id", "valid_from", name="uq_unit_placements_unit_from"),
        Index(
            "uq_unit_placements_open",
            "unit_id",
            unique=True,
            sqlite_where=text("valid_to IS NULL"),
            postgresql_where=text("valid_to IS NULL"),
        ),
        Index("ix_unit_placements_parent_dates", "parent_id", "valid_from", "valid_to"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))
    name: Mapped[str] = mapped_column(String(200))
    valid_from: Mapped[date]
    valid_to: Mapped[date | None]


class Person(UserMixin, Model):
    """A member of staff, who is also the account that signs in.

    `unit_id`, `drafts_classified`, `is_it_staff` and `is_unit_head` hold the *current* values
    for the many list and scope queries; `Membership` and `PersonFlagPeriod` hold the dated
    history. Only the org services change them, always both together.
    """

    __tablename__ = "people"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    full_name: Mapped[str] = mapped_column(String(200))
    search_key: Mapped[str] = mapped_column(String(400), index=True)
    email: Mapped[str | None] = mapped_column(String(254))
    employee_id: Mapped[str | None] = mapped_column(String(32), unique=True)
    position: Mapped[str | None] = mapped_column(String(200))
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    role: Mapped[Role] = mapped_column(str_enum(Role), default=Role.LEARNER)
    active: Mapped[bool] = mapped_column(default=True)
    drafts_classified: Mapped[bool] = mapped_column(default=False)
    is_it_staff: Mapped[bool] = mapped_column(default=False)
    is_unit_head: Mapped[bool] = mapped_column(default=False, server_default=text("false"))
    password_hash: Mapped[str | None] = mapped_column(String(255))
    locale: Mapped[str | None] = mapped_column(String(8))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Part of every session's user id: bumping it (sign-out, password change or reset,
    # deactivation) ends every session issued before, on every device.
    session_version: Mapped[int] = mapped_column(default=0, server_default="0")

    unit: Mapped[Unit] = relationship()
    memberships: WriteOnlyMapped[Membership] = relationship(
        back_populates="person", order_by="Membership.valid_from"
    )

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive accounts
        return self.active

    def get_id(self) -> str:
        """What Flask-Login keeps in the session: the id and the session version together, so
        a session issued before the version was bumped no longer names anyone."""
        return f"{self.id}.{self.session_version}"

    @property
    def is_priority(self) -> bool:
        """D2: training goes first to those who draft secret documents or work in important
        departments."""
        return self.drafts_classified or self.in_key_department

    @property
    def in_key_department(self) -> bool:
        """In a key department or any unit below one: a division of a key department handles
        the same documents."""
        return self.unit.is_key_department or self.unit.in_key_subtree

    def has_role(self, *roles: Role) -> bool:
        return self.role in roles

    def __repr__(self) -> str:
        return f"<Person {self.username}>"


class Membership(Model):
    """Where a person sat, and when: a move or a merger closes this row and opens another."""

    __tablename__ = "memberships"
    __table_args__ = (
        CheckConstraint("valid_to IS NULL OR valid_to >= valid_from", name="dates"),
        Index("ix_memberships_unit_dates", "unit_id", "valid_from", "valid_to"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    valid_from: Mapped[date]
    valid_to: Mapped[date | None]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    person: Mapped[Person] = relationship(back_populates="memberships")
    unit: Mapped[Unit] = relationship()


class PersonFlagPeriod(Model):
    """When a person carried a flag (classified drafter, IT staff)."""

    __tablename__ = "person_flag_periods"
    __table_args__ = (CheckConstraint("valid_to IS NULL OR valid_to >= valid_from", name="dates"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    flag: Mapped[PersonFlag] = mapped_column(str_enum(PersonFlag))
    valid_from: Mapped[date]
    valid_to: Mapped[date | None]


class ProvinceSetting(Model):
    """One thing the province publishes for its staff (where to report an incident, the name
    of its document system …), filled into lessons and questions wherever they write
    `{{province.NAME}}`. A row exists only for a setting that has a value: clearing one deletes
    it, and the pages show a neutral notice in its place."""

    __tablename__ = "province_settings"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    value: Mapped[str] = mapped_column(Text)
    value_en: Mapped[str | None] = mapped_column(Text)  # bodies and systems have English names
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
