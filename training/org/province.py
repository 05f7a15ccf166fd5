"""What the province publishes for its staff, and how it reaches the lessons.

The one thing every learner must be able to do is report an incident to the right place; only
the province knows that place, and it changes with each reorganisation. The ICT admin keeps
these settings (web page and `flask --app app province …`); lessons and questions name them as
`{{province.NAME}}` (syntax and names in `training.sources.placeholders`) and the pages fill them
in. An empty setting shows a visible, neutral notice instead of a guess.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from email_validator import EmailNotValidError, validate_email
from flask import g, has_request_context
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString
from markupsafe import Markup, escape
from sqlalchemy import Insert, delete, select
from sqlalchemy.dialects import postgresql, sqlite

from training.errors import FieldProblem, NotAllowed, refuse_if_any
from training.extensions import db
from training.org.models import ProvinceSetting, Role
from training.org.people import Actor
from training.sources.placeholders import NAMES, PREFIX, fill
from training.text import has_invisible_characters, nfc


class SettingKind(enum.StrEnum):
    TEXT = "text"  # a name, in Vietnamese and (optionally) English
    PHONE = "phone"
    EMAIL = "email"
    URL = "url"
    DOMAIN = "domain"
    PLACE = "place"  # a web form's address, or a postal address


@dataclass(frozen=True)
class SettingDef:
    name: str
    kind: SettingKind
    label: LazyString
    hint: LazyString | None = None

    @property
    def has_english(self) -> bool:
        return self.kind in (SettingKind.TEXT, SettingKind.PLACE)


SETTINGS: tuple[SettingDef, ...] = (
    SettingDef(
        "name",
        SettingKind.TEXT,
        _l("Province"),
        _l("As a sentence names it, e.g. “tỉnh An Giang” / “An Giang province”."),
    ),
    SettingDef(
        "incident_body",
        SettingKind.TEXT,
        _l("Incident reports go to"),
        _l("The body staff report an incident to, by its full name."),
    ),
    SettingDef("incident_phone", SettingKind.PHONE, _l("Incident reports: phone")),
    SettingDef("incident_email", SettingKind.EMAIL, _l("Incident reports: e-mail")),
    SettingDef(
        "incident_form",
        SettingKind.PLACE,
        _l("Incident reports: form or address"),
        _l("The address of the reporting form (https://…), or a postal address."),
    ),
    SettingDef(
        "security_body",
        SettingKind.TEXT,
        _l("Body in charge of network security"),
        _l("As a general rule since the 2025 reorganisation, the provincial police."),
    ),
    SettingDef(
        "signature_body",
        SettingKind.TEXT,
        _l("Body for digital signatures"),
        _l("Where staff ask for signing certificates and devices, or report a lost one."),
    ),
    SettingDef(
        "document_system",
        SettingKind.TEXT,
        _l("Document-management system"),
        _l("Its name as staff know it."),
    ),
    SettingDef("document_system_url", SettingKind.URL, _l("Document-management system: address")),
    SettingDef(
        "mail_system",
        SettingKind.TEXT,
        _l("Official mail system"),
        _l("Its name as staff know it."),
    ),
    SettingDef(
        "mail_domain",
        SettingKind.DOMAIN,
        _l("Official mail domain"),
        _l("What comes after @ in official addresses, e.g. angiang.gov.vn."),
    ),
    SettingDef(
        "ict_department",
        SettingKind.TEXT,
        _l("Provincial ICT department"),
        _l("The body that runs the province's networks, systems and training."),
    ),
)
BY_NAME = {setting.name: setting for setting in SETTINGS}

MAX_LENGTH = 300
_PHONE = re.compile(r"^\+?[0-9][0-9 .()-]{1,28}[0-9]$")
_DOMAIN = re.compile(r"^(?=.{3,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")
_URL = re.compile(r"^https?://[^\s<>\"]+$")


@dataclass(frozen=True)
class ProvinceValues:
    """The published settings, read in one statement; a missing name is an empty setting."""

    rows: Mapping[str, tuple[str, str | None]]

    def value(self, name: str, lang: str) -> str | None:
        found = self.rows.get(name)
        if found is None:
            return None
        value, value_en = found
        return value_en if lang == "en" and value_en else value

    def empty(self) -> list[str]:
        return [name for name in NAMES if name not in self.rows]


def read_values() -> ProvinceValues:
    rows = db.session.execute(
        select(ProvinceSetting.name, ProvinceSetting.value, ProvinceSetting.value_en)
    ).all()
    return ProvinceValues({name: (value, value_en) for name, value, value_en in rows})


def values_for_request() -> ProvinceValues:
    """Read once per request however many texts a page fills."""
    if not has_request_context():
        return read_values()
    if "province_values" not in g:
        g.province_values = read_values()
    values: ProvinceValues = g.province_values
    return values


def _value_html(setting: SettingDef, value: str) -> Markup:
    """Contacts become links a phone can follow; everything is escaped."""
    if setting.kind == SettingKind.PHONE:
        digits = re.sub(r"[^0-9+]", "", value)
        return Markup('<a href="tel:{}">{}</a>').format(digits, value)
    if setting.kind == SettingKind.EMAIL:
        return Markup('<a href="mailto:{0}">{0}</a>').format(value)
    if setting.kind == SettingKind.URL or (setting.kind == SettingKind.PLACE and _URL.match(value)):
        return Markup('<a href="{0}" rel="noopener">{0}</a>').format(value)
    return escape(value)


def missing_notice(lang: str) -> str:
    with force_locale(lang):
        return _("Your province has not published this contact yet — ask your unit's IT officer")


def fill_html(html: str, lang: str, values: ProvinceValues | None = None) -> Markup:
    """HTML (a rendered lesson, or escaped question text) with every `{{province.NAME}}`
    replaced; HTML that names no setting is returned as it is, without reading the settings."""
    if PREFIX not in html:
        return Markup(html)  # noqa: S704 - callers pass sanitised lesson HTML or escaped text
    found = values if values is not None else values_for_request()

    def html_of(name: str) -> str:
        value = found.value(name, lang)
        if value is None:
            return str(
                Markup('<span class="province-missing">{}</span>').format(missing_notice(lang))
            )
        return str(_value_html(BY_NAME[name], value))

    return Markup(fill(html, html_of))  # noqa: S704 - as above, plus escaped values


def fill_text(text: str, lang: str) -> Markup:
    """Plain text (a question, a choice, an explanation) escaped, then filled."""
    return fill_html(str(escape(text)), lang)


def check_value(setting: SettingDef, value: str) -> str | None:
    """Why a value cannot be published, or None. Empty means "clear this setting"."""
    if not value:
        return None
    if len(value) > MAX_LENGTH:
        return _("At most %(count)d characters.", count=MAX_LENGTH)
    if has_invisible_characters(value):
        return _("Remove the control or invisible characters.")
    if setting.kind == SettingKind.PHONE and not _PHONE.match(value):
        return _("Digits, spaces and + . ( ) - only, e.g. 0296 3 123 456.")
    if setting.kind == SettingKind.EMAIL:
        try:
            validate_email(value, check_deliverability=False)
        except EmailNotValidError:
            return _("This is not an e-mail address.")
    if setting.kind == SettingKind.URL and not _URL.match(value):
        return _("A web address starting with https:// or http://.")
    if setting.kind == SettingKind.DOMAIN and not _DOMAIN.match(value):
        return _("A domain such as angiang.gov.vn, without @ or https://.")
    return None


@dataclass(frozen=True)
class SettingChange:
    value: str
    value_en: str = ""


def _upsert(dialect: str) -> Insert:
    """Each setting is one row written by one statement, so concurrent saves cannot collide."""
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = insert(ProvinceSetting)
    return statement.on_conflict_do_update(
        index_elements=[ProvinceSetting.name],
        set_={
            "value": statement.excluded.value,
            "value_en": statement.excluded.value_en,
            "updated_at": statement.excluded.updated_at,
            "updated_by_id": statement.excluded.updated_by_id,
        },
    )


def save_settings(
    changes: Mapping[str, SettingChange], *, actor: Actor, now: datetime
) -> list[str]:
    """Publish, change or clear settings; every problem of every field at once, nothing
    written when there is one. Returns the names whose value changed."""
    if actor is not None and actor.role != Role.ICT_ADMIN:
        raise NotAllowed(_("Only the provincial ICT administrator can change this."))
    problems: list[FieldProblem] = []
    cleaned: dict[str, tuple[str, str | None]] = {}
    for name, change in changes.items():
        setting = BY_NAME.get(name)
        if setting is None:
            problems.append(FieldProblem(None, _("Unknown setting %(name)s.", name=name)))
            continue
        value, value_en = nfc(change.value).strip(), nfc(change.value_en).strip()
        if setting.kind == SettingKind.DOMAIN:
            value = value.lower()
        for field, text in ((name, value), (f"{name}_en", value_en)):
            problem = check_value(setting, text)
            if problem:
                problems.append(FieldProblem(field, problem))
        if value_en and not setting.has_english:
            problems.append(FieldProblem(f"{name}_en", _("This setting has one value only.")))
        if value_en and not value:
            problems.append(FieldProblem(name, _("Give the Vietnamese value first.")))
        cleaned[name] = (value, value_en or None)
    refuse_if_any(problems)
    before = read_values().rows
    changed = [
        name
        for name, pair in cleaned.items()
        if before.get(name) != pair and (pair[0] or name in before)
    ]
    if not changed:
        return []
    cleared = [name for name in changed if not cleaned[name][0]]
    if cleared:
        db.session.execute(delete(ProvinceSetting).where(ProvinceSetting.name.in_(cleared)))
    published = [
        {
            "name": name,
            "value": cleaned[name][0],
            "value_en": cleaned[name][1],
            "updated_at": now,
            "updated_by_id": actor.id if actor else None,
        }
        for name in changed
        if cleaned[name][0]
    ]
    if published:
        db.session.execute(_upsert(db.engine.dialect.name), published)
    if has_request_context():
        g.pop("province_values", None)
    return changed
