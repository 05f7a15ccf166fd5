"""Attacks on signing in, each replayed: copied sessions, timing, guessing, a dead Redis."""

from __future__ import annotations

import os
import uuid
from typing import ClassVar

import pytest
import redis
from argon2 import PasswordHasher

from tests.helpers import PASSWORD, sign_in
from training.extensions import db
from training.org.models import Person, Role
from training.org.people import deactivate_person, set_password

NEW_PASSWORD = "một mật khẩu mới đủ dài"
LOCKED = "Đăng nhập sai quá nhiều lần"


def _copy_session(app, client):
    """Another browser holding the same cookie: what a thief on a shared PC would have."""
    thief = app.test_client()
    thief.set_cookie("session", client.get_cookie("session").value)
    return thief


@pytest.fixture
def victim(app, make_user):
    person = make_user(full_name="Lê Minh Khang")
    client = app.test_client()
    sign_in(client, person.username)
    return person, client


def test_a_copied_session_dies_with_sign_out(app, victim):
    _, client = victim
    thief = _copy_session(app, client)
    assert thief.get("/auth/profile").status_code == 200
    client.post("/auth/logout")
    assert thief.get("/auth/profile").status_code == 302


def test_a_password_change_ends_other_sessions_but_not_this_one(app, victim):
    _, client = victim
    thief = _copy_session(app, client)
    response = client.post(
        "/auth/profile",
        data={
            "password-current_password": PASSWORD,
            "password-new_password": NEW_PASSWORD,
            "password-confirm": NEW_PASSWORD,
            "password-submit": "1",
        },
    )
    assert response.status_code == 302
    assert client.get("/auth/profile").status_code == 200
    assert thief.get("/auth/profile").status_code == 302


def test_an_officers_reset_and_a_deactivation_end_sessions(app, victim, make_user):
    person, client = victim
    officer = make_user(role=Role.ICT_ADMIN)
    thief = _copy_session(app, client)
    set_password(db.session.get(Person, person.id), NEW_PASSWORD, actor=officer)
    db.session.commit()
    assert thief.get("/auth/profile").status_code == 302
    assert client.get("/auth/profile").status_code == 302
    fresh = app.test_client()
    sign_in(fresh, person.username, NEW_PASSWORD)
    deactivate_person(db.session.get(Person, person.id), actor=officer)
    db.session.commit()
    assert fresh.get("/auth/profile").status_code == 302


def test_a_forged_forwarded_for_does_not_carry_a_session_elsewhere(make_app, database, make_user):
    """Strong session protection reads the connecting address, not a header the client sends:
    a stolen cookie replayed from another address with the victim's address in
    X-Forwarded-For is refused."""
    app = make_app()
    person = make_user()
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = "10.1.1.1"
    sign_in(client, person.username)
    thief = _copy_session(app, client)
    thief.environ_base["REMOTE_ADDR"] = "192.0.2.66"
    forged = thief.get("/auth/profile", headers={"X-Forwarded-For": "10.1.1.1"})
    assert forged.status_code == 302
    assert client.get("/auth/profile").status_code == 200


def test_behind_a_trusted_proxy_the_forwarded_address_is_used(make_app, database, make_user):
    app = make_app(TRUSTED_PROXIES=1, LOGIN_FAILURES_PER_ADDRESS="2 per 15 minutes")
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = "127.0.0.1"  # the proxy
    for _ in range(2):
        client.post(
            "/auth/login",
            data={"username": f"x{uuid.uuid4().hex[:8]}", "password": "sai"},
            headers={"X-Forwarded-For": "203.0.113.7"},
        )
    person = make_user()
    elsewhere = client.post(
        "/auth/login",
        data={"username": person.username, "password": PASSWORD},
        headers={"X-Forwarded-For": "203.0.113.8"},
    )
    assert elsewhere.status_code == 302  # another office behind the same proxy is not blocked
    blocked = client.post(
        "/auth/login",
        data={"username": person.username, "password": PASSWORD},
        headers={"X-Forwarded-For": "203.0.113.7"},
    )
    assert blocked.status_code == 429


class _CountingHasher(PasswordHasher):
    calls: ClassVar[list[str]] = []

    def hash(self, password, *, salt=None):
        self.calls.append("hash")
        return super().hash(password, salt=salt)

    def verify(self, hash, password):
        self.calls.append("verify")
        return super().verify(hash, password)


@pytest.fixture
def counted(monkeypatch):
    from training import passwords

    monkeypatch.setattr(passwords, "PasswordHasher", _CountingHasher)
    passwords._hasher_for.cache_clear()
    passwords._dummy_hash.cache_clear()
    _CountingHasher.calls = []
    yield _CountingHasher.calls
    passwords._hasher_for.cache_clear()
    passwords._dummy_hash.cache_clear()


