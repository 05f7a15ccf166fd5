"""Test fixtures: one app per session built from the real migrations, a wiped database per test.

Set TEST_DATABASE_URL to run the same suite on PostgreSQL (CI does, after the SQLite run).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from flask import Flask, g
from flask_migrate import upgrade
from jinja2 import BytecodeCache
from jinja2.bccache import Bucket
from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url

from tests.helpers import PASSWORD, TODAY, Snapshots, copy_sample_content
from training import create_app
from training.clock import today_vn
from training.extensions import db, limiter
from training.org.models import Person, Role, Unit, UnitKind
from training.org.people import PersonData, create_person
from training.org.units import add_unit

pytest_plugins: list[str] = ["tests.query_count", "tests.assignment_world"]


class _CompiledTemplates(BytecodeCache):
    """Every app of the run compiles its templates into one store in memory. A run makes an
    app per worker and one more for each test that needs other settings; compiling all 73
    templates took about half a second per app. Jinja files each entry under its template and
    checks it against the template's source, so an edited template is compiled afresh."""

    def __init__(self) -> None:
        self._code: dict[str, bytes] = {}

    def load_bytecode(self, bucket: Bucket) -> None:
        code = self._code.get(bucket.key)
        if code is not None:
            bucket.bytecode_from_string(code)

    def dump_bytecode(self, bucket: Bucket) -> None:
        self._code[bucket.key] = bucket.bytecode_to_string()


_COMPILED = _CompiledTemplates()


def _test_app(config: dict[str, object]) -> Flask:
    app = _isolate_requests(create_app(config))
    app.jinja_env.bytecode_cache = _COMPILED
    return app


def _isolate_requests(app: Flask) -> Flask:
    """In production every request gets its own app context. In tests the test's own context
    is active, so Flask reuses it for each request and `g` would carry the signed-in user
    (Flask-Login), the locale (Flask-Babel) and the province settings read for the page from
    one request, or one client, to the next."""

    @app.before_request
    def _fresh_request_state() -> None:
        g.pop("_login_user", None)
        g.pop("_flask_babel", None)
        g.pop("province_values", None)

    return app


def _test_config(url: str) -> dict[str, object]:
    return {
        "TESTING": True,
        "SECRET_KEY": "test-secret-key-not-for-production-use",
        "WTF_CSRF_ENABLED": False,
        "SQLALCHEMY_DATABASE_URI": url,
        # The cheapest Argon2id there is: one pass over 64 KiB on one thread. With the four
        # lanes of production each hash started four threads, 4-6 ms a person made or signed in.
        "PASSWORD_TIME_COST": 1,
        "PASSWORD_MEMORY_COST": 64,
        "PASSWORD_PARALLELISM": 1,
        "RATELIMIT_ENABLED": True,
    }


@event.listens_for(Engine, "connect")
def _commit_without_fsync(dbapi_connection: Any, connection_record: Any) -> None:
    """A test database is thrown away, so waiting for the disk to confirm each of its commits
    buys nothing: a run makes some 1,800 (each test's wipe is one), and an fsync costs 1 ms on
    an idle disk, 5 on a busy one. Only what a power cut would leave behind changes."""
    if type(dbapi_connection).__module__.startswith("sqlite3"):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA synchronous=OFF")
        cursor.close()


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory, worker_id: str) -> Iterator[str]:
    """SQLite: a file of this run (of this worker, under pytest-xdist). PostgreSQL: the named
    empty database, or with several workers one database per worker beside it, created for
    the run and dropped after it, so that no two workers ever wipe each other's rows."""
    url = os.environ.get("TEST_DATABASE_URL")
    if url is None:
        yield f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"
        return
    if worker_id == "master":
        yield url
        return
    own = make_url(url)
    own = own.set(database=f"{own.database}_{worker_id}")
    admin = create_engine(own.set(database="postgres"), isolation_level="AUTOCOMMIT")
    name = admin.dialect.identifier_preparer.quote(own.database or "")
    with admin.connect() as conn:
        conn.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        conn.execute(text(f"CREATE DATABASE {name}"))
    try:
        yield own.render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        admin.dispose()


def _dispose(app: Flask) -> None:
    """Close pooled connections now rather than leave them to the garbage collector."""
    with app.app_context():
        for engine in db.engines.values():
            engine.dispose()


