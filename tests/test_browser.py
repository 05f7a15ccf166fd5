"""End to end in Debian's Chromium: a person signs in, reads the site in both languages and
uses a management page, with CSRF protection on as in production.

Needs /usr/bin/chromium and /usr/bin/chromedriver (`apt-get install chromium chromium-driver`).
CI sets KHIEN_REQUIRE_BROWSER=1, so there a missing browser fails the run instead of skipping.
"""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Iterator

import pytest
from werkzeug.serving import make_server

from tests.conftest import PASSWORD, copy_sample_content
from training.extensions import db
from training.org.models import Role, UnitKind
from training.quizzes.models import Attempt

pytestmark = pytest.mark.browser

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"


def _browser_missing() -> str | None:
    for path in (CHROMIUM, CHROMEDRIVER):
        if not os.path.exists(path):
            return f"{path} is not installed"
    return None


@pytest.fixture
def live_url(make_app, database, tmp_path) -> Iterator[str]:
    copy_sample_content(tmp_path / "content")
    app = make_app(
        WTF_CSRF_ENABLED=True,
        COURSES_DIR=str(tmp_path / "content" / "courses"),
        QUIZZES_DIR=str(tmp_path / "content" / "quizzes"),
    )
    with app.app_context():  # the live app's content folders, not the session app's
        assert app.test_cli_runner().invoke(args=["content", "sync"]).exit_code == 0
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join()


@pytest.fixture
def browser() -> Iterator[object]:
    missing = _browser_missing()
    if missing:
        message = f"BROWSER TESTS NOT RUN: {missing}"
        if os.environ.get("KHIEN_REQUIRE_BROWSER"):
            pytest.fail(message)
        pytest.skip(message)
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in (
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--window-size=1280,900",
    ):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.implicitly_wait(5)
    yield driver
    driver.quit()


def _wait_for(browser, locator: tuple[str, str], text: str) -> None:
    """Wait for the next page to show `text` (the browser loads pages asynchronously)."""
    from selenium.webdriver.support import expected_conditions
    from selenium.webdriver.support.ui import WebDriverWait

    WebDriverWait(browser, 10).until(
        expected_conditions.text_to_be_present_in_element(locator, text)
    )


def _click(browser, locator: tuple[str, str]) -> None:
    """Wait until the element is there and clickable on the current page, then click it."""
    from selenium.common.exceptions import StaleElementReferenceException, WebDriverException
    from selenium.webdriver.support import expected_conditions
    from selenium.webdriver.support.ui import WebDriverWait

    def clicked(driver) -> bool:
        try:
            expected_conditions.element_to_be_clickable(locator)(driver).click()
        except (StaleElementReferenceException, WebDriverException, AttributeError):
            return False
        return True

    WebDriverWait(browser, 10).until(clicked)


def _sign_in(browser, live_url: str, username: str) -> None:
    from selenium.webdriver.common.by import By

    browser.get(f"{live_url}/auth/login")
    browser.find_element(By.ID, "username").send_keys(username)
    browser.find_element(By.ID, "password").send_keys(PASSWORD)
    browser.find_element(By.CSS_SELECTOR, "main form button[type=submit]").click()


def test_officer_signs_in_switches_language_and_finds_a_person(
    browser, live_url, make_unit, make_user, tmp_path
):
    from selenium.webdriver.common.by import By

    agency = make_unit("SNV", name="Sở Nội vụ", kind=UnitKind.AGENCY)
    make_user(role=Role.UNIT_OFFICER, unit=agency, username="cntt.snv", full_name="Lâm Quốc Toàn")
    make_user(unit=agency, username="hanh.tran", full_name="Trần Thị Mỹ Hạnh", classified=True)

    _sign_in(browser, live_url, "cntt.snv")
    _wait_for(browser, (By.TAG_NAME, "h1"), "Xin chào, Lâm Quốc Toàn")
    assert browser.find_element(By.TAG_NAME, "html").get_attribute("lang") == "vi"

    browser.find_element(By.XPATH, "//button[@lang='en']").click()
    _wait_for(browser, (By.TAG_NAME, "h1"), "Hello, Lâm Quốc Toàn")

    browser.find_element(By.LINK_TEXT, "People").click()
    _wait_for(browser, (By.TAG_NAME, "h1"), "People")
    search = browser.find_element(By.ID, "q")
    search.send_keys("tran hanh")
    search.submit()
    _wait_for(browser, (By.CSS_SELECTOR, ".count"), "1 person found")
    row = browser.find_element(By.CSS_SELECTOR, "tbody tr")
    assert "Trần Thị Mỹ Hạnh" in row.text
    assert "Priority" in row.text
    browser.save_screenshot(str(tmp_path / "people.png"))

    browser.find_element(By.XPATH, "//button[text()='Sign out']").click()
    _wait_for(browser, (By.TAG_NAME, "h1"), "Sign in to Khiên")


