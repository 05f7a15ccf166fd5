"""Where each province setting is used in the files on disk, for the ICT admin's pages: an
empty setting used by twenty lessons is the first one to fill in."""

from __future__ import annotations

from collections import defaultdict

from training.content.catalog import Catalog
from training.sources.placeholders import NAMES, used_names


def setting_usage(catalog: Catalog) -> dict[str, list[str]]:
    """Setting name -> the lessons ("course/01-name") and question IDs that name it, in file
    order; every known name is a key, unused ones with an empty list."""
    found: dict[str, list[str]] = defaultdict(list)
    for course in catalog.courses:
        for lesson in course.lessons:
            names = set().union(*(used_names(body) for body in lesson.bodies.values()))
            for name in names:
                found[name].append(f"{course.slug}/{lesson.key}")
    for quiz in catalog.quizzes:
        for question in quiz.questions:
            texts = [*question.texts_in("vi"), *question.texts_in("en")]
            for name in set().union(*(used_names(text) for text in texts)):
                found[name].append(question.id)
    return {name: found.get(name, []) for name in NAMES}
