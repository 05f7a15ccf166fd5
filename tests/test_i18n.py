"""Vietnamese first, English on request, every string translated, dates dd/mm/yyyy."""

from __future__ import annotations

import functools
import re
import subprocess
import sys
from datetime import UTC, date, datetime
from html.parser import HTMLParser
from pathlib import Path

import pytest
import wtforms
from babel.messages.catalog import Catalog
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po
from flask import render_template_string, session
from flask_babel import force_locale, refresh
from markupsafe import Markup

from tests.helpers import sign_in
from training.extensions import db
from training.i18n import dateformat, datetimeformat
from training.org.models import Role, UnitKind
from training.org.units import set_key_department

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
        naive_utc = datetime(2025, 6, 30, 20, 30)  # noqa: DTZ001 - how a naive value is read
        assert datetimeformat(naive_utc) == "01/07/2025 03:30"
        assert dateformat(datetime(2025, 6, 30, 20, 30, tzinfo=UTC)) == "01/07/2025"


def test_templates_follow_a_language_changed_within_the_request(app):
    """The template's catalogue is found once per request, yet `force_locale` (mail in the
    recipient's language) and `refresh` (after a switch) still change it."""
    template = (
        '{{ _("Home") }}|{{ ngettext("%(num)d lesson", "%(num)d lessons", 2) }}|'
        '{{ _("x%(num)s", num="<b>") }}'
    )
    with app.test_request_context():
        assert render_template_string(template) == "Trang chủ|2 bài|x&lt;b&gt;"
        with force_locale("en"):
            assert render_template_string(template) == "Home|2 lessons|x&lt;b&gt;"
        assert render_template_string(template) == "Trang chủ|2 bài|x&lt;b&gt;"
        session["lang"] = "en"
        refresh()
        assert render_template_string(template) == "Home|2 lessons|x&lt;b&gt;"


def test_a_kept_sentence_never_trades_escaped_for_trusted_text(app):
    """Formatted sentences are kept by their text and variables: markup and a plain string
    with the same characters are equal in Python, yet only the plain one is escaped, in
    whichever order they come; a sentence with a value of another kind is formatted afresh."""
    template = '{{ _("Hello, %(name)s", name=name) }}'
    trusted, typed = Markup("<b>An</b>"), "<b>An</b>"
    with app.test_request_context():
        assert render_template_string(template, name=typed) == "Xin chào, &lt;b&gt;An&lt;/b&gt;"
        assert render_template_string(template, name=trusted) == "Xin chào, <b>An</b>"
        assert render_template_string(template, name=typed) == "Xin chào, &lt;b&gt;An&lt;/b&gt;"
        assert render_template_string(template, name=trusted) == "Xin chào, <b>An</b>"
        assert render_template_string(template, name=1) == "Xin chào, 1"
        assert render_template_string(template, name=True) == "Xin chào, True"  # 1 == True
        assert render_template_string(template, name=2.5) == "Xin chào, 2.5"
        unescaped = render_template_string(
            '{% autoescape false %}{{ _("Hello, %(name)s", name=name) }}{% endautoescape %}',
            name=typed,
        )
        assert unescaped == "Xin chào, <b>An</b>"


# --- WTForms' own messages --------------------------------------------------------------------

WTFORMS_POT = Path(wtforms.__file__).parent / "locale" / "wtforms.pot"


def _read_catalogue(path: Path, locale: str | None = None) -> Catalog:
    with path.open("rb") as handle:
        return read_po(handle, locale=locale)


def test_every_wtforms_message_is_translated_in_our_catalogue():
    """WTForms ships no Vietnamese; its messages live in our catalogue (training/form_messages.py
    lists them for `pybabel extract`). A WTForms upgrade that adds or rewords one fails here."""
    ours = _read_catalogue(PO, locale="vi")
    missing = []
    for message in _read_catalogue(WTFORMS_POT):
        if not message.id:
            continue
        key = message.id[0] if isinstance(message.id, tuple) else message.id
        translated = ours.get(key)
        if (
            translated is None
            or translated.id != message.id
            or translated.fuzzy
            or not all(translated.string if translated.pluralizable else [translated.string])
        ):
            missing.append(message.id)
    assert missing == []


