"""End to end in Debian's Chromium: a person signs in, reads the site in both languages and
uses a management page, with CSRF protection on as in production; and on a 360 px phone, no page
of the shipped curriculum or of the site scrolls sideways.

Needs /usr/bin/chromium and /usr/bin/chromedriver (`apt-get install chromium chromium-driver`).
CI sets KHIEN_REQUIRE_BROWSER=1, so there a missing browser fails the run instead of skipping.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import threading
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from tests.helpers import PASSWORD, ROOT, TODAY, copy_sample_content
from training.assignments.defaults import ensure_default_assignments
from training.clock import utcnow
from training.content.catalog import read_catalog
from training.courses.services import mark_read, outline_for
from training.extensions import db
from training.org.demo import seed_demo_province
from training.org.models import Role, UnitKind
from training.org.units import get_unit_by_code
from training.quizzes.models import Attempt
from training.reports.snapshots import freeze

pytestmark = pytest.mark.browser

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"


def _browser_missing() -> str | None:
    for path in (CHROMIUM, CHROMEDRIVER):
        if not os.path.exists(path):
            return f"{path} is not installed"
    return None


def _serve(make_app, courses: Path, quizzes: Path) -> Iterator[str]:
    """A live server with CSRF on, after syncing the given content folders."""
    app = make_app(WTF_CSRF_ENABLED=True, COURSES_DIR=str(courses), QUIZZES_DIR=str(quizzes))
    with app.app_context():  # the live app's content folders, not the session app's
        assert app.test_cli_runner().invoke(args=["content", "sync"]).exit_code == 0
    server = make_server("127.0.0.1", 0, app, threaded=True)
    # shutdown() waits for the loop to look at its flag, by default every half second
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join()


@pytest.fixture
def live_url(make_app, database, tmp_path) -> Iterator[str]:
    copy_sample_content(tmp_path / "content")
    yield from _serve(make_app, tmp_path / "content" / "courses", tmp_path / "content" / "quizzes")


@pytest.fixture
def curriculum_url(make_app, database) -> Iterator[str]:
    """The real shipped curriculum (courses/ and quizzes/ of the repository), read only."""
    yield from _serve(make_app, ROOT / "courses", ROOT / "quizzes")


def _launch_chromium() -> object:
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
    return driver


@pytest.fixture(scope="session")
def chromium() -> Iterator[list[object]]:
    """At most one Chromium for the run: starting one and quitting it cost a second or two, as
    much as some of the tests themselves. `browser` lends it out and takes it back clean."""
    running: list[object] = []
    yield running
    for driver in running:
        driver.quit()


@pytest.fixture
def browser(chromium) -> Iterator[object]:
    missing = _browser_missing()
    if missing:
        message = f"BROWSER TESTS NOT RUN: {missing}"
        if os.environ.get("KHIEN_REQUIRE_BROWSER"):
            pytest.fail(message)
        pytest.skip(message)
    if not chromium:
        chromium.append(_launch_chromium())
    driver = chromium[0]
    yield driver
    _take_back(chromium, driver)


def _take_back(chromium: list[object], driver) -> None:
    """Nothing of one test may reach the next: the page (its server is gone), the cookies (a
    cookie is per host, not per port, so a session would follow to the next live server), the
    cache, a phone's screen. A browser that cannot be reset so, or has other windows open, is
    quit, and the next test starts another."""
    from selenium.common.exceptions import WebDriverException

    try:
        driver.get("about:blank")
        for command in (
            "Network.clearBrowserCookies",
            "Network.clearBrowserCache",
            "Emulation.clearDeviceMetricsOverride",
        ):
            driver.execute_cdp_cmd(command, {})
        if len(driver.window_handles) == 1:
            return
    except WebDriverException:
        pass
    chromium.remove(driver)
    with contextlib.suppress(WebDriverException):
        driver.quit()


def _wait_for(browser, locator: tuple[str, str], text: str) -> None:
    """Wait for the next page to show `text` (the browser loads pages asynchronously). While
    the old page is being replaced, ChromeDriver may report a node "not in the document":
    that means "not yet", like a stale element."""
    from selenium.common.exceptions import WebDriverException
    from selenium.webdriver.support import expected_conditions
    from selenium.webdriver.support.ui import WebDriverWait

    WebDriverWait(browser, 10, ignored_exceptions=(WebDriverException,)).until(
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


# ---- a 360 px phone: nothing may scroll sideways ------------------------------------------

PHONE = {"width": 360, "height": 800, "deviceScaleFactor": 2, "mobile": True}
POLL = 0.05  # seconds between two looks while waiting for the next page

# The layout viewport (360 px when the page's meta viewport applies, 980 px without it), the
# page's width and the visual viewport (wider than the layout one when the phone zooms out to
# show a page that is too wide). Then every element, or run of text (a long URL in a list),
# whose right edge passes the layout viewport, unless a box that scrolls sideways by itself
# (overflow-x auto or scroll, e.g. a wide table) contains it and fits: only the outermost such
# element is named. `hidden` does not count: content cut off is no better than scrolled to.
# Text for screen readers only (`.visually-hidden`: clipped to nothing, e.g. a chart's data
# table) is not on the screen at all, so it cannot make anyone scroll.
SIDEWAYS_JS = """
const vw = document.documentElement.clientWidth;
const rightOf = (node) => {
  if (node.nodeType === Node.ELEMENT_NODE) return node.getBoundingClientRect();
  const range = document.createRange();
  range.selectNodeContents(node);
  return range.getBoundingClientRect();
};
const sticksOut = (node) => {
  const r = rightOf(node);
  return r.width > 0 && r.right > vw + 0.5;
};
const scrollsInside = (node) => {
  for (let box = node.parentElement; box && box !== document.body; box = box.parentElement) {
    if (['auto', 'scroll'].includes(getComputedStyle(box).overflowX)) return !sticksOut(box);
  }
  return false;
};
const offenders = [];
const shown = NodeFilter.SHOW_ELEMENT | NodeFilter.SHOW_TEXT;
const walker = document.createTreeWalker(document.body, shown);
for (let node = walker.nextNode(); node; node = walker.nextNode()) {
  if (!sticksOut(node) || scrollsInside(node)) continue;
  const parent = node.parentElement;
  if ((node.nodeType === Node.ELEMENT_NODE ? node : parent).closest('.visually-hidden')) continue;
  if (parent !== document.body && sticksOut(parent)) continue;
  const el = node.nodeType === Node.ELEMENT_NODE ? node : parent;
  const classes = typeof el.className === 'string' ? el.className.trim().split(/\\s+/) : [];
  const text = node.textContent.trim().replace(/\\s+/g, ' ').slice(0, 60);
  offenders.push(
    `${[el.tagName.toLowerCase(), ...classes.filter(Boolean)].join('.')} ` +
    `(${Math.round(rightOf(node).right)}px) "${text}"`
  );
}
return {
  url: location.href,
  lang: document.documentElement.lang,
  width: vw,
  scroll: document.documentElement.scrollWidth,
  visual: window.innerWidth,
  offenders: offenders,
};
"""


@pytest.fixture
def phone(browser) -> object:
    """The same Chromium as a 360 × 800 phone: the page's meta viewport applies."""
    browser.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", PHONE)
    return browser


