"""The console in a real browser: Playwright for Python drives Debian's chromium (Playwright's own
browser download cannot be reached from our machines), installed here when it is missing. The
console is served by the shared local stack (tests/e2e/conftest.py) at /console/, as a marketer
opens it; `make test` builds it first.

Every page a test visits can be checked with axe-core (`no_serious_accessibility_findings`) and
photographed (`screenshot`, into build/screenshots/, which the README's pictures come from)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from marketing_local.console import CONSOLE_USERS

REPO_ROOT = Path(__file__).resolve().parents[3]
AXE = REPO_ROOT / "console" / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOTS = REPO_ROOT / "build" / "screenshots"
CHROMIUM_FLAGS = [
    "--no-sandbox",  # the tests run as root on our machines
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    # Without these Chromium keeps calling Google's hosts, which our closed network refuses.
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
MANAGER, ANALYST = (user for user in CONSOLE_USERS.values())


def _chromium() -> str:
    """Debian's chromium, installed with apt-get when the machine does not have it yet."""
    found = shutil.which("chromium")
    if found is None:
        environment = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        for command in (["apt-get", "update", "-qq"], ["apt-get", "install", "-y", "-qq", "chromium"]):
            subprocess.run(command, check=True, env=environment, capture_output=True)
        found = shutil.which("chromium")
    assert found, "chromium is not installed and apt-get could not install it"
    return found


@pytest.fixture(scope="session")
def browser() -> Iterator:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=_chromium(), args=CHROMIUM_FLAGS)
        yield launched
        launched.close()


@pytest.fixture
def page(browser, local_stack):
    context = browser.new_context(base_url=local_stack.origin, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15_000)
    opened = context.new_page()
    errors: list[str] = []
    opened.on("pageerror", lambda error: errors.append(str(error)))
    yield opened
    context.close()
    assert not errors, f"the console threw in the browser: {errors}"


def sign_in(page, user) -> None:
    page.goto("/console/")
    page.get_by_label("Email").fill(user.username)
    page.get_by_label("Password").fill(user.password)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("navigation").get_by_role("link", name="Overview").wait_for()


def no_serious_accessibility_findings(page) -> None:
    """axe-core's findings on the page as it is now: none serious or critical."""
    # Evaluated through the DevTools protocol, which the console's CSP (no inline script) allows;
    # a <script> tag with axe's source would be refused, as it should be.
    page.evaluate(AXE.read_text(encoding="utf-8"))
    results = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    serious = [
        {"id": violation["id"], "impact": violation["impact"], "nodes": [node["target"] for node in violation["nodes"]]}
        for violation in results["violations"]
        if violation["impact"] in ("serious", "critical")
    ]
    assert not serious, json.dumps(serious, indent=2)


def screenshot(page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)
