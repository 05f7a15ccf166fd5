"""`flask --app app units …` and `flask --app app users …`: the same services as the web pages,
one commit per command, a clear message and a non-zero exit on bad input."""

from __future__ import annotations

import sys
from datetime import date
from typing import TypeVar

import click
from flask.cli import AppGroup
from flask_babel import gettext as _

from training.cli_support import DateParam, effective, effective_date_option
from training.cli_support import run_or_exit as _run
from training.clock import today_vn
from training.errors import RuleViolation
from training.org import units as unit_services
from training.org.history import tree_on
from training.org.models import Person, Role, Unit, UnitKind
from training.org.people import (
    PersonData,
    create_person,
    find_by_username,
    set_password,
    set_role,
)

units_cli = AppGroup("units", help="The organisation tree: add, move, merge and retire units.")
users_cli = AppGroup("users", help="People and their accounts.")
commands = (units_cli, users_cli)
T = TypeVar("T")


@units_cli.command("add")
@click.argument("code")
@click.argument("name")
@click.option("--parent", "parent_code", help="Code of the parent unit.")
@click.option(
    "--kind", type=click.Choice([k.value for k in UnitKind]), default="division", show_default=True
)
@click.option("--key", is_flag=True, help="Mark as a key department (its staff are priority).")
@effective_date_option
def add_unit_command(
    code: str, name: str, parent_code: str | None, kind: str, key: bool, effective_on: date | None
) -> None:
    """Add a unit under PARENT (or at the top of the tree)."""

    def action() -> Unit:
        parent = unit_services.require_unit(parent_code) if parent_code else None
        return unit_services.add_unit(
            code,
            name,
            kind=UnitKind(kind),
            parent=parent,
            is_key_department=key,
            today=effective(effective_on),
        )

    unit = _run(action)
    click.echo(f"{unit.code}: {unit.name}")


@units_cli.command("move")
@click.argument("code")
@click.option("--parent", "parent_code", required=True, help="Code of the new parent unit.")
@effective_date_option
def move_unit_command(code: str, parent_code: str, effective_on: date | None) -> None:
    """Move a unit, with its sub-units and people, under another parent."""
    _run(
        lambda: unit_services.move_unit(
            unit_services.require_unit(code),
            unit_services.require_unit(parent_code),
            today=effective(effective_on),
        )
    )
    click.echo(f"{code.upper()} → {parent_code.upper()}")


@units_cli.command("merge")
@click.argument("code")
@click.option("--into", "into_code", required=True, help="Code of the unit that absorbs it.")
@effective_date_option
def merge_unit_command(code: str, into_code: str, effective_on: date | None) -> None:
    """Merge a unit into another: its people and sub-units move, it retires, history stays."""
    moved = _run(
        lambda: unit_services.merge_unit(
            unit_services.require_unit(code),
            unit_services.require_unit(into_code),
            today=effective(effective_on),
        )
    )
    click.echo(f"{code.upper()} → {into_code.upper()}: {moved}")


@units_cli.command("retire")
@click.argument("code")
@effective_date_option
def retire_unit_command(code: str, effective_on: date | None) -> None:
    """Retire an empty unit (no people, no active sub-units)."""
    _run(
        lambda: unit_services.retire_unit(
            unit_services.require_unit(code), today=effective(effective_on)
        )
    )
    click.echo(code.upper())


@units_cli.command("list")
@click.option("--all", "include_retired", is_flag=True, help="Include retired units.")
@click.option(
    "--on",
    "on",
    type=DateParam(),
    default=None,
    help="Print the tree as it stood on this date (dd/mm/yyyy): parents, names, key flags.",
)
def list_units_command(include_retired: bool, on: date | None) -> None:
    """Print the tree, one unit a line, indented by depth."""
    if on is not None:
        if include_retired:
            raise click.UsageError(
                _("--all and --on do not go together: a day's tree holds the units of that day.")
            )
        for then in tree_on(on):
            mark = " [key]" if then.is_key_department else ""
            click.echo(f"{'  ' * then.depth}{then.code}  {then.name}{mark}")
        return
    for unit in unit_services.units_under(None, include_retired=include_retired):
        marks = (" [key]" if unit.is_key_department else "") + (
            f" [retired {unit.retired_on:%d/%m/%Y}]" if unit.retired_on else ""
        )
        click.echo(f"{'  ' * unit.depth}{unit.code}  {unit.name}{marks}")


@users_cli.command("add")
@click.argument("username")
@click.option("--name", "full_name", required=True, help="Full name, in Vietnamese.")
@click.option("--unit", "unit_code", required=True, help="Code of the person's unit.")
@click.option(
    "--role", type=click.Choice([r.value for r in Role]), default="learner", show_default=True
)
@click.option("--email")
@click.option("--employee-id")
@click.option("--position")
@click.option("--classified", is_flag=True, help="Drafts classified documents (priority).")
@click.option("--it-staff", is_flag=True, help="Works as IT staff.")
@click.option(
    "--password-stdin",
    is_flag=True,
    help="Read the password from standard input (never from the command line).",
)
def add_user_command(
    username: str,
    full_name: str,
    unit_code: str,
    role: str,
    email: str | None,
    employee_id: str | None,
    position: str | None,
    classified: bool,
    it_staff: bool,
    password_stdin: bool,
) -> None:
    """Add a person; without --password-stdin they cannot sign in until a password is set."""
    password = sys.stdin.readline().rstrip("\r\n") if password_stdin else None

    def action() -> Person:
        unit = unit_services.require_unit(unit_code)
        data = PersonData(
            username=username,
            full_name=full_name,
            unit=unit,
            email=email,
            employee_id=employee_id,
            position=position,
            role=Role(role),
            drafts_classified=classified,
            is_it_staff=it_staff,
        )
        return create_person(data, actor=None, password=password, today=today_vn())

    person = _run(action)
    click.echo(f"{person.username}: {person.full_name} ({person.unit.code}, {person.role.value})")


def _require_person(username: str) -> Person:
    person = find_by_username(username)
    if person is None:
        raise RuleViolation("username", f"No person has the username {username.strip().lower()}.")
    return person


@users_cli.command("set-role")
@click.argument("username")
@click.argument("role", type=click.Choice([r.value for r in Role]))
def set_role_command(username: str, role: str) -> None:
    """Grant or take a role. The way back when a province has lost its administrators: the
    last active ICT admin cannot be demoted, here or on the web."""

    def action() -> Person:
        person = _require_person(username)
        set_role(person, Role(role), actor=None)
        return person

    person = _run(action)
    click.echo(f"{person.username}: {person.role.value}")


@users_cli.command("set-password")
@click.argument("username")
def set_password_command(username: str) -> None:
    """Set a person's password, read from standard input (never from the command line). Every
    session the person had open ends."""
    password = sys.stdin.readline().rstrip("\r\n")

    def action() -> Person:
        person = _require_person(username)
        set_password(person, password, actor=None)
        return person

    person = _run(action)
    click.echo(f"{person.username}: password set; earlier sessions ended.")
