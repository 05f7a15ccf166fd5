"""What a learner sees of the courses: which are theirs, in what order, and how far they are.

Every page here costs a fixed handful of queries whatever the course's size: the outline comes
in one query, the reads in another, and the HTML was rendered when the course was loaded.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import Select, bindparam, func, select
from sqlalchemy.exc import IntegrityError

from training.courses.completions import IN_FORCE_UNTIL
from training.courses.deadlines import CardDeadline, DeadlineSource
from training.courses.models import (
    Audience,
    Course,
    CourseVersion,
    Lesson,
    LessonRead,
    LessonText,
)
from training.extensions import db
from training.memo import cache_found
from training.org.models import Person
from training.org.province import fill_html


def audience_fits(audience: Audience, person: Person) -> bool:
    """D2: priority courses are for those who draft secret documents or work in key
    departments; the IT track for IT staff; the heads' course for unit heads (D1, D4, D5);
    everything else for everyone. Priority is asked
    only when it matters, so the common case (a course for everyone) needs nothing beyond the
    person's own row."""
    if audience == Audience.ALL:
        return True
    if audience == Audience.IT_STAFF:
        return person.is_it_staff
    if audience == Audience.UNIT_HEADS:
        return person.is_unit_head
    return person.is_priority


@dataclass
class CourseCard:
    course: Course
    lessons: int
    read: int
    valid_until: date | None = None  # of the person's latest completion still valid
    deadline: CardDeadline | None = None  # when the course is required of the person

    @property
    def percent(self) -> int:
        return round(100 * self.read / self.lessons) if self.lessons else 0

    @property
    def is_priority(self) -> bool:
        return self.course.audience == Audience.PRIORITY


# The courses with the person's reads and completions in force, in one statement: every
# learner's home page runs it. Built once, like the outline's below: building the statement
# per request cost more than running it. The keys read come joined in one string per course
# (lesson keys hold no space): a row per read made the ORM handle each course once per lesson.
_READ_KEYS = (
    select(func.aggregate_strings(LessonRead.lesson_key, " "))
    .where(LessonRead.course_id == Course.id, LessonRead.person_id == bindparam("person_id"))
    .scalar_subquery()
)
_CARDS_QUERY = (
    select(Course, _READ_KEYS, IN_FORCE_UNTIL.c.valid_until)
    .outerjoin(IN_FORCE_UNTIL, IN_FORCE_UNTIL.c.course_id == Course.id)
    .where(Course.active.is_(True))
)


def courses_for(
    person: Person, *, today: date, deadlines: Sequence[DeadlineSource] = ()
) -> list[CourseCard]:
    """Priority-audience courses first (D2), then the catalogue's own order; each card with
    its deadline from `deadlines` (`courses.deadlines.deadline_sources`), in the same
    statement."""
    sources = tuple(deadlines)
    params: dict[str, Any] = {}
    for source in sources:
        params.update(source.params(person, today))
    params.update(person_id=person.id, on=today)
    cards = []
    for course, read_keys, valid_until, *facts in db.session.execute(_cards(sources), params):
        if not audience_fits(course.audience, person):
            continue
        keys = {entry.key for entry in lessons_of(course.current_hash)}
        read = len(keys.intersection(read_keys.split(" "))) if read_keys else 0
        card = CourseCard(course, len(keys), read, valid_until)
        start = 0
        for source in sources:
            found = source.read(facts[start : start + len(source.columns)], person, today)
            start += len(source.columns)
            card.deadline = found or card.deadline
        cards.append(card)
    return sorted(
        cards, key=lambda card: (not card.is_priority, card.course.position, card.course.title_vi)
    )


@lru_cache(maxsize=8)
def _cards(sources: tuple[DeadlineSource, ...]) -> Select[Any]:
    """The card query with each source's facts joined by course; built once per set of
    sources (an app registers its own once)."""
    statement: Select[Any] = _CARDS_QUERY
    for source in sources:
        facts = source.facts
        statement = statement.add_columns(*(facts.c[name] for name in source.columns))
        statement = statement.outerjoin(facts, facts.c.course_id == Course.id)
    return statement


def get_course_for(person: Person, slug: str) -> Course | None:
    """A course outside the person's audience reads as missing (404), like any other scope.
    Looked up by its unique slug and checked here with `audience_fits`, as the course list
    is."""
    course = db.session.scalar(select(Course).where(Course.slug == slug))
    if course is None or not course.active or not audience_fits(course.audience, person):
        return None
    return course


@dataclass(frozen=True)
class LessonEntry:
    """A lesson as loaded: what the outline and the page need, minus anything per person."""

    key: str
    titles: dict[str, str]
    hashes: dict[str, str]  # language -> source hash of its rendered HTML

    def lang_for(self, lang: str) -> str:
        return lang if lang in self.titles else next(iter(self.titles))


