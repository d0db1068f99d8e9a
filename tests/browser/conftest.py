"""Browser tests: the Debian Chromium driven by Playwright against pytest-django's live server.

Fixtures for any page test:

- `chromium_browser` (session): headless /usr/bin/chromium, with the browser's own background
  traffic (updates, sync, QUIC) turned off.
- `open_browser_page(**context_options)` (function): a factory of guarded pages, each in its own
  browser context (`context_options` go to `Browser.new_context`, e.g. `viewport=`); each page has
  `base_url` set to the live server, so `page.goto("/")` works. Guarded means the test fails if
  the page requests anything outside the live server (the request is aborted and recorded), logs a
  JavaScript console error, or throws an uncaught exception. Chromium also logs every 4xx/5xx
  answer as a console error: when a test expects one (the routing API's 404 outside the
  territory), it says so with `open_browser_page.allow_error_response(page, url_regex)`.
- `browser_page` (function): one guarded page, 1280×800, Vietnamese browser, Vietnam time zone.
- `save_screenshot(page, name, full_page=False)` (a plain function, not a fixture): writes
  docs/screenshots/<name>.png and returns the path. Only `test_demo_screenshots.py` calls it, on
  the demo that `make run` loads, so that the README shows the real province.

The live server serves static files itself (pytest-django wraps it in StaticFilesHandler when
django.contrib.staticfiles is installed), so no collectstatic is needed, and it makes the test
database transactional: the data a fixture creates is committed and visible to the server thread.
Mark browser test modules `pytestmark = pytest.mark.browser`; run them alone with
`pytest -m browser`, or skip them with `-m "not browser"`.

Deliberately not pytest-playwright's fixtures (`browser`, `page`, ...), which may also be
installed: they download their own browsers and parametrise tests per browser; these fixtures
use other names so the two never clash.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from playwright.sync_api import (
    Browser,
    ConsoleMessage,
    Error,
    FloatRect,
    Locator,
    Page,
    Route,
    sync_playwright,
)
from pytest_django.live_server_helper import LiveServer

# Playwright's sync API keeps an asyncio event loop running in this thread for the whole session,
# and Django refuses database access from a thread with a running loop (SynchronousOnlyOperation),
# although every call here is really synchronous. Fixtures such as `territory` must still write.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM_EXECUTABLE = "/usr/bin/chromium"
CHROMIUM_ARGUMENTS = [
    "--no-sandbox",  # the tests may run as root, where Chromium's sandbox cannot start
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOT_DIRECTORY = Path(settings.BASE_DIR) / "docs" / "screenshots"
LOCAL_HOSTS = {"127.0.0.1", "localhost"}
DEFAULT_VIEWPORT = {"width": 1280, "height": 800}
# How long a test waits for the page before failing: generous, the machine is shared.
DEFAULT_TIMEOUT_MILLISECONDS = 15_000


@dataclass
class PageProblems:
    """What went wrong in a page: anything here fails the test that used the page."""

    outside_requests: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    allowed_error_urls: list[str] = field(default_factory=list)

    def report(self) -> str:
        lines = []
        lines += [
            f"request outside the live server (aborted): {url}" for url in self.outside_requests
        ]
        lines += [f"console error: {text}" for text in self.console_errors]
        lines += [f"page error: {text}" for text in self.page_errors]
        return "\n".join(lines)


@pytest.fixture(scope="session")
def chromium_browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM_EXECUTABLE, args=CHROMIUM_ARGUMENTS, headless=True
        )
        yield browser
        browser.close()


class GuardedPages:
    """Opens pages that record what goes wrong in them, and fails the test at the end if anything did."""

    def __init__(self, browser: Browser, live_server_url: str) -> None:
        self.browser = browser
        self.live_server_url = live_server_url
        self.live_netloc = urlsplit(live_server_url).netloc
        self.problems_of_page: dict[Page, PageProblems] = {}

    # Playwright's own context options (viewport, locale, colour scheme...), passed through.
    def __call__(self, **context_options: Any) -> Page:
        options: dict[str, Any] = {
            "viewport": DEFAULT_VIEWPORT,
            "locale": "vi-VN",
            "timezone_id": "Asia/Ho_Chi_Minh",
            **context_options,
            "base_url": self.live_server_url,
        }
        context = self.browser.new_context(**options)
        context.set_default_timeout(DEFAULT_TIMEOUT_MILLISECONDS)
        problems = PageProblems()

        def keep_inside_the_live_server(route: Route) -> None:
            parts = urlsplit(route.request.url)
            if parts.scheme in ("http", "https") and (
                parts.hostname not in LOCAL_HOSTS or parts.netloc != self.live_netloc
            ):
                problems.outside_requests.append(route.request.url)
                route.abort("blockedbyclient")
            else:
                route.continue_()

        def record_console_message(message: ConsoleMessage) -> None:
            if message.type != "error":
                return
            # Chromium logs every 4xx/5xx answer as a console error; an API's documented error
            # answer (404 outside the territory) is not a fault when the test expects it.
            url = message.location.get("url", "")
            if message.text.startswith("Failed to load resource") and any(
                re.search(pattern, url) for pattern in problems.allowed_error_urls
            ):
                return
            problems.console_errors.append(f"{message.text} ({url})")

        def record_page_error(error: Error) -> None:
            problems.page_errors.append(f"{error.name}: {error.message}")

        context.route("**/*", keep_inside_the_live_server)
        page = context.new_page()
        page.on("console", record_console_message)
        page.on("pageerror", record_page_error)
        self.problems_of_page[page] = problems
        return page

    def allow_error_response(self, page: Page, url_pattern: str) -> None:
        """Answers with an error status from URLs matching `url_pattern` are expected in `page`."""
        self.problems_of_page[page].allowed_error_urls.append(url_pattern)

    def close_all(self) -> str:
        reports = []
        for page, problems in self.problems_of_page.items():
            page.context.close()
            if report := problems.report():
                reports.append(report)
        return "\n".join(reports)


@pytest.fixture
def open_browser_page(chromium_browser: Browser, live_server: LiveServer) -> Iterator[GuardedPages]:
    pages = GuardedPages(chromium_browser, live_server.url)
    yield pages
    if report := pages.close_all():
        pytest.fail("The page misbehaved:\n" + report, pytrace=False)


@pytest.fixture
def browser_page(open_browser_page: GuardedPages) -> Page:
    return open_browser_page()


def save_screenshot(page: Page, name: str, *, full_page: bool = False) -> Path:
    SCREENSHOT_DIRECTORY.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOT_DIRECTORY / f"{name}.png"
    page.screenshot(path=str(path), full_page=full_page, animations="disabled")
    return path


def bounding_box_of(locator: Locator) -> FloatRect:
    """Where the element is drawn; an element that is not drawn fails the test here, by name."""
    box = locator.bounding_box()
    assert box is not None, f"{locator} is not displayed"
    return box