def test_wrong_password_in_the_browser_shows_the_generic_message(browser, live_url, make_user):
    from selenium.webdriver.common.by import By

    make_user(username="hanh.tran")
    browser.get(f"{live_url}/auth/login")
    browser.find_element(By.ID, "username").send_keys("hanh.tran")
    browser.find_element(By.ID, "password").send_keys("sai-mat-khau")
    browser.find_element(By.CSS_SELECTOR, "main form button[type=submit]").click()
    _wait_for(
        browser,
        (By.CSS_SELECTOR, "main [role=alert]"),
        "Sai tên đăng nhập hoặc mật khẩu, hoặc tài khoản đã bị khoá.",
    )


def test_learner_finishes_a_course_and_anyone_verifies_the_certificate(
    browser, live_url, make_user, tmp_path
):
    from selenium.webdriver.common.by import By

    make_user(username="hanh.tran", full_name="Trần Thị Mỹ Hạnh")
    _sign_in(browser, live_url, "hanh.tran")
    _wait_for(browser, (By.TAG_NAME, "h1"), "Xin chào")

    browser.get(f"{live_url}/courses/sample")
    _click(browser, (By.PARTIAL_LINK_TEXT, "Bắt đầu khoá học"))
    _wait_for(browser, (By.TAG_NAME, "h1"), "Giới thiệu")
    _click(browser, (By.XPATH, "//button[text()='Đánh dấu đã đọc và học tiếp']"))
    _wait_for(browser, (By.TAG_NAME, "h1"), "Không dùng Gmail")
    _click(browser, (By.XPATH, "//button[text()='Đánh dấu đã đọc']"))
    _wait_for(browser, (By.CSS_SELECTOR, ".flashes"), "đã đọc hết các bài")

    _click(browser, (By.XPATH, "//button[text()='Làm bài kiểm tra']"))
    _wait_for(browser, (By.TAG_NAME, "h1"), "Bài kiểm tra")
    db.session.expire_all()
    attempt = db.session.scalar(db.select(Attempt).order_by(Attempt.id.desc()))
    for question in attempt.questions:
        for index, choice in enumerate(question.payload["choices"]):
            if choice["correct"]:
                browser.find_element(By.ID, f"q{question.position}-{index}").click()
    _click(browser, (By.XPATH, "//button[text()='Nộp bài']"))

    _wait_for(browser, (By.CSS_SELECTOR, ".score"), "100%")
    assert "Giải thích:" in browser.find_element(By.TAG_NAME, "main").text
    _click(browser, (By.LINK_TEXT, "Xem và in chứng nhận"))
    _wait_for(browser, (By.CSS_SELECTOR, ".cert-name"), "Trần Thị Mỹ Hạnh")
    code = browser.find_element(By.CSS_SELECTOR, ".cert-facts code").text
    browser.save_screenshot(str(tmp_path / "certificate.png"))

    _click(browser, (By.XPATH, "//button[text()='Đăng xuất']"))
    _wait_for(browser, (By.TAG_NAME, "h1"), "Đăng nhập")
    browser.get(f"{live_url}/verify")
    browser.find_element(By.ID, "code").send_keys(code.lower().replace("-", " "))
    _click(browser, (By.CSS_SELECTOR, "main form button[type=submit]"))
    _wait_for(browser, (By.CSS_SELECTOR, ".verify-result h2"), "Chứng nhận còn hiệu lực")
    assert "Trần Thị Mỹ Hạnh" in browser.find_element(By.CSS_SELECTOR, ".verify-result").text
