"""Vietnamese first, English on request, every string translated, dates dd/mm/yyyy."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, date, datetime
from pathlib import Path

from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

from tests.conftest import sign_in
from training.i18n import dateformat, datetimeformat

ROOT = Path(__file__).resolve().parent.parent
PO = ROOT / "training/translations/vi/LC_MESSAGES/messages.po"
MO = PO.with_suffix(".mo")


def test_sign_in_page_is_vietnamese_by_default(app, database):
    html = app.test_client().get("/auth/login").get_data(as_text=True)
    assert '<html lang="vi">' in html
    assert "Đăng nhập" in html


def test_visitor_can_switch_to_english(app, database):
    client = app.test_client()
    response = client.post("/language/en", data={"next": "/auth/login"})
    assert response.headers["Location"] == "/auth/login"
    html = client.get("/auth/login").get_data(as_text=True)
    assert '<html lang="en">' in html
    assert "Sign in to Khiên" in html


def test_signed_in_choice_is_remembered_on_the_account(app, make_user):
    person = make_user()
    client = app.test_client()
    sign_in(client, person.username)
    client.post("/language/en", data={"next": "/"})
    fresh = app.test_client()
    sign_in(fresh, person.username)
    assert "Hello, Nguyễn Văn An" in fresh.get("/").get_data(as_text=True)


def test_unknown_language_is_ignored(app, database):
    client = app.test_client()
    client.post("/language/fr")
    assert '<html lang="vi">' in client.get("/auth/login").get_data(as_text=True)


def test_every_message_is_translated_into_vietnamese(tmp_path):
    """Extract the messages afresh: a new string without a translation fails here."""
    pot = tmp_path / "messages.pot"
    subprocess.run(  # noqa: S603 - fixed arguments, our own interpreter
        [
            sys.executable,
            "-m",
            "babel.messages.frontend",
            "extract",
            "-F",
            "babel.cfg",
            "-k",
            "_l",
            "-k",
            "lazy_gettext",
            "--no-location",
            "-o",
            str(pot),
            ".",
        ],
        check=True,
        cwd=ROOT,
        capture_output=True,
    )
    with pot.open("rb") as handle:
        template = read_po(handle)
    with PO.open("rb") as handle:
        catalog = read_po(handle, locale="vi")
    problems = []
    for message in template:
        if not message.id:
            continue
        translated = catalog.get(message.id)
        if (
            translated is None
            or translated.fuzzy
            or not translated.string
            or (isinstance(translated.string, tuple) and not all(translated.string))
        ):
            problems.append(message.id)
    assert problems == []


def test_compiled_catalogue_matches_the_po_file():
    with PO.open("rb") as handle:
        catalog = read_po(handle, locale="vi")
    with MO.open("rb") as handle:
        compiled = read_mo(handle)

    def table(messages) -> dict[object, object]:
        return {_key(m.id): _key(m.string) for m in messages if m.id and m.string}

    expected, actual = table(catalog), table(compiled)
    assert actual == expected, "run: pybabel compile -d training/translations"


def _key(value: object) -> object:
    return tuple(value) if isinstance(value, list | tuple) else value


def test_dates_read_dd_mm_yyyy_in_vietnam_time(app):
    with app.test_request_context():
        assert dateformat(date(2025, 7, 1)) == "01/07/2025"
        # 20:30 UTC is already the next morning in Hà Nội
        assert datetimeformat(datetime(2025, 6, 30, 20, 30, tzinfo=UTC)) == "01/07/2025 03:30"
