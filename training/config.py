"""Configuration: safe defaults in code, everything site-specific from the environment.

No secret lives in code. Without `SECRET_KEY` in the environment a development site generates one
once and keeps it in `instance/`, so sessions survive a restart; a production site refuses to start
instead, along with any other setting that would be unsafe in front of real users.
"""

from __future__ import annotations

import math
import os
import secrets
from collections import Counter
from collections.abc import Mapping
from pathlib import Path
from typing import Any, ClassVar
from urllib.parse import urlsplit

from training.clock import VN_TZ


class UnsafeConfiguration(RuntimeError):
    """Raised at start-up in production mode; the message lists every problem at once."""


MODES = ("development", "production")


class DefaultConfig:
    KHIEN_ENV = "development"
    BABEL_DEFAULT_LOCALE = "vi"
    BABEL_DEFAULT_TIMEZONE = VN_TZ.key  # the one zone every date and time is shown in
    LANGUAGES = ("vi", "en")
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = False
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    PERMANENT_SESSION_LIFETIME = 8 * 3600  # one working day
    WTF_CSRF_TIME_LIMIT = 8 * 3600
    MAX_CONTENT_LENGTH = 5 * 1024 * 1024
    RATELIMIT_STORAGE_URI = "memory://"
    RATELIMIT_STRATEGY = "moving-window"
    RATELIMIT_HEADERS_ENABLED = True
    # If the shared storage (Redis) stops answering, limits are counted per process rather than
    # failing every request; a short timeout keeps a dead server from stalling each request.
    RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = True
    RATELIMIT_SWALLOW_ERRORS = True
    RATELIMIT_STORAGE_OPTIONS: ClassVar[dict[str, float]] = {
        "socket_connect_timeout": 1,
        "socket_timeout": 1,
    }
    # Failed sign-ins only (successes are free): per account, and per client address.
    LOGIN_FAILURES_PER_ACCOUNT = "10 per 15 minutes"
    LOGIN_FAILURES_PER_ADDRESS = "50 per 15 minutes"
    # Reverse proxies in front of the site that may set X-Forwarded-For/-Proto (0: none, the
    # client's own address is used and such headers are ignored).
    TRUSTED_PROXIES = 0
    # The site's public address, printed on certificates for verification; never taken from
    # the request's Host header. Required in production.
    BASE_URL = "http://127.0.0.1:5000"
    # No server: mail is written to the log instead (and commands say so), never lost silently.
    MAIL_SERVER: str | None = None
    MAIL_PORT = 25
    MAIL_USE_TLS = False  # STARTTLS on MAIL_PORT (587)
    MAIL_USE_SSL = False  # TLS from the first byte (465)
    MAIL_USERNAME: str | None = None
    MAIL_PASSWORD: str | None = None
    MAIL_DEFAULT_SENDER = "khien@localhost"
    # Argon2id parameters (argon2-cffi's RFC 9106 low-memory profile); tests lower them.
    PASSWORD_TIME_COST = 3
    PASSWORD_MEMORY_COST = 65536
    PASSWORD_PARALLELISM = 4  # lanes, each hashed on a thread of its own
    PEOPLE_PER_PAGE = 50
    # Staff roster uploads (CSV or XLSX): the file, its data rows, one cell, and what an XLSX
    # (a ZIP of XML) may unpack to. `finalise` raises MAX_CONTENT_LENGTH to fit the file.
    ROSTER_MAX_BYTES = 5 * 1024 * 1024
    ROSTER_MAX_ROWS = 20_000
    ROSTER_MAX_CELL = 300
    ROSTER_MAX_UNZIPPED = 50 * 1024 * 1024
    # How long an uploaded roster waits, on the server, for the officer to confirm its preview,
    # and where (None: instance/roster-uploads; with several servers, a folder they share).
    ROSTER_UPLOAD_MINUTES = 60
    ROSTER_UPLOAD_FOLDER: str | None = None
    # Background exports: on RQ when REDIS_URL is set (`rq worker --url $REDIS_URL khien`), else
    # in a thread of the web process. Files wait EXPORT_TTL_HOURS for their owner in EXPORTS_DIR
    # (None: instance/exports; web servers and workers must all see the same folder).
    REDIS_URL: str | None = None
    EXPORTS_DIR: str | None = None
    EXPORT_TTL_HOURS = 24
    # The yearly report to the People's Committee (D6b.9): the province, which is also the
    # place name of its date line, and the department that issues and signs it.
    PROVINCE_NAME = "An Giang"
    REPORT_ISSUING_BODY = "Sở Khoa học và Công nghệ"