@pytest.mark.parametrize(
    ("lang", "required", "too_long"),
    [
        ("vi", "Trường này là bắt buộc.", "Chỉ được nhập tối đa 64 ký tự."),
        ("en", "This field is required.", "Field cannot be longer than 64 characters."),
    ],
)
def test_form_errors_speak_the_page_language(app, database, lang, required, too_long):
    client = app.test_client()
    client.post(f"/language/{lang}")
    empty = client.post("/auth/login", data={}).get_data(as_text=True)
    assert required in empty
    long_name = client.post("/auth/login", data={"username": "x" * 65, "password": "p"})
    assert too_long in long_name.get_data(as_text=True)


def test_wtforms_english_when_wtf_i18n_is_disabled(app, database, monkeypatch):
    """Flask-WTF's switch keeps its meaning: off, WTForms' messages stay in its English."""
    monkeypatch.setitem(app.config, "WTF_I18N_ENABLED", False)
    html = app.test_client().post("/auth/login", data={}).get_data(as_text=True)
    assert '<html lang="vi">' in html
    assert "This field is required." in html


# --- no English on a Vietnamese page ---------------------------------------------------------

PLACEHOLDER = re.compile(r"%(?:\([^)]*\))?[-#0 +]*\d*(?:\.\d+)?[sdfir%]")
MIN_LETTERS = 4


class _VisibleText(HTMLParser):
    """What a reader sees, or hears from a screen reader: the text of the page outside
    <script>/<style>, plus the attributes shown or read aloud (a tooltip, a placeholder, an
    aria-label, an image's alt, the label of an <input type="submit">)."""

    SHOWN_ATTRIBUTES = ("title", "alt", "placeholder", "aria-label")

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style", "template"):
            self._hidden += 1
        values = dict(attrs)
        self.parts += [values[name] or "" for name in self.SHOWN_ATTRIBUTES if name in values]
        if tag == "input" and values.get("type") in ("submit", "button", "reset"):
            self.parts.append(values.get("value") or "")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style", "template") and self._hidden:
            self._hidden -= 1

    def handle_data(self, data: str) -> None:
        if not self._hidden:
            self.parts.append(data)


def visible_text(html: str) -> str:
    parser = _VisibleText()
    parser.feed(html)
    parser.close()
    return " ".join(" ".join(parser.parts).split())


@functools.cache
def english_messages() -> tuple[tuple[str, re.Pattern[str], str], ...]:
    """Every English message a Vietnamese page must not show: the msgids of our catalogue
    (messages.pot) and of WTForms' (its own messages are shown through ours), singular and plural.

    Left out, because they would match innocent Vietnamese text: messages with fewer than
    MIN_LETTERS letters outside their placeholders ("All", "No", "%(name)s (%(code)s)"), and
    messages whose Vietnamese is the English itself (proper names such as "Khiên"). A placeholder
    matches any short run of text, and a message matches only as whole words, case-sensitively.

    Each comes with its longest fixed part: text without it cannot match the pattern, and a
    plain substring test rules out most messages for most pages far faster than the pattern.
    """
    same_in_vietnamese = set()
    for message in _read_catalogue(PO, locale="vi"):
        forms = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        same_in_vietnamese.update(form for form in forms if form and form in strings)
    ids: set[str] = set()
    for template in (
        _read_catalogue(ROOT / "training/translations/messages.pot"),
        _read_catalogue(WTFORMS_POT),
    ):
        for message in template:
            if message.id:
                ids.update(message.id if isinstance(message.id, tuple) else (message.id,))
    patterns = []
    for msgid in sorted(ids - same_in_vietnamese):
        text = " ".join(msgid.split())
        fixed = PLACEHOLDER.split(text)
        if sum(ch.isalpha() for part in fixed for ch in part) < MIN_LETTERS:
            continue
        body = r".{1,120}?".join(re.escape(part) for part in fixed)
        start = r"(?<!\w)" if re.match(r"\w", text) else ""
        end = r"(?!\w)" if re.search(r"\w$", text) else ""
        patterns.append((msgid, re.compile(start + body + end), max(fixed, key=len)))
    return tuple(patterns)