class SidewaysCheck:
    """Measures each page the phone shows and keeps one line per page that scrolls sideways."""

    def __init__(self, browser, base: str) -> None:
        self.browser = browser
        self.base = base
        self.pages: list[str] = []
        self.problems: list[str] = []

    def measure(self) -> str:
        found = self.browser.execute_script(SIDEWAYS_JS)  # the address too: one round trip
        page = f"{found['url'].removeprefix(self.base)} [{found['lang']}]"
        self.pages.append(page)
        if found["width"] != PHONE["width"]:
            self.problems.append(f"{page}: laid out {found['width']} px wide, not 360")
        elif max(found["scroll"], found["visual"]) > found["width"] or found["offenders"]:
            self.problems.append(
                f"{page}: {max(found['scroll'], found['visual'])} px wide; "
                + "; ".join(found["offenders"][:4])
            )
        return str(found["lang"])

    def open(self, path: str) -> str:
        self.browser.get(self.base + path)
        return self.measure()

    def after_click(self, locator: tuple[str, str], url: str) -> str:
        """Press a button that leads to `url` (a form post and its redirect), then measure."""
        from selenium.common.exceptions import WebDriverException
        from selenium.webdriver.support.ui import WebDriverWait

        _click(self.browser, locator)
        WebDriverWait(self.browser, 10, POLL, ignored_exceptions=(WebDriverException,)).until(
            lambda d: (
                d.current_url == self.base + url
                and d.execute_script("return document.readyState") == "complete"
            )
        )
        return self.measure()

    def switch_language(self, lang: str) -> None:
        """The header's language button: the same page comes back in `lang`."""
        from selenium.common.exceptions import WebDriverException
        from selenium.webdriver.common.by import By
        from selenium.webdriver.support.ui import WebDriverWait

        _click(self.browser, (By.XPATH, f"//header//button[@lang='{lang}']"))
        WebDriverWait(self.browser, 10, POLL, ignored_exceptions=(WebDriverException,)).until(
            lambda d: (
                d.execute_script(
                    "return document.readyState == 'complete' && document.documentElement.lang"
                )
                == lang
            )
        )

    def in_both_languages(self, path: str | None = None) -> None:
        """Measure the page (opened from `path`, or the current one), switch the language
        and measure it again."""
        lang = self.open(path) if path else self.measure()
        self.switch_language("en" if lang == "vi" else "vi")
        self.measure()

    def each_in_both_languages(self, paths: list[str]) -> None:
        """Every page in the current language, then, after one switch on the last of them,
        every page in the other: a switch is a form post and a redirect, two to three times
        the cost of opening a page, and the choice is kept on the person's record either way."""
        *first, last = paths
        for path in first:
            self.open(path)
        self.in_both_languages(last)
        for path in first:
            self.open(path)


