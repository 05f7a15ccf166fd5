"""What tests share besides fixtures: constants, signing a test client in, the sample content.

Imported by test modules as `tests.helpers`; `conftest.py` holds only fixtures and hooks.
"""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

from flask.testing import FlaskClient

PASSWORD = "mật-khẩu-thử-nghiệm"
TODAY = date(2026, 11, 25)

ROOT = Path(__file__).resolve().parent.parent
SAMPLE_CONTENT = Path(__file__).resolve().parent / "fixtures" / "content"


def sign_in(client: FlaskClient, username: str, password: str = PASSWORD) -> None:
    response = client.post("/auth/login", data={"username": username, "password": password})
    assert response.status_code == 302, response.get_data(as_text=True)


def copy_sample_content(dest: Path) -> Path:
    """The sample course and quiz, with the real clause map, in a folder a test may edit."""
    shutil.copytree(SAMPLE_CONTENT, dest)
    shutil.copy(ROOT / "courses" / "clauses.yml", dest / "courses" / "clauses.yml")
    return dest
