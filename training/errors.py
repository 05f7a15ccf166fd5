"""The project's error vocabulary.

`KhienError` and its children are expected failures with a message fit for the user: a view shows
them next to the form, a command prints them and exits non-zero. Anything else is a bug: it reaches
the 500 page, is logged, and the request's transaction is rolled back.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from flask import Flask, render_template
from flask_wtf import FlaskForm
from werkzeug.exceptions import Forbidden, HTTPException

from training.extensions import db


class KhienError(Exception):
    """An expected failure whose message can be shown as it is."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class RuleViolation(KhienError):
    """A business rule refused the input; `field` names the form field it belongs to."""

    def __init__(self, field: str | None, message: str) -> None:
        super().__init__(message)
        self.field = field

    def attach_to(self, form: FlaskForm) -> None:
        target = getattr(form, self.field, None) if self.field else None
        if target is not None:
            target.errors = [*target.errors, self.message]
        else:
            form.form_errors.append(self.message)


@dataclass(frozen=True)
class FieldProblem:
    """One thing wrong with one field of one record; `field` None means the record as a whole."""

    field: str | None
    message: str


class RuleViolations(RuleViolation):
    """Every problem of one record at once. A form shows the first message of each field; an
    import lists them all with their row. It reads as its first problem where one is enough."""

    def __init__(self, problems: Sequence[FieldProblem]) -> None:
        super().__init__(problems[0].field, problems[0].message)
        self.problems = list(problems)

    def attach_to(self, form: FlaskForm) -> None:
        shown: set[str | None] = set()
        for problem in self.problems:
            if problem.field is None or problem.field not in shown:
                RuleViolation(problem.field, problem.message).attach_to(form)
                shown.add(problem.field)


def refuse_if_any(problems: Sequence[FieldProblem]) -> None:
    if problems:
        raise RuleViolations(problems)


class NotAllowed(KhienError):
    """The actor may not do this at all, whatever the input: pages answer 403 (a handler below
    does it, so a service can refuse without every view catching it)."""


@dataclass(frozen=True)
class Problem:
    """A problem of an imported file: its line (or row) and, for tables, its column."""

    line: int
    message: str
    column: str | None = None

    def __str__(self) -> str:
        where = f"line {self.line}" + (f", column {self.column}" if self.column else "")
        return f"{where}: {self.message}"


class ImportRejected(KhienError):
    """A file had problems; nothing of it was written."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        super().__init__("; ".join(str(p) for p in problems))
        self.problems = list(problems)


ERROR_CODES = (400, 403, 404, 405, 413, 429, 500)


def register_error_handlers(app: Flask) -> None:
    def render_error(error: HTTPException) -> tuple[str, int]:
        code = error.code or 500
        return render_template("errors/error.html", code=code, error=error), code

    for code in ERROR_CODES:
        app.register_error_handler(code, render_error)

    @app.errorhandler(NotAllowed)
    def _not_allowed(error: NotAllowed) -> tuple[str, int]:
        db.session.rollback()
        return render_error(Forbidden(error.message))

    @app.teardown_request
    def _rollback_on_error(exc: BaseException | None) -> None:
        if exc is not None:
            db.session.rollback()