def english_on(text: str) -> list[str]:
    return [
        msgid
        for msgid, pattern, needle in english_messages()
        if needle in text and pattern.search(text)
    ]


def test_english_detector_catches_wtforms_and_our_messages():
    assert english_on("Tên đăng nhập This field is required. Mật khẩu") == [
        "This field is required."
    ]
    assert english_on("Field must be between 10 and 256 characters long.") == [
        "Field must be between %(min)d and %(max)d characters long."
    ]
    assert "Sign in to Khiên" in english_on("Sign in to Khiên")
    assert english_on("Đăng nhập vào Khiên · Tất cả · Có · Không") == []


@pytest.fixture
def province(make_unit, make_user, content, sync):
    """A province, an agency with a key division, one person per role, the sample course."""
    assert sync().exit_code == 0
    top = make_unit("AG", kind=UnitKind.PROVINCE, name="Tỉnh An Giang", today=date(2025, 7, 1))
    agency = make_unit("SNV", parent=top, name="Sở Nội vụ", today=date(2025, 7, 1))
    division = make_unit(
        "SNV-TCBC",
        parent=agency,
        kind=UnitKind.DIVISION,
        key=True,
        name="Phòng Tổ chức",
        today=date(2025, 7, 1),
    )
    spare = make_unit(  # founded before the merger its page is asked to confirm (01/09/2026)
        "SNV-VT",
        parent=agency,
        kind=UnitKind.DIVISION,
        name="Phòng Văn thư",
        today=date(2025, 7, 1),
    )
    set_key_department(division, False, today=date(2026, 1, 5))
    db.session.commit()
    people = {
        "learner": make_user(unit=division, username="hoc.vien", classified=True),
        "officer": make_user(role=Role.UNIT_OFFICER, unit=agency, username="cntt.snv"),
        "admin": make_user(role=Role.ICT_ADMIN, unit=top, username="quantri"),
    }
    return {"top": top, "agency": agency, "division": division, "spare": spare, **people}


BAD_PROFILE = [
    {"profile-email": "x" * 300, "profile-locale": "fr", "profile-submit": "y"},
    {"password-submit": "y"},
    {
        "password-current_password": "sai",
        "password-new_password": "x" * 300,
        "password-confirm": "khác",
        "password-submit": "y",
    },
]


def _pages(client, visits, *, signed_in: bool) -> dict[str, str]:
    """Each visit is a URL (GET) or (URL, form data) (POST, following the redirect)."""
    seen = {}
    for number, visit in enumerate(visits, start=1):
        url, data = (visit, None) if isinstance(visit, str) else visit
        if data is None:
            response = client.get(url)
        else:
            response = client.post(url, data=data, follow_redirects=True)
        assert response.status_code < 500, url
        assert not signed_in or response.request.path != "/auth/login", f"signed out by {url}"
        html = response.get_data(as_text=True)
        assert '<html lang="vi">' in html, url
        key = f"{number}. GET {url}" if data is None else f"{number}. POST {url} {sorted(data)}"
        seen[key] = visible_text(html)
    return seen


