"""Settings: nothing secret in code, nothing unsafe in production."""

from __future__ import annotations

import pytest

from training import create_app
from training.config import UnsafeConfiguration, finalise, settings_from_env


def test_secret_key_is_generated_once_and_kept(tmp_path):
    config: dict[str, object] = {}
    finalise(config, str(tmp_path))
    again: dict[str, object] = {}
    finalise(again, str(tmp_path))
    assert config["SECRET_KEY"] == again["SECRET_KEY"]
    assert len(str(config["SECRET_KEY"])) >= 64
    key_file = tmp_path / "secret_key"
    assert key_file.stat().st_mode & 0o077 == 0  # readable by the owner only
    assert "secret" not in str(config["SECRET_KEY"])


def test_development_app_gets_a_secret_without_one_in_the_environment(monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    assert len(create_app({"TESTING": True}).config["SECRET_KEY"]) >= 64


def test_production_refuses_an_unsafe_setup(monkeypatch):
    for name in ("SECRET_KEY", "DATABASE_URL", "RATELIMIT_STORAGE_URI"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("KHIEN_ENV", "production")
    with pytest.raises(UnsafeConfiguration) as raised:
        create_app()
    message = str(raised.value)
    assert "SECRET_KEY" in message
    assert "DATABASE_URL" in message
    assert "RATELIMIT_STORAGE_URI" in message


GOOD_KEY = "Q2x0bVdYc3N6N3pQd1JrTnVfaEo4dGJ5cUZhTTNlVmc"


def _production(monkeypatch, **env: str) -> None:
    settings = {
        "KHIEN_ENV": "production",
        "SECRET_KEY": GOOD_KEY,
        "DATABASE_URL": "postgresql://khien@db.internal/khien",
        "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379/0",
        "KHIEN_BASE_URL": "https://khien.angiang.gov.vn",
        **env,
    }
    for name, value in settings.items():
        monkeypatch.setenv(name, value)


def test_production_starts_with_a_safe_setup(monkeypatch):
    _production(monkeypatch)
    app = create_app()
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql+psycopg://")
    assert app.config["BASE_URL"] == "https://khien.angiang.gov.vn"


@pytest.mark.parametrize("mode", ["Production", "prod", "production ", "", "staging"])
def test_a_mistyped_mode_is_refused_not_run_as_development(monkeypatch, tmp_path, mode):
    monkeypatch.setenv("KHIEN_ENV", mode)
    with pytest.raises(UnsafeConfiguration, match="KHIEN_ENV"):
        create_app({"TESTING": True})
    assert not (tmp_path / "secret_key").exists()


@pytest.mark.parametrize(
    ("setting", "value", "complaint"),
    [
        ("SECRET_KEY", "a" * 32, "SECRET_KEY looks guessable"),
        ("SECRET_KEY", "changeme" * 4, "SECRET_KEY looks guessable"),
        ("SECRET_KEY", "0123456789abcdef" * 3, "SECRET_KEY looks guessable"),
        ("DATABASE_URL", "mysql://khien@db.internal/khien", "PostgreSQL"),
        ("KHIEN_BASE_URL", "http://khien.angiang.gov.vn", "KHIEN_BASE_URL"),
    ],
)
def test_production_refuses_weak_settings(monkeypatch, setting, value, complaint):
    _production(monkeypatch, **{setting: value})
    with pytest.raises(UnsafeConfiguration, match=complaint):
        create_app()


def test_a_generated_key_passes_the_entropy_check():
    import secrets

    from training.config import MIN_KEY_BITS, estimated_key_bits

    for _ in range(50):
        assert estimated_key_bits(secrets.token_urlsafe(32)) >= MIN_KEY_BITS
        assert estimated_key_bits(secrets.token_hex(32)) >= MIN_KEY_BITS


def test_environment_settings_are_read():
    settings = settings_from_env(
        {
            "DATABASE_URL": "postgres://u@h/d",
            "MAIL_PORT": "2525",
            "MAIL_USE_TLS": "yes",
            "KHIEN_DEFAULT_LOCALE": "en",
        }
    )
    assert settings["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://u@h/d"
    assert settings["MAIL_PORT"] == 2525
    assert settings["MAIL_USE_TLS"] is True
    assert settings["BABEL_DEFAULT_LOCALE"] == "en"


def test_default_database_is_sqlite_under_instance(monkeypatch):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    app = create_app({"TESTING": True, "SECRET_KEY": "x" * 40})
    uri = app.config["SQLALCHEMY_DATABASE_URI"]
    assert uri.startswith("sqlite:///")
    assert uri.endswith("instance/khien.db")
