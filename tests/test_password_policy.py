"""The password policy (NIST SP 800-63B-4 §3.1.1.2): 15 characters or more, any characters, no
composition rules, and a blocklist of common, context and predictable passwords, with the reason
for each refusal."""

from __future__ import annotations

import gzip
import hashlib
import unicodedata
from collections.abc import Iterator
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_file
from flask import Flask
from flask_babel import force_locale

from training import password_policy
from training.password_policy import (
    MAX_LENGTH,
    MIN_LENGTH,
    blocklist,
    password_problems,
)

MODULE = Path(password_policy.__file__)
BLOCKLIST_FILE = MODULE.parent / "data" / "common-passwords.txt.gz"

TOO_SHORT = "A password needs at least 15 characters."
TOO_LONG = "A password can have at most 256 characters."
LISTED = "This password is on a list of common and leaked passwords, which attackers try first."
VARIANT = (
    "This password is a common or leaked password with only digits, symbols, spaces or "
    "repetition added; attackers try such variants first."
)
CONTEXT = (
    "This password is made only of your username, your name or the site's name, perhaps with "
    "digits or symbols, so others can guess it."
)
PATTERN = (
    'This password is mostly repeated, sequential or keyboard-row characters such as "aaaa", '
    '"1234" or "qwerty", which are easy to guess.'
)

KHANG = {"username": "khang.le", "full_name": "Lê Minh Khang"}
AN = {"username": "an.nguyen", "full_name": "Nguyễn Văn An"}


def _random_text(size: int) -> str:
    """Reproducible, patternless characters (hex digits of SHA-256)."""
    text = "".join(hashlib.sha256(str(n).encode()).hexdigest() for n in range(size // 64 + 1))
    return text[:size]


@pytest.fixture(autouse=True)
def english(app: Flask) -> Iterator[None]:
    """gettext needs an app context; English shows the message IDs whatever is translated."""
    with app.app_context(), force_locale("en"):
        yield


# --- Refused, with the reason --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("password", "context", "reasons"),
    [
        # Accepted by the old 10-character rule.
        ("1234567890", {}, [TOO_SHORT, LISTED, PATTERN]),
        ("password12", {}, [TOO_SHORT, LISTED]),
        ("aaaaaaaaaa", {}, [TOO_SHORT, LISTED, PATTERN]),
        ("qwertyuiop", {}, [TOO_SHORT, LISTED, PATTERN]),
        ("khang.le12", KHANG, [TOO_SHORT, CONTEXT]),
        ("PassWord12", {}, [TOO_SHORT, LISTED]),
        # The same padded to 15 characters or more.
        ("123456789012345", {}, [PATTERN]),
        ("1234567890123456", {}, [PATTERN]),
        ("password12345678!", {}, [VARIANT]),
        ("!!!PASSWORD12!!!!", {}, [VARIANT]),
        ("2024password1999", {}, [VARIANT]),
        ("i love you 2024!!", {}, [VARIANT]),
        ("passwordpassword1", {}, [VARIANT, PATTERN]),
        ("Pässwörd12345678", {}, [VARIANT]),
        ("aaaaaaaaaaaaaaa", {}, [PATTERN]),
        ("               ", {}, [PATTERN]),
        ("abcdefghijklmnop", {}, [PATTERN]),
        ("qwertyuiopasdfgh", {}, [PATTERN]),
        ("poiuytrewqlkjhgf", {}, [PATTERN]),
        ("1qaz2wsx3edc4rfv", {}, [LISTED, PATTERN]),
        ("1qaz2wsx3edc4rfv5tgb", {}, [PATTERN]),
        ("abcabcabcabcabc", {}, [PATTERN]),
        ("god123456789012", {}, [PATTERN]),
        ("khang.le12345678", KHANG, [CONTEXT]),
        ("LeKhangLeKhang99", KHANG, [CONTEXT, PATTERN]),
        ("Khang Lê 1990 !!!", KHANG, [CONTEXT]),
        ("nguyenvanan12345", AN, [CONTEXT]),
        ("Nguyễn Văn An 1990!!", AN, [CONTEXT]),
        ("an.nguyen-2025-an", AN, [CONTEXT]),
        ("khien2025khien!!", {}, [CONTEXT]),
        ("Khiên@123456789!", {}, [CONTEXT]),
    ],
)
def test_weak_passwords_are_refused_with_the_reason(password, context, reasons):
    assert password_problems(password, **context) == reasons


def test_every_rule_broken_is_named_once():
    problems = password_problems("khien", username="khien")
    assert problems == [TOO_SHORT, CONTEXT]
    assert len(set(problems)) == len(problems)


# --- Accepted ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "password",
    [
        "kX9#mQ2$vL7!pR4",  # 15 random characters, no composition rule needed or checked
        "tgbrmxkqwhzpvle",  # 15 random lower-case letters: no upper case, digit or symbol
        "Mưa rơi trên mái ngói cũ",
        "tôi đi làm bằng xe buýt 🚌 mỗi sáng",
        "correct horse battery staple",
        "khang.le thích ăn phở Hà Nội",  # context words among other words are fine
        "mật-khẩu-thử-nghiệm",  # the test suite's own password
        _random_text(200),
    ],
)
def test_good_passwords_are_accepted(password):
    assert password_problems(password, **KHANG) == []


