"""Sections that the domains above courses add to the course page.

The course page belongs to courses, but its quiz section belongs to quizzes (and a due date will
belong to assignments), which import courses, not the other way round. Each such domain adds a
panel source to the app when its blueprint is registered; the page asks every source for its
panel and includes the template the panel names, in the order the sources were added.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Protocol

from flask.sansio.app import App  # what a blueprint's setup state holds; Flask is one

from training.courses.models import Course
from training.org.models import Person

EXTENSION = "khien.course_panels"


class CoursePanel(Protocol):
    @property
    def template(self) -> str:
        """The partial that renders the panel; it reads the panel as `panel`."""
        ...


# Called as source(person, course, now=..., today=...); None when it has nothing to show.
PanelSource = Callable[..., CoursePanel | None]


def add_course_panel(app: App, source: PanelSource) -> None:
    app.extensions.setdefault(EXTENSION, []).append(source)


def course_panels(
    app: App, person: Person, course: Course, *, now: datetime, today: date
) -> list[CoursePanel]:
    panels = (
        source(person, course, now=now, today=today) for source in app.extensions.get(EXTENSION, [])
    )
    return [panel for panel in panels if panel is not None]
