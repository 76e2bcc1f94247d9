"""Headless Debian Chromium driven by selenium, for the kiosk browser test.

`make browser` installs the packages chromium and chromium-driver. Selenium is
given both paths, so it never tries to download a browser or a driver.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")

# Without the background-networking flags Chromium keeps calling home, and on a
# closed network those connections fail at every start.
HEADLESS_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--lang=vi-VN",
]


def missing_browser() -> str | None:
    """Why the browser cannot start here, or None."""
    for path in (CHROMIUM, CHROMEDRIVER):
        if not path.exists() and not shutil.which(path.name):
            return f"{path} is missing: run `make browser` (apt-get install chromium chromium-driver)"
    return None


def start_chromium(profile_dir: Path, width: int = 1280, height: int = 1024):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM if CHROMIUM.exists() else shutil.which("chromium"))
    for flag in HEADLESS_FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={profile_dir}")
    options.add_argument(f"--window-size={width},{height}")
    service = Service(executable_path=str(CHROMEDRIVER if CHROMEDRIVER.exists() else shutil.which("chromedriver")))
    return webdriver.Chrome(options=options, service=service)


@contextmanager
def chromium_session(profile_dir: Path, output: Path, width: int, height: int, page_timeout: int) -> Iterator:
    """A started browser for a module's tests; fails the test (not skips) where Chromium is missing."""
    problem = missing_browser()
    if problem:
        pytest.fail(problem)
    output.mkdir(parents=True, exist_ok=True)
    browser = start_chromium(profile_dir, width=width, height=height)
    browser.set_page_load_timeout(page_timeout)
    try:
        yield browser
    finally:
        browser.quit()
