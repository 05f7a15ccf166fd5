"""First sign-in of people a roster brought in: by an e-mailed link through a real SMTP server,
or by a printed code; each works once, until it expires, and only with a good password."""

from __future__ import annotations

import io
import re
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from tests.helpers import PASSWORD
from tests.helpers import sign_in as sign_in_vi
from tests.smtp import smtp_inbox
from training.auth.models import SignInToken, TokenKind
from training.auth.tokens import issue_codes, issue_first_sign_in
from training.clock import utcnow
from training.extensions import db
from training.org.models import Person, Role

NEW_PASSWORD = "mây trắng bay về núi xa"
HEADER = "Mã cán bộ;Họ và tên;Email;Mã đơn vị\r\n"


def english(client) -> None:
    client.post("/language/en")


def text_of(response) -> str:
    page = re.sub(r"<(script|style)\b.*?</\1>", " ", response.get_data(as_text=True), flags=re.S)
    return " ".join(re.sub(r"<[^>]+>", " ", page).replace("&#39;", "'").split())


@pytest.fixture(autouse=True)
def _slips_written_in_tmp(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """The staff commands write their slip files to the working folder by default."""
    monkeypatch.chdir(tmp_path)


@pytest.fixture
def office(make_unit, make_user, app, monkeypatch, tmp_path):
    monkeypatch.setitem(app.config, "ROSTER_UPLOAD_FOLDER", str(tmp_path / "uploads"))
    unit = make_unit("SNV", name="Sở Nội vụ")
    officer = make_user(role=Role.UNIT_OFFICER, unit=unit, username="cntt.snv")
    return unit, officer


def import_roster(app, rows: str) -> str:
    """The officer imports a list through the pages; the response is the slips page."""
    client = app.test_client()
    sign_in_vi(client, "cntt.snv")
    english(client)
    preview = client.post(
        "/rosters/import",
        data={
            "file": (io.BytesIO((HEADER + rows).encode("utf-8-sig")), "ds.csv"),
            "unit_id": "0",
        },
        content_type="multipart/form-data",
    )
    page = preview.get_data(as_text=True)
    fields = {
        name: re.search(rf'name="{name}" type="hidden" value="([^"]+)"', page).group(1)
        for name in ("upload_id", "fingerprint")
    }
    done = client.post("/rosters/import/confirm", data=fields)
    assert done.status_code == 200, text_of(done)
    return done.get_data(as_text=True)


def test_first_sign_in_by_an_emailed_link(app, office, monkeypatch):
    with smtp_inbox(app, monkeypatch) as inbox:
        page = import_roster(app, "CB1;Trần Thị Hạnh;hanh@example.org;SNV\r\n")
        assert "1 person was sent a sign-in link by e-mail." in text_of_page(page)
        [mail] = inbox.to("hanh@example.org")
    body = mail.get_body(preferencelist=("plain",)).get_content()
    assert "hanh.tt" in body  # the username, with the link
    link = re.search(r"http://127\.0\.0\.1:5000(/auth/welcome/[A-Za-z0-9_-]+)", body).group(1)
    hanh = db.session.scalar(select(Person).where(Person.username == "hanh.tt"))
    token = db.session.scalar(select(SignInToken).where(SignInToken.person_id == hanh.id))
    assert token.kind == TokenKind.LINK
    assert link.rsplit("/", 1)[1] not in token.token_hash  # only a hash is kept

    client = app.test_client()
    english(client)
    page = text_of(client.get(link))
    assert "Trần Thị Hạnh, choose the password you will sign in with." in page
    weak = client.post(link, data={"password": "matkhau123", "confirm": "matkhau123"})
    assert "A password needs at least 15 characters." in text_of(weak)
    db.session.expire_all()
    assert hanh.password_hash is None

    done = client.post(link, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert done.status_code == 302
    assert "Trần Thị Hạnh" in client.get("/").get_data(as_text=True)  # signed in
    db.session.expire_all()
    assert hanh.password_hash is not None
    assert token.used_at is not None

    other = app.test_client()
    english(other)
    again = other.get(link)
    assert again.status_code == 410
    assert "This link or code was already used" in text_of(again)
    assert other.get("/auth/welcome/" + "A" * 43).status_code == 410
    sign_in_vi(other, "hanh.tt", NEW_PASSWORD)


def text_of_page(page: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", page).split())


def test_first_sign_in_by_a_printed_code(app, office):
    page = import_roster(app, "CB2;Lê Văn Khang;;SNV\r\n")
    code = re.search(r'class="slip-code">([A-Z0-9-]+)<', page).group(1)
    assert re.fullmatch(r"[2-9A-HJ-NP-Z]{5}-[2-9A-HJ-NP-Z]{5}", code)
    assert "khang.lv" in page

    client = app.test_client()
    english(client)
    assert "First time here" in text_of(client.get("/auth/login"))
    form = {"username": "khang.lv", "code": code.lower().replace("-", " "), "confirm": ""}
    mismatch = client.post(
        "/auth/first-sign-in", data={**form, "password": NEW_PASSWORD, "confirm": "khác"}
    )
    assert "The passwords differ." in text_of(mismatch)
    done = client.post(
        "/auth/first-sign-in", data={**form, "password": NEW_PASSWORD, "confirm": NEW_PASSWORD}
    )
    assert done.status_code == 302, text_of(done)
    assert "Lê Văn Khang" in client.get("/").get_data(as_text=True)

    again = app.test_client()
    english(again)
    used = again.post(
        "/auth/first-sign-in", data={**form, "password": NEW_PASSWORD, "confirm": NEW_PASSWORD}
    )
    assert "This link or code was already used" in text_of(used)


def test_expired_replaced_and_wrong_codes_change_nothing(app, office, make_user):
    unit, officer = office
    person = make_user(unit=unit, username="lan.pt", full_name="Phạm Thị Lan", password=None)
    [old] = issue_codes([person], actor=officer, now=utcnow() - timedelta(days=40))
    db.session.commit()
    client = app.test_client()
    english(client)

    def attempt(code: str, username: str = "lan.pt"):
        return client.post(
            "/auth/first-sign-in",
            data={
                "username": username,
                "code": code,
                "password": NEW_PASSWORD,
                "confirm": NEW_PASSWORD,
            },
        )

    expired = text_of(attempt(old.secret))
    assert "This link or code expired on" in expired
    assert "Ask your unit's IT officer for a new one." in expired

    [new] = issue_codes([person], actor=officer, now=utcnow())
    db.session.commit()
    assert "replaced by a newer one" in text_of(attempt(old.secret))
    assert "The username or the code is not right." in text_of(attempt("ABCDE-FGHJK"))
    assert "The username or the code is not right." in text_of(attempt(new.secret, "ai.do"))
    weak = client.post(
        "/auth/first-sign-in",
        data={"username": "lan.pt", "code": new.secret, "password": "abc", "confirm": "abc"},
    )
    assert "A password needs at least 15 characters." in text_of(weak)
    db.session.expire_all()
    assert person.password_hash is None
    assert db.session.scalars(
        select(SignInToken.used_at).where(SignInToken.person_id == person.id)
    ).all() == [None, None]


def test_guessing_codes_is_throttled_like_passwords(make_app, office, make_user):
    unit, officer = office
    person = make_user(unit=unit, username="lan.pt", password=None)
    [token] = issue_codes([person], actor=officer, now=utcnow())
    db.session.commit()
    app = make_app(LOGIN_FAILURES_PER_ACCOUNT="3 per 15 minutes")
    client = app.test_client()
    english(client)
    form = {"username": "lan.pt", "password": NEW_PASSWORD, "confirm": NEW_PASSWORD}
    for guess in ("22222-22222", "33333-33333", "44444-44444"):
        assert client.post("/auth/first-sign-in", data={**form, "code": guess}).status_code == 200
    blocked = client.post("/auth/first-sign-in", data={**form, "code": token.secret})
    assert blocked.status_code == 429
    assert "Too many failed sign-ins." in text_of(blocked)
    db.session.expire_all()
    assert person.password_hash is None


def test_a_person_with_a_password_gets_no_token(app, office, make_user):
    unit, officer = office
    learner = make_user(unit=unit, username="da.co", password=PASSWORD)
    assert issue_first_sign_in([learner], actor=officer, now=utcnow()) == []


def test_the_first_sign_in_forms_need_their_csrf_token(make_app, office, make_user):
    unit, officer = office
    person = make_user(unit=unit, username="lan.pt", password=None)
    [token] = issue_codes([person], actor=officer, now=utcnow())
    db.session.commit()
    client = make_app(WTF_CSRF_ENABLED=True).test_client()
    response = client.post(
        "/auth/first-sign-in",
        data={
            "username": "lan.pt",
            "code": token.secret,
            "password": NEW_PASSWORD,
            "confirm": NEW_PASSWORD,
        },
    )
    assert response.status_code == 400  # CSRFProtect refuses it before the view
    db.session.expire_all()
    assert person.password_hash is None


def test_a_command_line_import_mails_links_after_its_commit(app, office, monkeypatch, tmp_path):
    path = tmp_path / "ds.csv"
    path.write_bytes((HEADER + "CB3;Võ Minh Tâm;tam@example.org;SNV\r\n").encode("utf-8-sig"))
    with smtp_inbox(app, monkeypatch) as inbox:
        dry = app.test_cli_runner().invoke(args=["staff", "import", str(path), "--dry-run"])
        assert dry.exit_code == 0, dry.output
        assert inbox.messages == []  # a dry run sends nothing
        result = app.test_cli_runner().invoke(args=["staff", "import", str(path)])
        assert result.exit_code == 0, result.output
        [mail] = inbox.to("tam@example.org")
    body = mail.get_body(preferencelist=("plain",)).get_content()
    link = re.search(r"http://127\.0\.0\.1:5000(/auth/welcome/[A-Za-z0-9_-]+)", body).group(1)
    client = app.test_client()
    done = client.post(link, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert done.status_code == 302
    db.session.expire_all()
    assert db.session.scalar(select(Person).where(Person.username == "tam.vm")).password_hash
