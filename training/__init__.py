"""Khiên: network-security awareness training for the staff of state agencies."""

from __future__ import annotations

from collections.abc import Mapping
from importlib import import_module
from pathlib import Path
from typing import Any

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from training import extensions as ext
from training.auth.loader import init_login
from training.config import DefaultConfig, finalise, settings_from_env
from training.errors import register_error_handlers
from training.i18n import init_i18n
from training.mail import init_mail
from training.security import BoundedIntConverter, init_request_hygiene, init_security_headers
from training.static_files import init_static_files
from training.transactions import init_transactions

DOMAINS = (
    "site",
    "auth",
    "org",
    "courses",
    "quizzes",
    "assignments",
    "certificates",
    "records",
    "rosters",
    "reports",
    "content",
)
CLI_DOMAINS = (
    "site",
    "org",
    "content",
    "quizzes",
    "assignments",
    "records",
    "rosters",
    "reports",
)
PROJECT_ROOT = Path(__file__).resolve().parent.parent


def create_app(overrides: Mapping[str, Any] | None = None) -> Flask:
    app = Flask(__name__, static_folder="../static", instance_relative_config=True)
    app.config.from_object(DefaultConfig)
    app.config.update(settings_from_env())
    app.config.update(overrides or {})
    app.config.setdefault("COURSES_DIR", str(PROJECT_ROOT / "courses"))
    app.config.setdefault("QUIZZES_DIR", str(PROJECT_ROOT / "quizzes"))
    finalise(app.config, app.instance_path)
    if app.config["TRUSTED_PROXIES"]:
        hops = int(app.config["TRUSTED_PROXIES"])
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)  # type: ignore[method-assign]
    app.url_map.converters["int"] = BoundedIntConverter
    init_extensions(app)
    for name in DOMAINS:
        app.register_blueprint(import_module(f"training.{name}.views").bp)
    for name in CLI_DOMAINS:
        for command in import_module(f"training.{name}.cli").commands:
            app.cli.add_command(command)
    register_error_handlers(app)
    init_security_headers(app)
    init_request_hygiene(app)
    init_static_files(app)
    return app


def init_extensions(app: Flask) -> None:
    # `training.db` is the module of column types; the extension is `ext.db`, never bound here.
    ext.db.init_app(app)
    init_transactions(app)
    ext.migrate.init_app(
        app,
        ext.db,
        directory=str(Path(app.root_path) / "migrations"),
        render_as_batch=True,
        compare_type=True,
    )
    ext.csrf.init_app(app)
    init_mail(app)
    ext.limiter.init_app(app)
    init_i18n(app)
    init_login(app)
