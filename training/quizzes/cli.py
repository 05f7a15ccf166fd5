"""`flask --app app quizzes import-gift`: bring a Moodle question bank into our format."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import AppGroup

quizzes_cli = AppGroup("quizzes", help="Quiz banks.")
commands = (quizzes_cli,)


@quizzes_cli.command("import-gift")
@click.argument("source", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--course", required=True, help="Slug of the course the quiz completes.")
@click.option(
    "--out",
    "out",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="Where to write the quiz, e.g. quizzes/phishing.yml.",
)
@click.option(
    "--lang",
    type=click.Choice(["vi", "en"]),
    default="vi",
    show_default=True,
    help="The language the GIFT file is written in; the other stays empty for a "
    "translator, and `content check` reports it until then.",
)
@click.option("--force", is_flag=True, help="Overwrite an existing output file.")
def import_gift_command(source: Path, course: str, out: Path, lang: str, force: bool) -> None:
    """Convert a Moodle GIFT file. Question types we do not support are listed with their
    line numbers, never dropped silently; exit code 1 if any was left out."""
    from training.quizzes.gift import convert_gift

    if out.exists() and not force:
        raise click.ClickException(f"{out} exists; use --force to overwrite it.")
    try:
        text = source.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as err:
        raise click.ClickException(f"{source} is not UTF-8 text.") from err
    result = convert_gift(text, slug=out.stem, course=course, lang=lang)
    for problem in result.problems:
        click.echo(f"{source}:{problem.line}: {problem.message}", err=True)
    if not result.converted:
        raise click.ClickException("No question could be converted; nothing was written.")
    out.write_text(result.yaml_text, encoding="utf-8")
    click.echo(
        f"{result.converted} questions written to {out}; "
        f"{len(result.problems)} left out. Next: fill the other language and the "
        "clauses, then run `flask --app app content check`."
    )
    if result.problems:
        raise SystemExit(1)
