"""What the reports keep: the province's coverage targets, frozen snapshots, background exports."""

from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, Numeric, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from training.clock import utcnow
from training.db import UTCDateTime, str_enum
from training.extensions import Model
from training.org.models import Person, Unit


class TargetGroup(enum.StrEnum):
    EVERYONE = "everyone"
    PRIORITY = "priority"


class CoverageTarget(Model):
    """ "90 % of everyone by 31/12/2026": the share of required courses completed that each unit
    should reach by `due_on`. Targets are replaced, never edited: the one in force for a group
    is the latest not withdrawn, and the history shows who set what and when."""

    __tablename__ = "coverage_targets"
    __table_args__ = (
        CheckConstraint("percent > 0 AND percent <= 100", name="percent_range"),
        # One target in force per group, by index: two administrators replacing it at the
        # same moment cannot leave two in force.
        Index(
            "uq_coverage_targets_in_force",
            "group_name",
            unique=True,
            sqlite_where=text("withdrawn_at IS NULL"),
            postgresql_where=text("withdrawn_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    group_name: Mapped[TargetGroup] = mapped_column(str_enum(TargetGroup))
    percent: Mapped[Decimal] = mapped_column(Numeric(4, 1))
    due_on: Mapped[date]
    set_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    set_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    set_by: Mapped[Person | None] = relationship()


class Snapshot(Model):
    """The coverage of one day, frozen for an inspection (D5.2): `data` is the canonical JSON of
    the overview and the unit and course tables, written once; `checksum` is its SHA-256, so a
    file downloaded today can be checked against the one handed to the inspectors."""

    __tablename__ = "coverage_snapshots"

    id: Mapped[int] = mapped_column(primary_key=True)
    as_of: Mapped[date]
    title: Mapped[str] = mapped_column(String(200))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))  # None: the province
    data: Mapped[str] = mapped_column(Text)
    checksum: Mapped[str] = mapped_column(String(64), unique=True)
    frozen_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    frozen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    unit: Mapped[Unit | None] = relationship()
    frozen_by: Mapped[Person | None] = relationship()


class JobState(enum.StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


class ExportJob(Model):
    """An export run in the background. The row, not the queue, is what the page reads: it
    survives a reload, a worker restart and Redis being flushed, and it names the owner, the
    only person who may download the file."""

    __tablename__ = "export_jobs"
    __table_args__ = (Index("ix_export_jobs_owner", "owner_id", "created_at"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True)  # random, unguessable
    owner_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    kind: Mapped[str] = mapped_column(String(40))
    params: Mapped[dict[str, Any]] = mapped_column(JSON)
    state: Mapped[JobState] = mapped_column(str_enum(JobState), default=JobState.QUEUED)
    done: Mapped[int] = mapped_column(default=0)
    total: Mapped[int | None]
    file_name: Mapped[str | None] = mapped_column(String(200))
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)

    owner: Mapped[Person] = relationship()
