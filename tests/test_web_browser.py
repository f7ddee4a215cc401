"""The companion page end to end in a real headless browser: Debian's chromium driven by
Playwright, at a phone's size, against the page served by waitress as the service serves
it (the bedside service a fake behind the same control protocol)."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import expect

from crampcoach import locations
from crampcoach.journal.store import Journal
from crampcoach.web.app import create_app
from crampcoach.web.auth import FAILS_PER_ADDRESS
from crampcoach.web.server import RunningPage, serve
from support.web import PASSWORD, Page, make_page

pytestmark = pytest.mark.slow

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
PHONE = {"width": 390, "height": 844}
BAD_ROUTINE = """\
name: My calves
steps:
  - say: Sit comfortably.
  - stretch: Calf stretch
    cue: Draw your toes toward you.
    hold: banana
"""


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if shutil.which(CHROMIUM) is None:
        pytest.fail(f"{CHROMIUM} is missing: 'make system' installs Debian's chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture
def page() -> Page:
    return make_page()


@pytest.fixture
def served(page: Page) -> Iterator[RunningPage]:
    running = serve(create_app(page.parts), "127.0.0.1", 0)
    try:
        yield running
    finally:
        running.close()


@pytest.fixture
def tab(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport=PHONE, device_scale_factor=1, has_touch=True)
    try:
        yield context.new_page()
    finally:
        context.close()


def log_in(tab: Any, served: RunningPage, password: str = PASSWORD) -> None:
    tab.goto(served.url)
    assert tab.url.endswith("/login?next=/")
    tab.get_by_label("Password or PIN").fill(password)
    tab.get_by_role("button", name="Log in").click()


def test_log_in_and_start_a_session_with_one_tap(tab: Any, served: RunningPage,
                                                 page: Page) -> None:
    log_in(tab, served)
    assert tab.get_by_role("heading", level=1).inner_text() == "Now"
    tab.get_by_role("button", name="Start Cramp rescue").click()
    assert page.service.commands == [("start", "cramp-rescue")]
    assert tab.get_by_role("status").first.inner_text() == "Done: Started cramp-rescue."
    assert tab.locator('[data-field="state"]').inner_text() == "Playing: cramp-rescue"
    # The live status follows the service without a reload (the page's one script).
    page.service.state = "paused"
    expect(tab.locator('[data-field="state"]')).to_have_text("Paused: cramp-rescue",
                                                             timeout=10_000)
    tab.get_by_role("button", name="Carry on").click()
    assert page.service.commands[-1] == ("resume", None)
    tab.get_by_role("button", name="Stop").click()
    assert page.service.commands[-1] == ("stop", None)
    assert tab.locator('[data-field="state"]').inner_text() == "Nothing is playing."


def test_log_a_rating(tab: Any, served: RunningPage) -> None:
    log_in(tab, served)
    tab.get_by_role("link", name="Log", exact=True).click()
    tab.locator('label[for="rating-7"]').tap()
    tab.get_by_label("A note with the rating (optional)").fill("woke at 3 with a calf cramp")
    tab.get_by_role("button", name="Save the rating").click()
    assert tab.get_by_role("status").first.inner_text() == "Done: Recorded: 7 out of 10."
    with Journal.open(locations.journal_path(), create=False) as journal:
        [rating] = journal.ratings()
    assert (rating.value, rating.note) == (7, "woke at 3 with a calf cramp")


def test_log_an_episode(tab: Any, served: RunningPage) -> None:
    log_in(tab, served)
    tab.get_by_role("link", name="Log", exact=True).click()
    tab.get_by_text("Record a cramp, spasm, twitching or stiffness").tap()
    form = tab.locator("form", has=tab.get_by_role("button", name="Save the episode"))
    form.get_by_text("Cramp", exact=True).tap()
    form.get_by_label("Where (calf, foot, toes, thigh, hand, back...)").fill("calf")
    form.get_by_text("Left", exact=True).tap()
    form.get_by_label("How long, in minutes (0.5 is half a minute)").fill("5")
    form.get_by_label("How bad, 0 (none) to 10 (worst)").select_option("7")
    form.get_by_label("What helped (stretching, warmth, walking...)").fill("stretching")
    form.get_by_label("When it began, HH:MM (empty: now)").fill("03:10")
    tab.get_by_role("button", name="Save the episode").click()
    assert tab.get_by_role("status").first.inner_text() == (
        "Done: Recorded: cramp, left calf, 5 min, 7 of 10; helped: stretching.")
    with Journal.open(locations.journal_path(), create=False) as journal:
        [episode] = journal.episodes()
    assert (episode.kind, episode.body_part, episode.side, episode.duration_s,
            episode.severity) == ("cramp", "calf", "left", 300, 7)


def test_a_routine_with_an_error_is_shown_at_its_line_and_not_saved(
        tab: Any, served: RunningPage) -> None:
    log_in(tab, served)
    tab.get_by_role("link", name="Routines", exact=True).click()
    tab.get_by_label("Name (letters, digits, - and _)").fill("my-calves")
    tab.get_by_role("button", name="Start a new routine").click()
    saved = (locations.user_routines_dir() / "my-calves.yaml").read_text()
    tab.get_by_label("The routine (YAML)").fill(BAD_ROUTINE)
    tab.get_by_role("button", name="Save", exact=True).click()
    alert = tab.get_by_role("alert")
    assert "Not saved. 1 problem to fix (the saved routine is unchanged):" in alert.inner_text()
    line = tab.locator("#line-6")
    assert line.is_visible()
    assert line.inner_text() == ("    hold: banana\n\nLine 6: step 2: hold must be a duration "
                                 "like 30, 7.5, 30s, 2m or 1m30s, not 'banana'")
    assert (locations.user_routines_dir() / "my-calves.yaml").read_text() == saved
    # A tap on the line puts the cursor there in the text, to fix it.
    line.tap()
    selected = tab.evaluate("() => { const t = document.getElementById('text');"
                            " return t.value.slice(t.selectionStart, t.selectionEnd); }")
    assert selected == "    hold: banana"
    tab.get_by_label("The routine (YAML)").fill(BAD_ROUTINE.replace("banana", "20s"))
    tab.get_by_role("button", name="Save", exact=True).click()
    assert tab.get_by_role("status").first.inner_text() == (
        "Saved. The routine is checked and saved.")
    assert "hold: 20s" in (locations.user_routines_dir() / "my-calves.yaml").read_text()


def test_without_a_login_every_page_goes_to_the_login(tab: Any, served: RunningPage) -> None:
    for path in ("", "log", "journal", "routines", "settings"):
        tab.goto(served.url + path)
        assert re.search(r"/login\?next=/", tab.url), path
        assert tab.get_by_role("heading", level=1).inner_text() == "Log in"


def test_a_form_on_another_origin_cannot_steer_the_service(
        browser: Any, tab: Any, served: RunningPage, page: Page) -> None:
    from flask import Flask

    log_in(tab, served)
    csrf = tab.locator('input[name="csrf"]').first.get_attribute("value")
    evil = Flask("evil")

    @evil.get("/")
    def attack() -> str:
        # Even with the stolen token, the browser says where the form came from.
        return (f'<form id="f" method="post" action="{served.url}control">'
                f'<input name="command" value="start"><input name="routine" '
                f'value="cramp-rescue"><input name="csrf" value="{csrf}"></form>'
                '<script>document.getElementById("f").submit()</script>')

    other = serve(evil, "127.0.0.1", 0)
    try:
        with tab.expect_navigation():
            tab.goto(other.url)
        tab.wait_for_load_state()
        assert "That request was refused: it did not come from this page." in tab.content()
    finally:
        other.close()
    assert page.service.commands == []


def test_logins_are_rate_limited_in_the_browser(tab: Any, served: RunningPage) -> None:
    for _ in range(FAILS_PER_ADDRESS):
        log_in(tab, served, password="wrong password")
        assert tab.get_by_role("alert").inner_text() == (
            "Not done: That password is not right.")
    log_in(tab, served)
    # 4 s from the last failure, less the time the browser took since.
    assert tab.get_by_role("alert").inner_text() in [
        f"Not done: Too many tries. Please wait {n} seconds, then try again." for n in (3, 4)]


def test_every_control_is_labelled_and_large_enough_to_tap(tab: Any,
                                                           served: RunningPage) -> None:
    log_in(tab, served)
    for path in ("", "log", "journal", "routines", "routines/cramp-rescue", "settings"):
        tab.goto(served.url + path)
        for summary in tab.locator("details summary").all():
            summary.tap()  # open every part of the page, so its controls are measured
        small = tab.evaluate("""() => [...document.querySelectorAll(
              'main button, main input:not([type=hidden]):not([type=radio]):not([type=checkbox]),'
              + ' main select,'
              + ' main textarea, nav a, .scale label, .options label, .row-link, summary')]
            .map(e => [e.textContent.trim() || e.name || e.id, e.getBoundingClientRect()])
            .filter(([, r]) => r.height < 48 || r.width < 48)
            .map(([name, r]) => name + ' ' + Math.round(r.width) + 'x' + Math.round(r.height))""")
        assert small == [], path
        unlabelled = tab.evaluate("""() => [...document.querySelectorAll(
              'input:not([type=hidden]), select, textarea')]
            .filter(e => !(e.labels && e.labels.length)).map(e => e.name)""")
        assert unlabelled == [], path
        wide = tab.evaluate("() => document.documentElement.scrollWidth")
        assert wide <= PHONE["width"], path