def test_every_failed_sign_in_costs_the_same_argon2_work(app, make_user, counted):
    """Unknown names used to cost two Argon2 runs and known ones one: a stopwatch told them
    apart. Now every path is exactly one verification (the dummy hash is made once)."""
    person = make_user()
    nopass = make_user(password=None)
    client = app.test_client()
    client.post("/auth/login", data={"username": "ai-do-khong-co", "password": "sai"})  # warm-up
    cases = {
        "unknown": "ai-do-khong-co",
        "wrong password": person.username,
        "no password yet": nopass.username,
    }
    for label, username in cases.items():
        counted.clear()
        client.post("/auth/login", data={"username": username, "password": "sai"})
        assert counted == ["verify"], label


def test_failed_sign_ins_lock_the_account_whatever_the_address(make_app, database, make_user):
    app = make_app(LOGIN_FAILURES_PER_ACCOUNT="5 per 15 minutes")
    person = make_user()
    for attempt in range(5):
        client = app.test_client()
        client.environ_base["REMOTE_ADDR"] = f"198.51.100.{attempt}"
        response = client.post("/auth/login", data={"username": person.username, "password": "x"})
        assert response.status_code == 200
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = "198.51.100.99"
    right = client.post("/auth/login", data={"username": person.username, "password": PASSWORD})
    assert right.status_code == 429  # even the right password waits out the lock
    page = right.get_data(as_text=True)
    assert LOCKED in page
    assert "15 phút" in page
    assert client.get("/").status_code == 302


def test_successful_sign_ins_are_not_counted(make_app, database, make_user):
    """Forty colleagues behind one office address all sign in."""
    app = make_app(LOGIN_FAILURES_PER_ADDRESS="3 per 15 minutes")
    for _ in range(12):
        person = make_user()
        client = app.test_client()
        client.environ_base["REMOTE_ADDR"] = "203.0.113.50"
        sign_in(client, person.username)


def test_failures_from_one_address_are_limited(make_app, database, make_user):
    app = make_app(LOGIN_FAILURES_PER_ADDRESS="3 per 15 minutes")
    client = app.test_client()
    codes = [
        client.post("/auth/login", data={"username": f"ten{i}", "password": "x"}).status_code
        for i in range(4)
    ]
    assert codes == [200, 200, 200, 429]


def _redis_url() -> str:
    url = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
    try:
        redis.Redis.from_url(url, socket_connect_timeout=2).ping()
    except redis.exceptions.ConnectionError:
        message = f"REDIS NOT REACHABLE AT {url}: the shared rate-limit test did not run"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return url


def test_failure_counts_are_shared_through_redis(make_app, database, make_user):
    """Production counts failures in Redis, so every worker sees the same count."""
    url = _redis_url()
    prefix = f"khien-test-{uuid.uuid4().hex}"
    first, second = (
        make_app(
            LOGIN_FAILURES_PER_ACCOUNT="2 per 15 minutes",
            RATELIMIT_STORAGE_URI=url,
            RATELIMIT_KEY_PREFIX=prefix,
        )
        for _ in range(2)
    )
    person = make_user()
    data = {"username": person.username, "password": "sai"}
    assert first.test_client().post("/auth/login", data=data).status_code == 200
    assert second.test_client().post("/auth/login", data=data).status_code == 200
    assert first.test_client().post("/auth/login", data=data).status_code == 429
    server = redis.Redis.from_url(url)
    assert server.keys(f"*{prefix}*")  # the counts really live in Redis
    server.delete(*server.keys(f"*{prefix}*"))


def test_sign_in_and_verification_survive_a_dead_redis(make_app, database, make_user, caplog):
    """With the rate-limit storage unreachable, sign-in and /verify keep working on per-process
    counters, and /healthz says so instead of "ok"."""
    app = make_app(
        RATELIMIT_STORAGE_URI="redis://127.0.0.1:1/0",  # nothing listens on port 1
        LOGIN_FAILURES_PER_ACCOUNT="2 per 15 minutes",
    )
    person = make_user()
    client = app.test_client()
    data = {"username": person.username, "password": "sai"}
    assert client.post("/auth/login", data=data).status_code == 200
    assert client.post("/auth/login", data=data).status_code == 200
    assert client.post("/auth/login", data=data).status_code == 429  # still counted, in memory
    assert "unreachable" in caplog.text
    other = make_user()
    assert (
        app.test_client()
        .post("/auth/login", data={"username": other.username, "password": PASSWORD})
        .status_code
        == 302
    )
    assert app.test_client().get("/verify/ABCD-EFGH-JKMN").status_code == 404
    health = app.test_client().get("/healthz")
    assert health.status_code == 200
    assert health.get_json() == {"status": "degraded", "database": "ok", "rate_limits": "fallback"}


def test_healthz_reports_the_limiter_storage(app, database):
    assert app.test_client().get("/healthz").get_json()["rate_limits"] == "ok"
