"""`flask --app app report annual --year 2026 --out bao-cao.xlsx [--docx bao-cao.docx]`: the
yearly report to the People's Committee (D6b.9) from the console, the same figures and files as
the web download. The console sees the whole province."""

from __future__ import annotations

import io
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from training.errors import KhienError
from training.reports.annual import (
    LANGS,
    Count,
    build_annual,
    format_date,
    format_pct,
    format_value,
    pick,
)
from training.reports.annual_docx import write_annual_docx
from training.reports.annual_xlsx import write_annual_xlsx

FILE = click.Path(dir_okay=False, writable=True, path_type=Path)


@click.command("annual")
@click.option("--year", type=click.IntRange(2000, 9998), required=True, help="The report's year.")
@click.option("--out", "out", type=FILE, required=True, help="The workbook (.xlsx) to write.")
@click.option("--docx", "docx_out", type=FILE, help="Also the draft document (.docx) to write.")
@click.option("--lang", type=click.Choice(LANGS), default="vi", help="The workbook's language.")
@with_appcontext
def annual_command(year: int, out: Path, docx_out: Path | None, lang: str) -> None:
    """The yearly report: coverage at year end per agency and for priority staff, completions
    (turns) per month by source, in-person sessions, agencies below target, the year before."""
    try:
        report = build_annual(year, lang=lang)
    except KhienError as err:
        raise click.ClickException(err.message) from err
    # Rendered in memory first: a failure leaves no half-written file behind.
    workbook = io.BytesIO()
    write_annual_xlsx(workbook, report, lang=lang)
    document = io.BytesIO()
    if docx_out is not None:
        write_annual_docx(
            document,
            report,
            issuing_body=current_app.config["REPORT_ISSUING_BODY"],
            place=current_app.config["PROVINCE_NAME"],
        )
    out.write_bytes(workbook.getvalue())
    click.echo(pick(("Đã ghi: {path}", "Written: {path}"), lang).format(path=out))
    if docx_out is not None:
        docx_out.write_bytes(document.getvalue())
        click.echo(pick(("Đã ghi: {path}", "Written: {path}"), lang).format(path=docx_out))
    this = report.this_year
    click.echo(
        pick(
            (
                "{day}: {fully} người hoàn thành đầy đủ / {staff} người; tỷ lệ {pct}; "
                "{turns} lượt hoàn thành trong năm.",
                "{day}: {fully} people fully trained of {staff}; coverage {pct}; "
                "{turns} completions (turns) in the year.",
            ),
            lang,
        ).format(
            day=format_date(report.as_of),
            fully=format_value(this.staff_fully_trained, Count.PEOPLE, lang),
            staff=format_value(this.staff, Count.PEOPLE, lang),
            pct=format_pct(this.coverage_pct, lang),
            turns=format_value(report.completions, Count.TURNS, lang),
        )
    )
