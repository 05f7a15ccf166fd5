"""Reading a course folder from disk and finding everything wrong with it.

A course is read whole or not at all: `read_course` always returns every problem it finds, with
file and line, and the loader refuses a course that has errors, so the site keeps the version it
had. See courses/README.md for the format.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Collection, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from training.courses.models import Audience
from training.sources.fields import LANGUAGES, FieldChecker, as_mapping, lang_name
from training.sources.placeholders import names_in, problem_with
from training.sources.problems import ContentProblem, Severity, has_errors
from training.sources.yamlfile import LineDict, YamlError, load_yaml

SLUG_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
LESSON_FILE = re.compile(
    r"^(?P<key>(?P<number>\d{2})-[a-z0-9]+(?:-[a-z0-9]+)*)\.(?P<lang>vi|en)\.md$"
)
IMAGE_TYPES = {".png", ".jpg", ".jpeg", ".gif", ".webp"}
COURSE_KEYS = (
    "title",
    "summary",
    "audience",
    "minutes",
    "validity_months",
    "quiz",
    "clauses",
    "order",
)
LESSON_KEYS = ("title", "clauses")
# [text](target) and ![alt](target), and reference definitions "[id]: target"
INLINE_LINK = re.compile(r"!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
REFERENCE_LINK = re.compile(r"^\s{0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s|$)")
# A tag or a comment; not an autolink such as <https://…> or <name@example.org>
RAW_HTML = re.compile(r"<!--|<(/?)([a-zA-Z][a-zA-Z0-9-]*)(?=[\s/>])[^>]*>")
FENCE = re.compile(r"^\s*(```|~~~)")
EXTERNAL = ("http://", "https://", "mailto:")


@dataclass
class LessonSource:
    key: str
    number: int
    titles: dict[str, str] = field(default_factory=dict)
    bodies: dict[str, str] = field(default_factory=dict)
    clauses: list[str] = field(default_factory=list)
    paths: dict[str, Path] = field(default_factory=dict)
    body_lines: dict[str, int] = field(default_factory=dict)  # where each body starts


@dataclass
class CourseSource:
    slug: str
    path: Path
    titles: dict[str, str] = field(default_factory=dict)
    summaries: dict[str, str] = field(default_factory=dict)
    audience: Audience = Audience.ALL
    minutes: int = 0
    validity_months: int = 12
    quiz: str | None = None
    clauses: list[str] = field(default_factory=list)
    order: int = 100
    lessons: list[LessonSource] = field(default_factory=list)
    content_hash: str = ""
    problems: list[ContentProblem] = field(default_factory=list)

    @property
    def is_loadable(self) -> bool:
        return not has_errors(self.problems)


def read_course(
    path: Path, *, clause_ids: Collection[str], quiz_courses: dict[str, str]
) -> CourseSource:
    """`quiz_courses` maps each quiz slug on disk to the course it says it completes."""
    course = CourseSource(slug=path.name, path=path)
    meta = FieldChecker(path / "course.yml")
    if not SLUG_PATTERN.match(path.name):
        meta.error(
            1, f"folder name {path.name!r} is not a slug (lower-case letters, digits, hyphens)"
        )
    _read_metadata(course, meta, clause_ids, quiz_courses)
    course.problems.extend(meta.problems)
    _read_lessons(course, clause_ids)
    course.content_hash = _content_hash(path)
    return course


def _read_metadata(
    course: CourseSource,
    check: FieldChecker,
    clause_ids: Collection[str],
    quiz_courses: dict[str, str],
) -> None:
    if not check.path.exists():
        check.error(1, "missing course.yml")
        return
    try:
        data = load_yaml(check.path.read_text(encoding="utf-8"))
    except YamlError as err:
        check.error(err.line, err.message)
        return
    except UnicodeDecodeError:
        check.error(1, "not UTF-8 text")
        return
    data = as_mapping(check, data, "course.yml")
    if data is None:
        return
    check.unknown_keys(data, COURSE_KEYS)
    course.titles = check.translated(data, "title")
    course.summaries = check.translated(data, "summary")
    audience = check.choice(data, "audience", [a.value for a in Audience])
    course.audience = Audience(audience) if audience else Audience.ALL
    course.minutes = check.positive_int(data, "minutes", maximum=6000) or 0
    course.validity_months = (
        check.positive_int(data, "validity_months", default=12, maximum=120) or 12
    )
    course.order = check.positive_int(data, "order", default=100, maximum=10000) or 100
    course.clauses = check.clause_ids(data, "clauses", clause_ids)
    course.quiz = check.text(data, "quiz")
    if course.quiz is not None:
        if course.quiz not in quiz_courses:
            check.error(
                data.line_of("quiz"),
                f"unknown quiz {course.quiz!r}: there is no quizzes/{course.quiz}.yml",
            )
        elif quiz_courses[course.quiz] != course.slug:
            check.error(
                data.line_of("quiz"),
                f"quiz {course.quiz!r} says it completes course "
                f"{quiz_courses[course.quiz]!r}, not this one",
            )


def _read_lessons(course: CourseSource, clause_ids: Collection[str]) -> None:
    lessons: dict[str, LessonSource] = {}
    numbers: dict[int, str] = {}
    for file in sorted(course.path.glob("*.md")):
        if file.name.lower() == "readme.md":
            continue
        match = LESSON_FILE.match(file.name)
        check = FieldChecker(file)
        if match is None:
            check.error(1, "not a lesson file name: expected NN-name.vi.md or NN-name.en.md")
            course.problems.extend(check.problems)
            continue
        key, number = match["key"], int(match["number"])
        if numbers.setdefault(number, key) != key:
            check.error(
                1,
                f"lesson number {match['number']} is used by {numbers[number]!r} "
                "too: each lesson needs its own number",
            )
        lesson = lessons.setdefault(key, LessonSource(key=key, number=number))
        _read_lesson_file(lesson, match["lang"], file, check, clause_ids)
        course.problems.extend(check.problems)
    course.lessons = sorted(lessons.values(), key=lambda lesson: lesson.number)
    if not course.lessons:
        course.problems.append(
            ContentProblem(course.path / "course.yml", 1, "the course has no lessons")
        )
    keys = {lesson.key for lesson in course.lessons}
    for lesson in course.lessons:
        for lang in LANGUAGES:
            if lang not in lesson.paths:
                other = next(iter(lesson.paths.values()))
                course.problems.append(
                    ContentProblem(
                        other,
                        1,
                        f"no {lang_name(lang)} version: {lesson.key}.{lang}.md is missing",
                        severity=Severity.WARNING,
                    )
                )
        for lang, body in lesson.bodies.items():
            _check_links(course, lesson.paths[lang], body, lesson.body_lines[lang], keys)


def _read_lesson_file(
    lesson: LessonSource, lang: str, file: Path, check: FieldChecker, clause_ids: Collection[str]
) -> None:
    try:
        text = file.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        check.error(1, "not UTF-8 text")
        return
    lines = text.splitlines()
    if not lines or lines[0].strip() != "---":
        check.error(
            1, "a lesson starts with front matter: a '---' line, title and clauses, then '---'"
        )
        return
    try:
        end = next(i for i, line in enumerate(lines[1:], start=1) if line.strip() == "---")
    except StopIteration:
        check.error(1, "the front matter is not closed by a '---' line")
        return
    try:
        data = load_yaml("\n".join(lines[1:end]), first_line=2)
    except YamlError as err:
        check.error(err.line, err.message)
        return
    data = as_mapping(check, data if data is not None else LineDict(), "the front matter")
    if data is None:
        return
    check.unknown_keys(data, LESSON_KEYS)
    title = check.text(data, "title")
    clauses = check.clause_ids(data, "clauses", clause_ids)
    body = "\n".join(lines[end + 1 :]).strip("\n")
    if not body.strip():
        check.error(end + 1, "the lesson has no text after its front matter")
    if title:
        lesson.titles[lang] = title
    lesson.bodies[lang] = body
    lesson.paths[lang] = file
    lesson.body_lines[lang] = end + 2 + _leading_blank_lines(lines[end + 1 :])
    if lang == "vi" or not lesson.clauses:
        lesson.clauses = clauses
    _check_raw_html(check, body, lesson.body_lines[lang])
    _check_placeholders(check, body, lesson.body_lines[lang])
    if title and "{{" in title:
        check.error(
            data.line_of("title"), "a title cannot name a province setting: write it in the text"
        )


def _check_placeholders(check: FieldChecker, body: str, first_line: int) -> None:
    """An error: a mistyped setting name would show its braces to every learner."""
    for offset, inside in names_in(body):
        problem = problem_with(inside)
        if problem is not None:
            check.error(first_line + offset, problem)


def _leading_blank_lines(lines: list[str]) -> int:
    count = 0
    for line in lines:
        if line.strip():
            break
        count += 1
    return count


def _outside_code(body: str, first_line: int) -> Iterator[tuple[int, str]]:
    """Lines outside fenced and indented code, with inline code removed: code may show HTML
    or links as examples."""
    in_fence = False
    for offset, line in enumerate(body.splitlines()):
        if FENCE.match(line):
            in_fence = not in_fence
            continue
        if not in_fence and not line.startswith("    " * 2):
            yield first_line + offset, re.sub(r"`[^`]*`", "", line)


def _check_raw_html(check: FieldChecker, body: str, first_line: int) -> None:
    """A warning, not an error: the lesson still shows all its text, tags included, but the
    author most likely meant something else (Markdown, or a tag shown as `code`)."""
    for number, line in _outside_code(body, first_line):
        match = RAW_HTML.search(line)
        if match:
            tag = match[0] if match[0] == "<!--" else f"<{match[1]}{match[2]}>"
            check.warning(
                number,
                f"raw HTML {tag} is shown as text, not as HTML: write Markdown, "
                "or put the tag in `backticks` to show it as code",
            )


def _check_links(
    course: CourseSource, file: Path, body: str, first_line: int, lesson_keys: set[str]
) -> None:
    check = FieldChecker(file)
    for number, line in _outside_code(body, first_line):
        targets = [m[1] for m in INLINE_LINK.finditer(line)]
        reference = REFERENCE_LINK.match(line)
        if reference:
            targets.append(reference[1])
        for target in targets:
            problem = link_problem(course.path, target, lesson_keys)
            if problem:
                check.error(number, problem)
    course.problems.extend(check.problems)


def link_problem(course_dir: Path, target: str, lesson_keys: set[str]) -> str | None:
    if target.startswith(EXTERNAL) or target.startswith("#"):
        return None
    path = target.split("#", 1)[0]
    if path.endswith(".md"):
        key = path.removesuffix(".md")
        if key in lesson_keys:
            return None
        return f"broken link {target!r}: no lesson {key!r} in this course"
    if path.startswith("images/") and ".." not in path.split("/"):
        image = course_dir / path
        if Path(path).suffix.lower() not in IMAGE_TYPES:
            return f"image {target!r} must be one of: {', '.join(sorted(IMAGE_TYPES))}"
        if not image.is_file():
            return f"missing image {target!r}"
        return None
    return (
        f"link {target!r} must point to another lesson (NN-name.md), an image in images/, "
        "or a web address"
    )


def resolve_link(target: str, *, lesson_url: str, media_url: str) -> str:
    """Turn a link as written in a lesson into a site URL (the check has vetted it).
    `lesson_url` and `media_url` are URL templates with `{key}` and `{path}`."""
    if target.startswith(EXTERNAL) or target.startswith("#"):
        return target
    path, _, anchor = target.partition("#")
    suffix = f"#{anchor}" if anchor else ""
    if path.endswith(".md"):
        return lesson_url.format(key=path.removesuffix(".md")) + suffix
    return media_url.format(path=path)


def _content_hash(path: Path) -> str:
    """Every file of the course, names and bytes: any change makes a new version."""
    digest = hashlib.sha256()
    for file in sorted(p for p in path.rglob("*") if p.is_file()):
        digest.update(str(file.relative_to(path)).encode())
        digest.update(b"\0")
        digest.update(file.read_bytes())
        digest.update(b"\0")
    return digest.hexdigest()
