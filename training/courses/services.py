"""What a learner sees of the courses: which are theirs, in what order, and how far they are.

Every page here costs a fixed handful of queries whatever the course's size: the outline comes
in one query, the reads in another, and the HTML was rendered when the course was loaded.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from training.courses.files import Audience
from training.courses.models import Course, CourseVersion, Lesson, LessonRead, LessonText
from training.extensions import db
from training.org.models import Person


def audiences_for(person: Person) -> list[Audience]:
    """D2: priority courses are for those who draft secret documents or work in key
    departments; the IT track for IT staff; everything else for everyone."""
    audiences = [Audience.ALL]
    if person.is_priority:
        audiences.append(Audience.PRIORITY)
    if person.is_it_staff:
        audiences.append(Audience.IT_STAFF)
    return audiences


def _visible_to(person: Person) -> ColumnElement[bool]:
    return Course.active.is_(True) & Course.audience.in_(audiences_for(person))


@dataclass
class CourseCard:
    course: Course
    lessons: int
    read: int

    @property
    def percent(self) -> int:
        return round(100 * self.read / self.lessons) if self.lessons else 0

    @property
    def is_priority(self) -> bool:
        return self.course.audience == Audience.PRIORITY


def courses_for(person: Person) -> list[CourseCard]:
    """Priority-audience courses first (D2), then the catalogue's own order."""
    courses = db.session.scalars(select(Course).where(_visible_to(person))).all()
    if not courses:
        return []
    ids = [c.id for c in courses]
    lesson_keys = _current_lesson_keys(ids)
    reads = _read_keys(person, ids)
    cards = [
        CourseCard(
            c,
            len(lesson_keys.get(c.id, ())),
            len(reads.get(c.id, set()) & lesson_keys.get(c.id, set())),
        )
        for c in courses
    ]
    return sorted(
        cards, key=lambda card: (not card.is_priority, card.course.position, card.course.title_vi)
    )


def _current_lesson_keys(course_ids: list[int]) -> dict[int, set[str]]:
    rows = db.session.execute(
        select(Course.id, Lesson.key)
        .join(
            CourseVersion,
            (CourseVersion.course_id == Course.id)
            & (CourseVersion.content_hash == Course.current_hash),
        )
        .join(Lesson, Lesson.version_id == CourseVersion.id)
        .where(Course.id.in_(course_ids))
    ).all()
    keys: dict[int, set[str]] = {}
    for course_id, key in rows:
        keys.setdefault(course_id, set()).add(key)
    return keys


def _read_keys(person: Person, course_ids: list[int]) -> dict[int, set[str]]:
    rows = db.session.execute(
        select(LessonRead.course_id, LessonRead.lesson_key).where(
            LessonRead.person_id == person.id, LessonRead.course_id.in_(course_ids)
        )
    ).all()
    reads: dict[int, set[str]] = {}
    for course_id, key in rows:
        reads.setdefault(course_id, set()).add(key)
    return reads


def get_course_for(person: Person, slug: str) -> Course | None:
    """A course outside the person's audience reads as missing (404), like any other scope."""
    return db.session.scalar(select(Course).where(Course.slug == slug, _visible_to(person)))


@dataclass
class OutlineItem:
    key: str
    title: str
    is_read: bool


@dataclass
class Outline:
    course: Course
    version_id: int
    items: list[OutlineItem]
    lessons: dict[str, Lesson]

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

    def neighbours(self, key: str) -> tuple[OutlineItem | None, OutlineItem | None]:
        keys = [item.key for item in self.items]
        index = keys.index(key)
        previous = self.items[index - 1] if index > 0 else None
        following = self.items[index + 1] if index + 1 < len(self.items) else None
        return previous, following


def _text_in(lesson: Lesson, lang: str) -> LessonText:
    by_lang = {text.lang: text for text in lesson.texts}
    return by_lang.get(lang) or next(iter(by_lang.values()))


def course_outline(course: Course, person: Person, lang: str) -> Outline:
    """Titles of every lesson of the current version; the HTML stays deferred until a page
    asks for one lesson's."""
    lessons = db.session.scalars(
        select(Lesson)
        .join(CourseVersion, Lesson.version_id == CourseVersion.id)
        .options(selectinload(Lesson.texts))
        .where(
            CourseVersion.course_id == course.id, CourseVersion.content_hash == course.current_hash
        )
        .order_by(Lesson.position)
    ).all()
    read = _read_keys(person, [course.id]).get(course.id, set())
    items = [
        OutlineItem(lesson.key, _text_in(lesson, lang).title, lesson.key in read)
        for lesson in lessons
    ]
    version_id = lessons[0].version_id if lessons else 0
    return Outline(course, version_id, items, {lesson.key: lesson for lesson in lessons})


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

    def is_fallback(self, lang: str) -> bool:
        return self.shown_lang != lang


def lesson_page(outline: Outline, key: str, lang: str) -> LessonPage | None:
    lesson = outline.lessons.get(key)
    if lesson is None:
        return None
    text = _text_in(lesson, lang)
    previous, following = outline.neighbours(key)
    is_read = next(item.is_read for item in outline.items if item.key == key)
    return LessonPage(outline, key, text.title, text.html, text.lang, is_read, previous, following)


def mark_read(person: Person, outline: Outline, key: str, *, now: datetime) -> bool:
    """True when this is news. A second mark (double click, two tabs) changes nothing: the
    unique constraint decides, inside a savepoint so the request's transaction survives."""
    if key not in outline.lessons:
        raise KeyError(key)
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
                    version_id=outline.version_id,
                    read_at=now,
                )
            )
    except IntegrityError:
        return False
    return True
