"""Small helpers shared by the command-line groups of every domain."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any, TypeVar

import click
from flask_babel import gettext as _

from training.clock import parse_date, today_vn
from training.errors import ImportRejected, KhienError, RuleViolations
from training.extensions import db
from training.tables import describe_problem

F = TypeVar("F", bound=Callable[..., Any])


class DateParam(click.ParamType):
    """Accepts dd/mm/yyyy (how Vietnamese officials write dates) or ISO yyyy-mm-dd."""

    name = "date"

    def convert(
        self, value: object, param: click.Parameter | None, ctx: click.Context | None
    ) -> date:
        if isinstance(value, date):
            return value
        text = str(value).strip()
        parsed = parse_date(text)
        if parsed is None:
            self.fail(f"{text!r} is not a date (dd/mm/yyyy or yyyy-mm-dd).", param, ctx)
        return parsed


def effective_date_option(function: F) -> F:
    """Every reorganisation command takes the date the change takes effect: history is dated
    by the decision, not by when someone typed it."""
    return click.option(
        "--on",
        "effective_on",
        type=DateParam(),
        default=None,
        help="Date the change takes effect (dd/mm/yyyy); default: today in Vietnam.",
    )(function)


def effective(on: date | None) -> date:
    return on or today_vn()


T = TypeVar("T")


def run_or_exit(action: Callable[[], T]) -> T:
    """Run a service call and commit; a refused rule rolls back and exits 1 with its message,
    every problem of the record, or of the file with its row, on its own line (the web's twin
    is `web.commit_or_show`)."""
    try:
        result = action()
    except ImportRejected as err:
        db.session.rollback()
        for problem in err.problems:
            click.echo(describe_problem(problem), err=True)
        raise click.ClickException(_("Nothing was imported.")) from err
    except RuleViolations as err:
        db.session.rollback()
        lines = [f"{p.field}: {p.message}" if p.field else p.message for p in err.problems]
        raise click.ClickException("\n".join(lines)) from err
    except KhienError as err:
        db.session.rollback()
        raise click.ClickException(err.message) from err
    db.session.commit()
    return result
