"""The command line, as an administrator would use it: clear errors, non-zero exits, no
half-done work."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from tests.helpers import sign_in
from training.extensions import db
from training.org.models import Membership, Person, Role, Unit
from training.org.people import membership_history


@pytest.fixture
def cli(app, database):
    runner = app.test_cli_runner()

    def invoke(*args: str, input: str | None = None):
        result = runner.invoke(args=list(args), input=input)
        db.session.expire_all()
        return result

    return invoke


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_users_add_with_unknown_unit_fails_and_creates_nothing(cli):
    before = _count(Person)
    result = cli("users", "add", "lan.nguyen", "--name", "Nguyễn Thị Lan", "--unit", "NOWHERE")
    assert result.exit_code != 0
    assert "NOWHERE" in result.output
    assert "Không có đơn vị nào mang mã NOWHERE" in result.output
    assert _count(Person) == before


def test_users_add_creates_a_person_who_can_sign_in(app, cli):
    assert cli("units", "add", "SNV", "Sở Nội vụ", "--kind", "agency").exit_code == 0
    result = cli(
        "users",
        "add",
        "lan.nguyen",
        "--name",
        "Nguyễn Thị Lan",
        "--unit",
        "snv",
        "--classified",
        "--email",
        "lan@example.org",
        "--password-stdin",
        input="mật-khẩu-đủ-dài\n",
    )
    assert result.exit_code == 0, result.output
    person = db.session.scalar(select(Person).where(Person.username == "lan.nguyen"))
    assert person.drafts_classified
    assert person.is_priority
    assert person.unit.code == "SNV"
    client = app.test_client()
    sign_in(client, "lan.nguyen", "mật-khẩu-đủ-dài")


def test_users_add_normalises_names_to_nfc(cli):
    cli("units", "add", "SNV", "Sở Nội vụ")
    decomposed = "Nguye\u0302\u0303n Thi\u0323 Lan"  # "Nguyễn Thị Lan" typed with combining marks
    assert cli("users", "add", "lan", "--name", decomposed, "--unit", "SNV").exit_code == 0
    person = db.session.scalar(select(Person).where(Person.username == "lan"))
    assert person.full_name == "Nguyễn Thị Lan"


def test_users_add_refuses_a_short_password(cli):
    cli("units", "add", "SNV", "Sở Nội vụ")
    result = cli(
        "users", "add", "lan", "--name", "Lan", "--unit", "SNV", "--password-stdin", input="ngan\n"
    )
    assert result.exit_code != 0
    assert _count(Person) == 0


def test_users_add_refuses_a_taken_username(cli):
    cli("units", "add", "SNV", "Sở Nội vụ")
    cli("users", "add", "lan", "--name", "Lan", "--unit", "SNV")
    result = cli("users", "add", "LAN", "--name", "Lan khác", "--unit", "SNV")
    assert result.exit_code != 0
    assert _count(Person) == 1


def test_units_add_with_unknown_parent_fails_cleanly(cli):
    result = cli("units", "add", "X", "Đơn vị X", "--parent", "NOPE")
    assert result.exit_code != 0
    assert "NOPE" in result.output
    assert _count(Unit) == 0


def test_units_merge_keeps_history(cli):
    cli("units", "add", "KG", "Tỉnh Kiên Giang", "--kind", "province", "--on", "01/01/2016")
    cli(
        "units",
        "add",
        "STTTT",
        "Sở Thông tin và Truyền thông",
        "--parent",
        "KG",
        "--on",
        "01/01/2016",
    )
    cli("units", "add", "SKHCN", "Sở Khoa học và Công nghệ", "--parent", "KG", "--on", "01/01/2016")
    cli("users", "add", "minh", "--name", "Trần Văn Minh", "--unit", "STTTT")
    person = db.session.scalar(select(Person).where(Person.username == "minh"))
    # the person joined today; back-date the membership as if they had been there for years
    db.session.scalar(
        select(Membership).where(Membership.person_id == person.id)
    ).valid_from = date(2019, 5, 1)
    db.session.commit()

    result = cli("units", "merge", "STTTT", "--into", "SKHCN", "--on", "01/03/2025")
    assert result.exit_code == 0, result.output
    history = membership_history(db.session.get(Person, person.id))
    assert [(m.unit.code, m.valid_from, m.valid_to) for m in history] == [
        ("STTTT", date(2019, 5, 1), date(2025, 3, 1)),
        ("SKHCN", date(2025, 3, 1), None),
    ]
    listing = cli("units", "list", "--all").output
    assert "STTTT  Sở Thông tin và Truyền thông [retired 01/03/2025]" in listing


def test_units_move_under_own_descendant_is_refused(cli):
    cli("units", "add", "A", "Đơn vị A")
    cli("units", "add", "A-1", "Phòng A1", "--parent", "A")
    result = cli("units", "move", "A", "--parent", "A-1")
    assert result.exit_code != 0
    assert "A" in result.output
    assert db.session.scalar(select(Unit).where(Unit.code == "A")).parent_id is None


def test_units_retire_refuses_a_unit_with_people(cli):
    cli("units", "add", "A", "Đơn vị A")
    assert cli("users", "add", "an.le", "--name", "Lê An", "--unit", "A").exit_code == 0
    result = cli("units", "retire", "A")
    assert result.exit_code != 0
    assert db.session.scalar(select(Unit).where(Unit.code == "A")).retired_on is None


def test_bad_date_is_a_usage_error(cli):
    result = cli("units", "add", "A", "Đơn vị A", "--on", "31/02/2025")
    assert result.exit_code == 2
    assert "not a date" in result.output


def test_every_command_has_help(cli):
    for args in (
        ["init"],
        ["seed-demo"],
        ["units", "add"],
        ["units", "move"],
        ["units", "merge"],
        ["units", "retire"],
        ["units", "list"],
        ["users", "add"],
        ["users", "set-role"],
        ["users", "set-password"],
    ):
        result = cli(*args, "--help")
        assert result.exit_code == 0
        assert "Usage:" in result.output


def test_seed_demo_is_idempotent_and_prints_logins(cli):
    first = cli("seed-demo", "--force")
    assert first.exit_code == 0, first.output
    people = _count(Person)
    units = _count(Unit)
    assert people >= 60
    second = cli("seed-demo", "--force")
    assert second.exit_code == 0
    assert (_count(Person), _count(Unit)) == (people, units)
    for username in ("quantri", "cntt.snv", "hanh.tran", "khang.le"):
        assert username in second.output
    assert "khien-demo-2026" in second.output


def test_demo_has_the_shape_of_a_province_today(demo):
    kinds = {u.kind.value for u in db.session.scalars(select(Unit))}
    assert {"province", "agency", "commune", "ward", "special_zone", "division"} <= kinds
    people = db.session.scalars(select(Person)).all()
    assert sum(p.role == Role.ICT_ADMIN for p in people) >= 1
    assert sum(p.role == Role.UNIT_OFFICER for p in people) >= 10
    assert sum(p.drafts_classified for p in people) >= 3
    assert sum(p.is_it_staff for p in people) >= 10
    assert any(u.is_key_department for u in db.session.scalars(select(Unit)))


@pytest.mark.parametrize("username", ["quantri", "cntt.snv", "hanh.tran"])
def test_demo_logins_work(app, demo, username):
    client = app.test_client()
    sign_in(client, username, "khien-demo-2026")
    assert client.get("/").status_code == 200


def test_seed_demo_is_refused_in_production(app, cli, monkeypatch):
    monkeypatch.setitem(app.config, "KHIEN_ENV", "production")
    result = cli("seed-demo", "--force")  # not even forced
    assert result.exit_code != 0
    assert "production" in result.output
    assert _count(Unit) == 0


def test_seed_demo_writes_to_a_server_database_only_when_forced(make_app):
    """The demo logins share a published password: a development instance that happens to
    point at PostgreSQL (a mistyped KHIEN_ENV, say) must not receive them by accident."""
    app = make_app(SQLALCHEMY_DATABASE_URI="postgresql+psycopg://nobody@127.0.0.1:1/none")
    result = app.test_cli_runner().invoke(args=["seed-demo"])
    assert result.exit_code != 0
    assert "--force" in result.output


def test_cli_checks_lengths_and_visible_text_before_the_database(cli):
    """PostgreSQL refused over-long values with a traceback, SQLite stored them; both now get
    the same one-line message, and names with control or bidi characters are refused."""
    long = "x" * 201
    assert cli("units", "add", "SNV", long).exit_code == 1
    assert cli("units", "add", "SNV", "Sở \u202eNội vụ").exit_code == 1
    assert cli("units", "add", "SNV", "Sở Nội vụ").exit_code == 0
    cases = [
        ["--name", long],
        ["--name", "\u200b"],
        ["--name", "Lan\x1b[31m"],
        ["--name", "Lan\x07"],
        ["--name", "Lan", "--employee-id", "E" * 33],
        ["--name", "Lan", "--position", "p" * 201],
    ]
    for extra in cases:
        result = cli("users", "add", "lan", "--unit", "SNV", *extra)
        assert result.exit_code == 1, (extra, result.output)
        assert result.output.startswith("Error: ")
    assert _count(Person) == 0
    assert _count(Unit) == 1


def test_set_role_and_set_password_recover_a_province(app, cli):
    cli("units", "add", "SKHCN", "Sở Khoa học và Công nghệ")
    cli("users", "add", "quantri", "--name", "Quản trị", "--unit", "SKHCN", "--role", "ict_admin")
    cli("users", "add", "lan", "--name", "Lan", "--unit", "SKHCN")
    refused = cli("users", "set-role", "quantri", "learner")
    assert refused.exit_code == 1  # the last active admin stays
    assert cli("users", "set-role", "lan", "ict_admin").exit_code == 0
    assert cli("users", "set-role", "quantri", "learner").exit_code == 0
    result = cli("users", "set-password", "lan", input="một câu mật khẩu thật dài\n")
    assert result.exit_code == 0, result.output
    sign_in(app.test_client(), "lan", "một câu mật khẩu thật dài")
    weak = cli("users", "set-password", "lan", input="password12\n")
    assert weak.exit_code == 1
