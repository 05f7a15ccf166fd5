"""`flask --app app quizzes import-gift | export-gift`: question banks in and out of Moodle.

Both commands print every loss or change with its line, as `file:line: outcome: message`, and
exit 1 when anything was left out or changed, so a script (or an officer) cannot miss it. Bad
arguments are refused with a sentence naming the fix, never a traceback.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from training.org.province import missing_notice, read_values
from training.quizzes.files import ID_PATTERN, QuizFile, QuizSource, peek_course, read_quiz
from training.quizzes.gift import GiftProblem, Outcome, convert_gift
from training.quizzes.gift_export import export_gift, with_province
from training.sources.clauses import CLAUSE_FILE, load_clauses
from training.text import fold

quizzes_cli = AppGroup("quizzes", help="Quiz banks.")
commands = (quizzes_cli,)

LANG_OPTION = click.Choice(["vi", "en"])


def _slug(value: str, what: str) -> str:
    if not ID_PATTERN.match(value):
        suggestion = re.sub(r"[^a-z0-9]+", "-", fold(value)).strip("-") or "phishing"
        raise click.BadParameter(
            f"{what} {value!r} must be lower-case letters, digits and hyphens, e.g. {suggestion!r}"
        )
    return value


def _course_slug(_ctx: click.Context, _param: click.Parameter, value: str) -> str:
    return _slug(value, "the course slug")


def _quiz_slug(_ctx: click.Context, _param: click.Parameter, value: str) -> str:
    return _slug(value, "the quiz slug")


def _quiz_file(_ctx: click.Context, _param: click.Parameter, value: Path) -> Path:
    """The file name is the quiz's slug, so it must be one; and the folder must exist, since
    guessing where a bank should go would hide a typo."""
    if value.suffix != ".yml":
        raise click.BadParameter(
            f"{value.name!r} must end in .yml: the quizzes folder holds <slug>.yml files"
        )
    _slug(value.stem, f"the file name {value.name!r} is the quiz's slug, so")
    _existing_folder(value)
    return value


def _output_file(_ctx: click.Context, _param: click.Parameter, value: Path) -> Path:
    if str(value) != "-":
        _existing_folder(value)
    return value


def _existing_folder(path: Path) -> None:
    folder = path.parent
    if not folder.is_dir():
        raise click.BadParameter(
            f"the folder {str(folder)!r} does not exist (or is not a folder): create it first"
        )
    if path.is_dir():
        raise click.BadParameter(f"{str(path)!r} is a folder; name a file in it")


def _clause_ids() -> Collection[str]:
    """A `[tag:…]` naming one of the directive's clauses becomes a clause of the question."""
    path = Path(current_app.config["COURSES_DIR"]) / CLAUSE_FILE
    return load_clauses(path) if path.is_file() else ()


def _write(path: Path, text: str, force: bool) -> None:
    if str(path) == "-":
        click.echo(text, nl=False)
        return
    if path.exists() and not force:
        raise click.ClickException(f"{path} exists; use --force to overwrite it.")
    try:
        path.write_text(text, encoding="utf-8")
    except OSError as err:
        raise click.ClickException(f"cannot write {path}: {err.strerror or err}") from err


@quizzes_cli.command("import-gift")
@click.argument("source", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--course", required=True, callback=_course_slug, help="Slug of the course it completes."
)
@click.option(
    "--out",
    "out",
    required=True,
    type=click.Path(path_type=Path),
    callback=_quiz_file,
    help="Where to write the quiz, e.g. quizzes/phishing.yml; its name is the quiz's slug.",
)
@click.option(
    "--lang",
    type=LANG_OPTION,
    default="vi",
    show_default=True,
    help="The language the GIFT file is written in; the other stays empty for a "
    "translator, and `content check` reports it until then.",
)
@click.option("--force", is_flag=True, help="Overwrite an existing output file.")
def import_gift_command(source: Path, course: str, out: Path, lang: str, force: bool) -> None:
    """Convert a Moodle GIFT file. Every question left out, and every loss or change in one
    converted (a weight, an image, formatting), is listed with its line; exit code 1 if any."""
    if out.exists() and not force:
        raise click.ClickException(f"{out} exists; use --force to overwrite it.")
    try:
        text = source.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as err:
        raise click.ClickException(
            f"{source} is not UTF-8 text: save it as UTF-8 (Moodle's export is) and try again."
        ) from err
    except OSError as err:
        raise click.ClickException(f"cannot read {source}: {err.strerror or err}") from err
    result = convert_gift(text, slug=out.stem, course=course, lang=lang, clause_ids=_clause_ids())
    for problem in result.problems:
        click.echo(f"{source}:{problem.line}: {problem.outcome}: {problem.message}", err=True)
    if not result.converted:
        raise click.ClickException("No question could be converted; nothing was written.")
    _write(out, result.yaml_text, force)
    click.echo(
        f"{result.converted} questions written to {out}; {_tally(result.problems)}. Next: "
        "fill the other language and the clauses, then run `flask --app app content check`."
    )
    if not result.is_faithful:
        raise SystemExit(1)