def _env_bool(value: str) -> bool:
    return value.strip().lower() in {"1", "true", "yes", "on"}


def settings_from_env(environ: Mapping[str, str] | None = None) -> dict[str, Any]:
    """Only variables that are set become settings, so defaults stay in one place."""
    env = os.environ if environ is None else environ
    settings: dict[str, Any] = {}
    direct = {
        "KHIEN_ENV": "KHIEN_ENV",
        "DATABASE_URL": "SQLALCHEMY_DATABASE_URI",
        "SECRET_KEY": "SECRET_KEY",
        "RATELIMIT_STORAGE_URI": "RATELIMIT_STORAGE_URI",
        "MAIL_SERVER": "MAIL_SERVER",
        "MAIL_USERNAME": "MAIL_USERNAME",
        "MAIL_PASSWORD": "MAIL_PASSWORD",
        "MAIL_DEFAULT_SENDER": "MAIL_DEFAULT_SENDER",
        "KHIEN_DEFAULT_LOCALE": "BABEL_DEFAULT_LOCALE",
        "KHIEN_BASE_URL": "BASE_URL",
        "LOGIN_FAILURES_PER_ACCOUNT": "LOGIN_FAILURES_PER_ACCOUNT",
        "LOGIN_FAILURES_PER_ADDRESS": "LOGIN_FAILURES_PER_ADDRESS",
        "KHIEN_COURSES_DIR": "COURSES_DIR",
        "KHIEN_QUIZZES_DIR": "QUIZZES_DIR",
        "REDIS_URL": "REDIS_URL",
        "KHIEN_EXPORTS_DIR": "EXPORTS_DIR",
        "KHIEN_PROVINCE_NAME": "PROVINCE_NAME",
        "KHIEN_REPORT_ISSUING_BODY": "REPORT_ISSUING_BODY",
    }
    for var, key in direct.items():
        if env.get(var):
            settings[key] = env[var]
    if "KHIEN_ENV" in env:  # checked in `finalise`: a typo must not run as development
        settings["KHIEN_ENV"] = env["KHIEN_ENV"]
    for var, key in (
        ("MAIL_PORT", "MAIL_PORT"),
        ("KHIEN_TRUSTED_PROXIES", "TRUSTED_PROXIES"),
        ("ROSTER_MAX_BYTES", "ROSTER_MAX_BYTES"),
        ("ROSTER_MAX_ROWS", "ROSTER_MAX_ROWS"),
        ("ROSTER_MAX_CELL", "ROSTER_MAX_CELL"),
        ("ROSTER_MAX_UNZIPPED", "ROSTER_MAX_UNZIPPED"),
        ("EXPORT_TTL_HOURS", "EXPORT_TTL_HOURS"),
    ):
        if env.get(var):
            try:
                settings[key] = int(env[var])
            except ValueError as err:
                raise UnsafeConfiguration(f"{var} must be a whole number.") from err
    for var in ("MAIL_USE_TLS", "MAIL_USE_SSL"):
        if env.get(var):
            settings[var] = _env_bool(env[var])
    url = settings.get("SQLALCHEMY_DATABASE_URI", "")
    if url.startswith("postgres://"):  # the scheme Heroku-style platforms hand out
        settings["SQLALCHEMY_DATABASE_URI"] = "postgresql+psycopg://" + url.removeprefix(
            "postgres://"
        )
    elif url.startswith("postgresql://"):
        settings["SQLALCHEMY_DATABASE_URI"] = "postgresql+psycopg://" + url.removeprefix(
            "postgresql://"
        )
    return settings


def default_database_uri(instance_path: str) -> str:
    return f"sqlite:///{Path(instance_path) / 'khien.db'}"


def instance_secret_key(instance_path: str) -> str:
    """Generate the development secret once; later starts read it back."""
    path = Path(instance_path) / "secret_key"
    if path.exists():
        return path.read_text(encoding="ascii").strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(key)
    return key