def test_fourteen_characters_are_refused_and_fifteen_accepted():
    assert MIN_LENGTH == 15
    assert password_problems("kX9#mQ2$vL7!pR") == [TOO_SHORT]
    assert password_problems("kX9#mQ2$vL7!pR4") == []


def test_length_is_counted_in_code_points_after_nfc():
    fourteen, fifteen = "Người Việt Nam", "Người Việt Nam!"
    nfd = unicodedata.normalize("NFD", fourteen)
    assert len(fourteen) == 14
    assert len(nfd) > MIN_LENGTH  # the decomposed spelling would pass a naive count
    assert password_problems(nfd) == password_problems(fourteen) == [TOO_SHORT]
    assert password_problems(unicodedata.normalize("NFD", fifteen)) == []
    assert password_problems(fifteen) == []


def test_long_passwords_are_allowed_up_to_the_maximum():
    assert MAX_LENGTH >= 64
    assert password_problems(_random_text(64)) == []
    assert password_problems(_random_text(MAX_LENGTH)) == []
    assert password_problems(_random_text(MAX_LENGTH + 1)) == [TOO_LONG]
    assert password_problems("a" * 100_000) == [TOO_LONG]  # refused without further work


def test_empty_password_is_only_too_short():
    assert password_problems("") == [TOO_SHORT]


# --- The blocklist -------------------------------------------------------------------------------


def test_blocklist_ships_with_the_code_and_has_ten_thousand_entries():
    assert BLOCKLIST_FILE.is_file()
    with gzip.open(BLOCKLIST_FILE, "rt", encoding="utf-8") as handle:
        lines = {line.strip() for line in handle if line.strip()}
    assert len(lines) >= 10_000
    assert len(blocklist()) >= 10_000
    assert {"password", "123456", "qwerty", "iloveyou"} <= blocklist()
    readme = (BLOCKLIST_FILE.parent / "README.md").read_text(encoding="utf-8")
    assert "Django Software Foundation" in readme


def test_blocklist_is_read_once_per_process(monkeypatch):
    reads = []
    real = gzip.decompress

    def counting(data: bytes) -> bytes:
        reads.append(len(data))
        return real(data)

    monkeypatch.setattr(password_policy.gzip, "decompress", counting)
    blocklist.cache_clear()
    try:
        for password in ("password12", "Mưa rơi trên mái ngói cũ", "password12345678!"):
            password_problems(password)
        assert blocklist() is blocklist()
        assert len(reads) == 1
        assert blocklist.cache_info().misses == 1
    finally:
        blocklist.cache_clear()


# --- Messages ------------------------------------------------------------------------------------


def test_messages_are_extracted_for_translation():
    """The messages are gettext calls with literal English IDs, so pybabel extracts them."""
    extracted = {
        message for _line, message, _comments, _context in extract_from_file("python", str(MODULE))
    }
    expected = {
        "A password needs at least %(num)d characters.",
        "A password can have at most %(num)d characters.",
        LISTED,
        VARIANT,
        CONTEXT,
        PATTERN,
    }
    assert extracted == expected


def test_messages_go_through_gettext(monkeypatch):
    def marked(message: str, **variables: object) -> str:
        return "«" + (message % variables if variables else message) + "»"

    monkeypatch.setattr(password_policy, "gettext", marked)
    cases = [
        password_problems("khien1234", username="khien"),
        password_problems("password12345678!"),
        password_problems("password1"),
        password_problems("aaaaaaaaaaaaaaa"),
        password_problems("x" * (MAX_LENGTH + 1)),
    ]
    messages = [message for problems in cases for message in problems]
    assert len(set(messages)) == 6
    assert all(m.startswith("«") and m.endswith("»") for m in messages)


def test_messages_follow_the_reader_language():
    with force_locale("vi"):
        assert password_problems("kX9#mQ2$vL7!pR") == ["Mật khẩu phải có ít nhất 15 ký tự."]