def _manager_visits(province) -> list[object]:
    learner, unit = province["learner"], province["agency"]
    bad_person = {
        "full_name": "",
        "username": "ab",
        "unit_id": "999999",
        "role": "chief",
        "email": "x" * 300,
        "employee_id": "x" * 40,
        "password": "x" * 300,
    }
    return [
        "/",
        "/people",
        "/people?q=" + "x" * 120 + "&unit_id=abc&role=chief&status=gone&page=2",
        "/people/new",
        ("/people/new", {}),
        ("/people/new", bad_person),
        f"/people/{learner.id}",
        f"/people/{learner.id}/edit",
        (f"/people/{learner.id}/edit", bad_person),
        "/units",
        "/units?retired=1",
        f"/units/{unit.id}",
        f"/units/{province['division'].id}",
        (f"/units/{province['division'].id}/key", {"key-is_key_department": "y"}),
        "/assignments/status",
        "/assignments/status?unit_id=abc&course_id=999999&status=gone&on=32/13/2026&page=2",
        "/assignments/",
        "/assignments/new",
        ("/assignments/new", {}),
        ("/assignments/new", {"target": "named", "deadline": "date", "due_days": "x" * 5}),
        f"/people/{learner.id}/training",
        "/auth/profile",
        *[("/auth/profile", data) for data in BAD_PROFILE],
    ]


def _visits(role: str, province) -> list[object]:
    common = ["/courses/", "/courses/sample", "/courses/sample/lessons/01-intro", "/certificates/"]
    if role == "anonymous":
        return [
            "/auth/login",
            ("/auth/login", {}),
            ("/auth/login", {"username": "x" * 100, "password": "x" * 300}),
            ("/auth/login", {"username": "hoc.vien", "password": "sai-mật-khẩu"}),
            "/verify",
            "/verify/ABCD-EFGH-JKLM",
            "/no-such-page",
        ]
    if role == "learner":
        return ["/", *common, "/auth/profile", *[("/auth/profile", d) for d in BAD_PROFILE]]
    visits = _manager_visits(province)
    if role == "admin":
        top, spare, agency = province["top"], province["spare"], province["agency"]
        visits += [
            f"/units/{top.id}",
            "/units/new",
            ("/units/new", {}),
            ("/units/new", {"code": "x" * 40, "name": "", "kind": "castle", "parent_id": "abc"}),
            (
                f"/units/{spare.id}/move",
                {"move-parent_id": "abc", "move-effective_on": "32/13/2025"},
            ),
            (f"/units/{spare.id}/rename", {"rename-name": ""}),
            (
                f"/units/{spare.id}/merge",
                {"merge-into_id": top.id, "merge-effective_on": "hôm qua"},
            ),
            (
                f"/units/{spare.id}/merge",
                {"merge-into_id": agency.id, "merge-effective_on": "01/09/2026"},
            ),
            (
                f"/units/{spare.id}/merge",
                {
                    "merge-into_id": agency.id,
                    "merge-effective_on": "01/09/2026",
                    "merge-confirmed_people": "0",
                },
            ),
            f"/units/{spare.id}",
            "/units?retired=1",
            "/content/",
        ]
    return visits + common


@pytest.mark.parametrize("role", ["anonymous", "learner", "officer", "admin"])
def test_vietnamese_pages_show_no_english_message(app, province, role):
    """The pages each role reaches in Vietnamese, forms sent empty or wrong included so that their
    error messages show, contain none of the English messages of our catalogue (messages.pot) or
    of WTForms' (wtforms.pot), looked for in the visible text (see `visible_text`).

    The rule, in `english_messages`: a message is looked for as whole words, case-sensitively,
    each placeholder standing for any short text. Very short messages, with fewer than
    MIN_LETTERS letters outside their placeholders ("All", "No", "%(name)s (%(code)s)"), and those
    whose Vietnamese is the English itself (proper names such as "Khiên") are not looked for:
    they would match innocent Vietnamese text or names."""
    client = app.test_client()
    if role != "anonymous":
        sign_in(client, province[role].username)
    pages = _pages(client, _visits(role, province), signed_in=role != "anonymous")
    english = [f"{page}: {found}" for page, text in pages.items() if (found := english_on(text))]
    assert not english, "English on Vietnamese pages:\n" + "\n".join(english)