def estimated_key_bits(key: str) -> float:
    """A rough upper bound of a key's randomness: its length times the Shannon entropy of its
    characters, and nothing for a key that merely repeats a shorter one. A generated key
    (`python -c "import secrets; print(secrets.token_urlsafe(48))"`) scores far above the bar;
    "a" * 32 or "changeme" * 4 score far below."""
    for period in range(1, len(key) // 2 + 1):
        if len(key) % period == 0 and key == key[:period] * (len(key) // period):
            return 0.0
    counts = Counter(key)
    per_char = -sum(n / len(key) * math.log2(n / len(key)) for n in counts.values())
    return per_char * len(key)


MIN_KEY_BITS = 110


def production_problems(config: Mapping[str, Any]) -> list[str]:
    problems = []
    key = config.get("SECRET_KEY") or ""
    if len(key) < 32:
        problems.append("SECRET_KEY must be set in the environment, at least 32 characters.")
    elif estimated_key_bits(key) < MIN_KEY_BITS:
        problems.append(
            "SECRET_KEY looks guessable (repeated or too few different characters); generate "
            'one with: python -c "import secrets; print(secrets.token_urlsafe(48))"'
        )
    uri = str(config.get("SQLALCHEMY_DATABASE_URI") or "")
    if not uri.startswith("postgresql"):
        problems.append("DATABASE_URL must point at PostgreSQL; SQLite is for development.")
    base_url = str(config.get("BASE_URL") or "")
    if not base_url.startswith("https://") or urlsplit(base_url).hostname in (None, "127.0.0.1"):
        problems.append(
            "KHIEN_BASE_URL must be the site's public https:// address (certificates print it)."
        )
    if str(config.get("RATELIMIT_STORAGE_URI", "")).startswith("memory"):
        problems.append(
            "RATELIMIT_STORAGE_URI must be shared storage (redis://…): per-process memory lets "
            "each worker count sign-in attempts separately."
        )
    if config.get("DEBUG"):
        problems.append("Debug mode must be off.")
    if not config.get("SESSION_COOKIE_SECURE"):
        problems.append("SESSION_COOKIE_SECURE must be on.")
    return problems


def engine_options(uri: str) -> dict[str, Any]:
    """A server database can drop idle connections (restarts, failovers), so each checkout is
    pinged first; a SQLite file cannot, and the ping would only add a query to every request.

    PostgreSQL's JIT compiler is off for the site's connections: the status and report
    statements are costed high enough to trigger it, and compiling them took longer (0.4–0.7 s
    a call, bench/assignments.py) than running them."""
    if uri.startswith("sqlite"):
        return {}
    return {"pool_pre_ping": True, "connect_args": {"options": "-c jit=off"}}


def finalise(config: dict[str, Any], instance_path: str) -> None:
    """Fill what the environment left out, then refuse an unsafe production setup. The mode is
    taken exactly: "Production", "prod" or "production " are refused rather than quietly run as
    development with a generated key and insecure cookies."""
    if config.setdefault("KHIEN_ENV", "development") not in MODES:
        raise UnsafeConfiguration(
            f"KHIEN_ENV is {config.get('KHIEN_ENV')!r}; it must be exactly one of: "
            + ", ".join(MODES)
            + "."
        )
    config["BASE_URL"] = str(config.get("BASE_URL") or "").rstrip("/")
    # A staff list of ROSTER_MAX_BYTES must fit in a request, with its form around it. The
    # limit is the site's, not the upload page's: the CSRF check reads the whole body before
    # any view could raise it for one page.
    config["MAX_CONTENT_LENGTH"] = max(
        int(config.get("MAX_CONTENT_LENGTH") or 0),
        int(config.get("ROSTER_MAX_BYTES", DefaultConfig.ROSTER_MAX_BYTES)) + 1024 * 1024,
    )
    if config.get("KHIEN_ENV") == "production":
        config["SESSION_COOKIE_SECURE"] = True
        config["REMEMBER_COOKIE_SECURE"] = True
        problems = production_problems(config)
        if problems:
            raise UnsafeConfiguration(
                "Refusing to start in production:\n- " + "\n- ".join(problems)
            )
    else:
        config.setdefault("SQLALCHEMY_DATABASE_URI", default_database_uri(instance_path))
        if not config.get("SECRET_KEY"):
            config["SECRET_KEY"] = instance_secret_key(instance_path)
    config.setdefault(
        "SQLALCHEMY_ENGINE_OPTIONS", engine_options(config["SQLALCHEMY_DATABASE_URI"])
    )
