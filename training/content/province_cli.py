"""`flask --app app province show | set | clear`: the same settings and checks as the web page,
for scripted set-up of a new installation."""

from __future__ import annotations

import click
from flask.cli import AppGroup
from flask_babel import gettext as _

from training.cli_support import run_or_exit
from training.clock import utcnow
from training.content.catalog import content_dirs, read_catalog
from training.content.settings_usage import setting_usage
from training.org.province import BY_NAME, SETTINGS, SettingChange, read_values, save_settings
from training.sources.placeholders import NAMES

province_cli = AppGroup(
    "province", help="What the province publishes for lessons: contacts, bodies, systems."
)
NAME = click.Choice(NAMES)


@province_cli.command("show")
def show_command() -> None:
    """Every setting, its value(s) and how many lessons and questions use it."""
    values = read_values()
    usage = setting_usage(read_catalog(*content_dirs()))
    for setting in SETTINGS:
        found = values.rows.get(setting.name)
        shown = found[0] if found else _("(empty: learners see a notice)")
        if found and found[1]:
            shown += f"  |  en: {found[1]}"
        click.echo(f"{setting.name:20} {shown}  [{len(usage[setting.name])} uses]")


@province_cli.command("set")
@click.argument("name", type=NAME)
@click.argument("value")
@click.option("--en", "value_en", default="", help="The English name, where it has one.")
def set_command(name: str, value: str, value_en: str) -> None:
    """Publish or change one setting (an empty VALUE clears it)."""
    if not BY_NAME[name].has_english and value_en:
        raise click.UsageError(_("This setting has one value only."))
    changed = run_or_exit(
        lambda: save_settings({name: SettingChange(value, value_en)}, actor=None, now=utcnow())
    )
    click.echo(_("%(name)s saved.", name=name) if changed else _("Nothing changed."))


@province_cli.command("clear")
@click.argument("name", type=NAME)
def clear_command(name: str) -> None:
    """Withdraw a setting: lessons show the notice in its place."""
    changed = run_or_exit(
        lambda: save_settings({name: SettingChange("")}, actor=None, now=utcnow())
    )
    click.echo(_("%(name)s cleared.", name=name) if changed else _("Nothing changed."))
