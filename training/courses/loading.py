"""Loading courses from disk into the database (`content sync`, `init`).

Only courses without errors load; a broken course keeps the version already loaded. A changed
course becomes a new version; lessons whose text did not change reuse their rendered HTML. A
course that disappeared from disk is hidden, never deleted: learners' progress stays.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select

from training.courses.files import CourseSource, LessonSource, resolve_link
from training.courses.models import Course, CourseVersion, Lesson, LessonText
from training.extensions import db
from training.markdown import RENDERER_VERSION, render_markdown
from training.sources.cache import SizedCache, content_key

# Lesson HTML by the hash of the renderer's version and the Markdown, for the life of the
# process. The shipped curriculum renders to about 750,000 characters: room for it ten times
# over, some 16 MB. A hit still counts as "rendered" in the sync report, which tells what the
# database did not have.
_rendered: SizedCache[str] = SizedCache(max_size=8_000_000)


@dataclass
class SyncReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)
    hidden: list[str] = field(default_factory=list)
    rendered: int = 0
    reused: int = 0


def sync_courses(sources: Sequence[CourseSource], *, now: datetime) -> SyncReport:
    report = SyncReport()
    existing = {c.slug: c for c in db.session.scalars(select(Course))}
    for source in sources:
        if not source.is_loadable:
            report.refused.append(source.slug)
            continue
        course = existing.get(source.slug)
        if course is not None and course.current_hash == source.content_hash and course.active:
            report.unchanged.append(source.slug)
            continue
        if course is None:
            course = Course(slug=source.slug)
            db.session.add(course)
            report.created.append(source.slug)
        else:
            report.updated.append(source.slug)
        _apply_metadata(course, source, now)
        _ensure_version(course, source, report)
    on_disk = {source.slug for source in sources}
    for slug, course in existing.items():
        if slug not in on_disk and course.active:
            course.active = False
            report.hidden.append(slug)
    return report


def _apply_metadata(course: Course, source: CourseSource, now: datetime) -> None:
    course.title_vi = source.titles.get("vi") or source.titles["en"]
    course.title_en = source.titles.get("en")
    course.summary_vi = source.summaries.get("vi") or source.summaries["en"]
    course.summary_en = source.summaries.get("en")
    course.audience = source.audience
    course.minutes = source.minutes
    course.validity_months = source.validity_months
    course.quiz_slug = source.quiz
    course.clauses = " ".join(source.clauses)
    course.position = source.order
    course.current_hash = source.content_hash
    course.active = True
    course.updated_at = now


def _ensure_version(course: Course, source: CourseSource, report: SyncReport) -> None:
    db.session.flush()
    if db.session.scalar(
        select(CourseVersion.id).where(
            CourseVersion.course_id == course.id, CourseVersion.content_hash == source.content_hash
        )
    ):
        return  # a version seen before (e.g. a revert): its lessons are still there
    version = CourseVersion(course_id=course.id, content_hash=source.content_hash)
    db.session.add(version)
    db.session.flush()
    for lesson_source in source.lessons:
        lesson = Lesson(
            version_id=version.id,
            key=lesson_source.key,
            position=lesson_source.number,
            clauses=" ".join(lesson_source.clauses),
        )
        db.session.add(lesson)
        for lang, body in lesson_source.bodies.items():
            lesson.texts.append(_lesson_text(source, lesson_source, lang, body, report))


def _lesson_text(
    course: CourseSource, lesson: LessonSource, lang: str, body: str, report: SyncReport
) -> LessonText:
    digest = hashlib.sha256(
        "\0".join([RENDERER_VERSION, course.slug, lesson.key, lang, body]).encode()
    ).hexdigest()
    html = db.session.scalar(
        select(LessonText.html).where(LessonText.source_hash == digest).limit(1)
    )
    if html is None:
        html = render_lesson(body)
        report.rendered += 1
    else:
        report.reused += 1
    title = lesson.titles.get(lang) or next(iter(lesson.titles.values()), lesson.key)
    return LessonText(lang=lang, title=title, source_hash=digest, html=html)


def render_lesson(body: str) -> str:
    """Links are written relative to the lesson page (/courses/<slug>/lessons/<key>), so they
    hold wherever the site is mounted: a sibling lesson is `<key>`, an image of the course's
    own folder is `../media/images/…`. The HTML therefore depends on the Markdown and the
    renderer alone, and a body rendered once in this process (by an earlier sync, into a
    database since wiped, or in another course) is not rendered again."""
    key = content_key(RENDERER_VERSION, body)
    html = _rendered.get(key)
    if html is None:
        html = str(
            render_markdown(
                body,
                lambda target: resolve_link(
                    target, lesson_url="{key}", media_url="../media/{path}"
                ),
            )
        )
        _rendered.put(key, html, len(html))
    return html