def test_every_page_fits_a_360_px_phone(phone, curriculum_url, make_user):
    """The whole shipped curriculum in both languages, then the main pages of a learner, of
    an officer and of a visitor: none may be wider than the phone's screen."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    seed_demo_province(today=TODAY)  # real unit names, some of them long, and their people
    cyber = get_unit_by_code("CAT-PA05")
    learner = make_user(
        username="huyen.ton",
        full_name="Công Tôn Nữ Thị Phương Khánh Huyền",
        unit=cyber,
        classified=True,
        it_staff=True,
        unit_head=True,  # priority, IT staff and head of her unit: every course is hers
    )
    make_user(role=Role.UNIT_OFFICER, unit=get_unit_by_code("AG"), username="cntt.tinh")
    ensure_default_assignments(TODAY)  # the learner's deadlines and the officer's grid
    db.session.commit()
    courses = read_catalog(ROOT / "courses", ROOT / "quizzes").courses
    check = SidewaysCheck(phone, curriculum_url)

    _sign_in(phone, curriculum_url, learner.username)
    _wait_for(phone, (By.TAG_NAME, "h1"), "Xin chào")
    check.measure()  # home
    check.open("/courses/")
    for course in courses:  # in Vietnamese, unread, each with its button to read it and go on
        for lesson in course.lessons:
            check.open(f"/courses/{course.slug}/lessons/{lesson.key}")
        # the last lesson's button leads back to the course page, with a message on top
        check.after_click((By.CSS_SELECTOR, ".lesson-nav form button"), f"/courses/{course.slug}")
        outline = outline_for(learner, course.slug, "vi")
        for lesson in course.lessons:  # the rest read as their buttons would
            mark_read(learner, outline, lesson.key, now=utcnow())
        db.session.commit()
    check.switch_language("en")
    for course in courses:  # in English, every lesson read
        check.open(f"/courses/{course.slug}")
        for lesson in course.lessons:
            check.open(f"/courses/{course.slug}/lessons/{lesson.key}")
    lessons = sum(len(course.lessons) for course in courses)
    shown = Counter(page.rsplit(" ", 1)[1] for page in check.pages if "/lessons/" in page)
    assert shown == {"[vi]": lessons, "[en]": lessons}

    course = courses[0]
    check.open(f"/courses/{course.slug}")
    _click(phone, (By.CSS_SELECTOR, ".quiz-panel form button"))
    WebDriverWait(phone, 10, POLL).until(lambda d: "/attempts/" in d.current_url)
    attempt_url = phone.current_url.removeprefix(curriculum_url)
    check.in_both_languages()  # the quiz, before any answer is ticked
    db.session.expire_all()
    attempt = db.session.scalar(db.select(Attempt).order_by(Attempt.id.desc()))
    for question in attempt.questions:
        for index, choice in enumerate(question.payload["choices"]):
            if choice["correct"]:
                phone.find_element(By.ID, f"q{question.position}-{index}").click()
    check.after_click((By.CSS_SELECTOR, "form.quiz button[type=submit]"), attempt_url)
    check.in_both_languages()  # the result
    _click(phone, (By.CSS_SELECTOR, "main a.button[href*='/certificates/']"))
    _wait_for(phone, (By.CSS_SELECTOR, ".cert-name"), learner.full_name)
    code = phone.find_element(By.CSS_SELECTOR, ".cert-facts code").text
    check.in_both_languages()  # the certificate
    check.each_in_both_languages(["/certificates/", f"/verify/{code}", "/auth/profile", "/"])

    lang = check.after_click(
        (By.CSS_SELECTOR, "header form[action$='/logout'] button"), "/auth/login"
    )
    check.switch_language("vi" if lang == "en" else "en")
    check.measure()  # the sign-in page in both languages, with and without the flash
    check.in_both_languages("/verify")
    _sign_in(phone, curriculum_url, "cntt.tinh")
    _wait_for(phone, (By.TAG_NAME, "h1"), "Nguyễn Văn An")
    check.each_in_both_languages(
        [
            "/",  # an officer's home
            "/people",
            "/people?q=huyen",
            f"/people/{learner.id}",
            "/units",
            f"/units/{cyber.id}",
            f"/units/{get_unit_by_code('AG').id}",
            "/assignments/status",
            "/assignments/status?overdue=y&priority=y",
            "/assignments/",
            "/assignments/new",
            f"/people/{learner.id}/training",
            "/reports/",  # the coverage dashboard: tables, SVG charts, filters
            f"/reports/?unit={cyber.id}",  # a unit's own people
            "/reports/jobs",
        ]
    )

    make_user(role=Role.ICT_ADMIN, unit=get_unit_by_code("AG"), username="quantri.tinh")
    snapshot = freeze(
        TODAY, title="Kiểm tra năm của Sở Khoa học và Công nghệ", actor=None, now=utcnow()
    )
    db.session.commit()
    check.after_click((By.CSS_SELECTOR, "header form[action$='/logout'] button"), "/auth/login")
    _sign_in(phone, curriculum_url, "quantri.tinh")
    _wait_for(phone, (By.TAG_NAME, "h1"), "Nguyễn Văn An")
    check.each_in_both_languages(
        [
            "/reports/targets",
            "/reports/snapshots",
            f"/reports/snapshots/{snapshot.id}",  # a 64-character checksum
            "/reports/annual",
            "/content/",  # the check, empty province settings and their uses, the clause table
            "/content/province",  # one fieldset a setting, long demo values
        ]
    )

    assert not check.problems, (
        f"{len(check.problems)} of {len(check.pages)} pages scroll sideways on a 360 px phone:\n"
        + "\n".join(check.problems)
    )