@quizzes_cli.command("export-gift")
@click.argument("slug", callback=_quiz_slug)
@click.option(
    "--lang", type=LANG_OPTION, default="vi", show_default=True, help="The language to export."
)
@click.option(
    "--out",
    "out",
    required=True,
    type=click.Path(path_type=Path, allow_dash=True),
    callback=_output_file,
    help="The GIFT file to write, e.g. phishing.gift; - writes to standard output.",
)
@click.option("--force", is_flag=True, help="Overwrite an existing output file.")
@click.option(
    "--fill-province",
    is_flag=True,
    help="Write the province's published settings in place of {{province.NAME}} (an empty "
    "one as the notice learners see), since Moodle cannot fill them in.",
)
def export_gift_command(slug: str, lang: str, out: Path, force: bool, fill_province: bool) -> None:
    """Write the quiz bank SLUG (quizzes/SLUG.yml) as a GIFT file Moodle imports. What
    Moodle cannot take as it is is listed with its line in the bank; exit code 1 if any."""
    quiz = _read_bank(slug)
    if fill_province:
        values = read_values()
        quiz = with_province(quiz, lambda name: values.value(name, lang) or missing_notice(lang))
    result = export_gift(quiz, lang)
    try:
        _write(out, result.text, force)
    except UnicodeEncodeError as err:  # a lone surrogate escaped every check
        raise click.ClickException(f"the bank holds text that is not UTF-8: {err}") from err
    for problem in result.problems:
        click.echo(f"{quiz.path}:{problem.line}: {problem.outcome}: {problem.message}", err=True)
    where = "standard output" if str(out) == "-" else str(out)
    click.echo(
        f"{result.exported} of {len(quiz.questions)} questions written to {where}; "
        f"{_tally(result.problems)}.",
        err=str(out) == "-",
    )
    if not result.is_faithful:
        raise SystemExit(1)


def _tally(problems: Sequence[GiftProblem]) -> str:
    left_out = sum(p.outcome == Outcome.LEFT_OUT for p in problems)
    changed = sum(p.outcome == Outcome.CHANGED for p in problems)
    notes = sum(p.outcome == Outcome.NOTE for p in problems)
    if not problems:
        return "nothing to report"
    return (
        f"listed above: {left_out} left out, {changed} {'change' if changed == 1 else 'changes'}"
        f", {notes} {'note' if notes == 1 else 'notes'}"
    )


def _read_bank(slug: str) -> QuizSource:
    folder = Path(current_app.config["QUIZZES_DIR"])
    path = folder / f"{slug}.yml"
    if not path.is_file():
        known = sorted(p.stem for p in folder.glob("*.yml")) if folder.is_dir() else []
        listed = ", ".join(known) if known else "none"
        raise click.ClickException(f"no quiz bank {slug!r} in {folder} (banks there: {listed}).")
    file = QuizFile.open(path)
    course = peek_course(file)
    quiz = read_quiz(
        file, clause_ids=_clause_ids(), course_slugs={course} if course else set(), seen_ids={}
    )
    if not quiz.is_loadable:
        for problem in quiz.problems:
            click.echo(problem.render(), err=True)
        raise click.ClickException(
            f"{path} has errors (listed above): fix them, check with "
            "`flask --app app content check`, and export again."
        )
    return quiz
