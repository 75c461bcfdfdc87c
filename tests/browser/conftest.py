"""Fixtures for the real-browser tests: one headless Chromium per session, one Jupyter server per
front end, one fresh page per test. Each is torn down on every exit path."""
import os
import shutil
from pathlib import Path

import pytest

from tests.browser.jupyter import jupyter_server, launch_chromium

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")  # Debian's; `playwright install` is not used


@pytest.fixture(scope="session")
def browser():
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed "
                                   "(tools/test.sh installs it from requirements-dev.txt)")
    if not Path(CHROMIUM).exists():
        pytest.skip(f"no chromium at {CHROMIUM} (tools/test.sh installs Debian's chromium)")
    with sync_api.sync_playwright() as playwright:
        browser = launch_chromium(playwright, CHROMIUM)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture(scope="module", params=["lab", "notebook"])
def server(request, browser, tmp_path_factory):
    """A Jupyter server of each front end, serving a temporary copy of the module's NOTEBOOK_DIRS.

    Depends on `browser` so that a missing chromium skips before any server starts.
    """
    root = tmp_path_factory.mktemp(f"root-{request.param}")
    for folder in request.module.NOTEBOOK_DIRS:
        shutil.copytree(folder, root / folder.name, ignore=shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__"))
    with jupyter_server(request.param, root) as running:
        yield running


@pytest.fixture
def page(browser):
    """A fresh page; its JavaScript errors are collected in page.errors."""
    context = browser.new_context(viewport={"width": 1280, "height": 1000})
    try:
        page = context.new_page()
        page.errors = []
        page.on("pageerror", lambda error: page.errors.append(str(error)))
        page.on("console", lambda message: message.type == "error" and page.errors.append(message.text))
        yield page
    finally:
        context.close()