@cache_found(maxsize=256)
def lessons_of(content_hash: str) -> tuple[LessonEntry, ...]:
    """The lessons of a course version, cached in the process. The key is the content hash,
    and everything cached is derived from the files that hash covers, so an entry can never
    be stale: a changed course has a new hash. None found (a version not committed yet) is
    not kept."""
    rows = db.session.execute(
        select(
            Lesson.key, Lesson.position, LessonText.lang, LessonText.title, LessonText.source_hash
        )
        .join(LessonText, LessonText.lesson_id == Lesson.id)
        .where(
            Lesson.version_id
            == select(func.min(CourseVersion.id))
            .where(CourseVersion.content_hash == content_hash)
            .scalar_subquery()
        )
        .order_by(Lesson.position, LessonText.lang)
    ).all()
    entries: dict[str, LessonEntry] = {}
    for key, _position, lang, title, source_hash in rows:
        entry = entries.setdefault(key, LessonEntry(key, {}, {}))
        entry.titles[lang] = title
        entry.hashes[lang] = source_hash
    return tuple(entries.values())


@cache_found(maxsize=1024)
def lesson_html(source_hash: str) -> str:
    """Rendered once at load time, read once per process: a page view renders nothing. No
    HTML found is not kept, so a lesson asked for before its load committed shows once it
    has."""
    return (
        db.session.scalar(
            select(LessonText.html).where(LessonText.source_hash == source_hash).limit(1)
        )
        or ""
    )


def forget_cached_lessons() -> None:
    """For tests that rebuild the database under the same content."""
    lessons_of.cache_clear()
    lesson_html.cache_clear()


@dataclass
class OutlineItem:
    key: str
    title: str
    is_read: bool


@dataclass
class Outline:
    course: Course
    items: list[OutlineItem]
    entries: dict[str, LessonEntry]

    @property
    def read_count(self) -> int:
        return sum(item.is_read for item in self.items)

    @property
    def resume_key(self) -> str | None:
        """Where to carry on: the first lesson not yet read (the last one when all are)."""
        for item in self.items:
            if not item.is_read:
                return item.key
        return self.items[-1].key if self.items else None

    @property
    def is_all_read(self) -> bool:
        return bool(self.items) and all(item.is_read for item in self.items)

    def position(self, key: str) -> int:
        return [item.key for item in self.items].index(key) + 1

    def neighbours(self, key: str) -> tuple[OutlineItem | None, OutlineItem | None]:
        index = self.position(key) - 1
        previous = self.items[index - 1] if index > 0 else None
        following = self.items[index + 1] if index + 1 < len(self.items) else None
        return previous, following


# Built once: this runs on every lesson page, and building the statement per request costs
# about as much as running it.
_OUTLINE_QUERY = select(Course, _READ_KEYS).where(Course.slug == bindparam("slug"))


def outline_for(person: Person, slug: str, lang: str) -> Outline | None:
    """The course and what this person has read of it, in one query. None when the course is
    missing or not for this person's audience."""
    row = db.session.execute(_OUTLINE_QUERY, {"person_id": person.id, "slug": slug}).first()
    if row is None:
        return None
    course, read_keys = row
    if not course.active or not audience_fits(course.audience, person):
        return None
    read = set(read_keys.split(" ")) if read_keys else set()
    entries = lessons_of(course.current_hash)
    items = [
        OutlineItem(entry.key, entry.titles[entry.lang_for(lang)], entry.key in read)
        for entry in entries
    ]
    return Outline(course, items, {entry.key: entry for entry in entries})


@dataclass
class LessonPage:
    outline: Outline
    key: str
    title: str
    html: str
    shown_lang: str
    is_read: bool
    previous: OutlineItem | None
    next: OutlineItem | None

    @property
    def number(self) -> int:
        return self.outline.position(self.key)

    def is_fallback(self, lang: str) -> bool:
        return self.shown_lang != lang


def lesson_page(outline: Outline, key: str, lang: str) -> LessonPage | None:
    entry = outline.entries.get(key)
    if entry is None:
        return None
    shown = entry.lang_for(lang)
    previous, following = outline.neighbours(key)
    is_read = next(item.is_read for item in outline.items if item.key == key)
    return LessonPage(
        outline,
        key,
        entry.titles[shown],
        fill_html(lesson_html(entry.hashes[shown]), shown),
        shown,
        is_read,
        previous,
        following,
    )


def mark_read(person: Person, outline: Outline, key: str, *, now: datetime) -> bool:
    """True when this is news. A second mark (double click, two tabs) changes nothing: the
    unique constraint decides, inside a savepoint so the request's transaction survives."""
    if key not in outline.entries:
        raise KeyError(key)
    version_id = db.session.scalar(
        select(CourseVersion.id).where(
            CourseVersion.course_id == outline.course.id,
            CourseVersion.content_hash == outline.course.current_hash,
        )
    )
    exists = db.session.scalar(
        select(LessonRead.id).where(
            LessonRead.person_id == person.id,
            LessonRead.course_id == outline.course.id,
            LessonRead.lesson_key == key,
        )
    )
    if exists:
        return False
    try:
        with db.session.begin_nested():
            db.session.add(
                LessonRead(
                    person_id=person.id,
                    course_id=outline.course.id,
                    lesson_key=key,
                    version_id=version_id,
                    read_at=now,
                )
            )
    except IntegrityError:
        return False
    return True
