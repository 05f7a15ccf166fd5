"""One way for a view to carry out a change: call the service, then commit — or, when a rule
refuses, roll back and show the rule's message, next to the form's field it belongs to or as a
flash. The command line has its twin (`cli_support.run_or_exit`)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

from flask import flash
from flask_wtf import FlaskForm

from training.errors import RuleViolation
from training.extensions import db

T = TypeVar("T")


@dataclass(frozen=True)
class Saved(Generic[T]):
    """What the service returned, once it is committed."""

    value: T


def commit_or_show(action: Callable[[], T], *, form: FlaskForm | None = None) -> Saved[T] | None:
    """None when a rule refused the change: nothing was written and the user has been told."""
    try:
        value = action()
    except RuleViolation as err:
        db.session.rollback()
        if form is not None:
            err.attach_to(form)
        else:
            flash(err.message, "error")
        return None
    db.session.commit()
    return Saved(value)