@pytest.fixture(scope="session")
def app(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    config = _test_config(database_url)
    config["EXPORTS_DIR"] = str(tmp_path_factory.mktemp("exports"))  # never the repo's instance/
    app = _test_app(config)
    with app.app_context():
        upgrade()
    yield app
    _dispose(app)


@pytest.fixture
def make_app(database_url: str) -> Iterator[Callable[..., Flask]]:
    """A second app on the same database with other settings (CSRF on, a low rate limit).
    Its connections are closed at the end of the test, not left to the garbage collector."""
    made: list[Flask] = []
    # The rate limiter is one object bound to the last app that initialised it (one app per
    # process in production); put back the session app's storage afterwards, so a second app
    # pointed at another (or a dead) Redis does not leak into later tests.
    limiter_state = dict(vars(limiter))

    def _make(**overrides: object) -> Flask:
        made.append(_test_app({**_test_config(database_url), **overrides}))
        return made[-1]

    yield _make
    for other in made:
        _dispose(other)
    vars(limiter).clear()
    vars(limiter).update(limiter_state)


@pytest.fixture
def database(app: Flask) -> Iterator[object]:
    with app.app_context():
        for table in reversed(db.metadata.sorted_tables):  # wipe first: a crashed run can't leak
            db.session.execute(table.delete())
        db.session.commit()
        limiter.reset()
        yield db
        db.session.rollback()


@pytest.fixture(scope="session")
def snapshots() -> Snapshots:
    """Slow database states, built once per run: see `tests.helpers.Snapshots`."""
    return Snapshots()


@pytest.fixture
def demo(app: Flask, database: object, snapshots: Snapshots) -> date:
    """The database as `seed-demo` leaves it (the curriculum, the demo province and its year and
    a half of training), built once per run and put back for each test; the day it was seeded.
    """
    today = today_vn()

    def build() -> None:
        result = app.test_cli_runner().invoke(args=["seed-demo", "--force"])
        assert result.exit_code == 0, result.output

    snapshots.use(("seed-demo", today), build)
    db.session.expire_all()
    return today


@pytest.fixture
def make_unit(database: object) -> Callable[..., Unit]:
    counter = iter(range(1, 10_000))

    def _make(
        code: str | None = None,
        *,
        parent: Unit | None = None,
        kind: UnitKind = UnitKind.AGENCY,
        key: bool = False,
        name: str | None = None,
        today: date = TODAY,
    ) -> Unit:
        code = code or f"U{next(counter)}"
        unit = add_unit(
            code,
            name or f"Đơn vị {code}",
            kind=kind,
            parent=parent,
            is_key_department=key,
            today=today,
        )
        db.session.commit()
        return unit

    return _make


@pytest.fixture
def make_user(make_unit: Callable[..., Unit]) -> Callable[..., Person]:
    counter = iter(range(1, 10_000))

    def _make(
        *,
        role: Role = Role.LEARNER,
        unit: Unit | None = None,
        username: str | None = None,
        full_name: str = "Nguyễn Văn An",
        password: str | None = PASSWORD,
        classified: bool = False,
        it_staff: bool = False,
        unit_head: bool = False,
        today: date = TODAY,
    ) -> Person:
        unit = unit or make_unit()
        data = PersonData(
            username=username or f"user{next(counter)}",
            full_name=full_name,
            unit=unit,
            role=role,
            drafts_classified=classified,
            is_it_staff=it_staff,
            is_unit_head=unit_head,
        )
        person = create_person(data, actor=None, password=password, today=today)
        db.session.commit()
        return person

    return _make


@pytest.fixture
def content(tmp_path: Path, app: Flask, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private copy of the sample content, which the session app reads for this test."""
    root = copy_sample_content(tmp_path / "content")
    monkeypatch.setitem(app.config, "COURSES_DIR", str(root / "courses"))
    monkeypatch.setitem(app.config, "QUIZZES_DIR", str(root / "quizzes"))
    return root


@pytest.fixture
def sync(app: Flask, database: object) -> Callable[[], object]:
    """Runs `content sync` as an administrator would; the session sees what it loaded."""
    runner = app.test_cli_runner()

    def _sync() -> object:
        result = runner.invoke(args=["content", "sync"])
        db.session.expire_all()
        return result

    return _sync
