"""The companion page end to end in a real headless browser: Debian's chromium driven by
Playwright, at a phone's size, against the page served by waitress as the service serves
it (the bedside service a fake behind the same control protocol).

The phone-sized checks run at 320x568 and 390x844, light and dark. With
CRAMPCOACH_SCREENSHOTS=FOLDER they also save what they saw there (docs/images holds the
last ones: CRAMPCOACH_SCREENSHOTS=docs/images pytest tests/test_web_browser.py)."""

from __future__ import annotations

import os
import re
import shutil
import threading
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from crampcoach import locations
from crampcoach.journal.store import Journal
from crampcoach.web.app import create_app
from crampcoach.web.auth import FAILS_PER_ADDRESS
from crampcoach.web.server import RunningPage, serve
from support.web import NOW, PASSWORD, Page, make_page

pytestmark = pytest.mark.slow

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
PHONE = {"width": 390, "height": 844}
#: The phones every look is checked on: the smallest in use and a common one, light and dark.
PHONES = [(320, 568, "light"), (320, 568, "dark"), (390, 844, "light"), (390, 844, "dark")]
#: Every page, by its name in the screenshots.
PAGES = {"now": "", "log": "log", "journal": "journal", "routines": "routines",
         "plan": "routines/cramp-rescue", "settings": "settings"}
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


@pytest.fixture(params=PHONES, ids=[f"{w}-{scheme}" for w, _, scheme in PHONES])
def phone(request: Any, browser: Any) -> Iterator[Any]:
    """A tab at one of :data:`PHONES`; ``phone.shot(name)`` saves what it shows."""
    width, height, scheme = request.param
    context = browser.new_context(viewport={"width": width, "height": height},
                                  device_scale_factor=1, has_touch=True, color_scheme=scheme)
    tab = context.new_page()
    tab.width, tab.height, tab.scheme = width, height, scheme  # type: ignore[attr-defined]

    def shot(name: str, *, full_page: bool = True) -> None:
        folder = os.environ.get("CRAMPCOACH_SCREENSHOTS")
        if folder:
            Path(folder).mkdir(parents=True, exist_ok=True)
            tab.screenshot(path=str(Path(folder) / f"companion-{name}-{width}-{scheme}.png"),
                           full_page=full_page)

    tab.shot = shot  # type: ignore[attr-defined]
    try:
        yield tab
    finally:
        context.close()


def log_in(tab: Any, served: RunningPage, password: str = PASSWORD) -> None:
    tab.goto(served.url)
    assert tab.url.endswith("/login?next=/")
    tab.get_by_label("Password or PIN").fill(password)
    tab.get_by_role("button", name="Log in").click()


def _on_first_screen(tab: Any, locator: Any) -> bool:
    box = locator.bounding_box()
    return box is not None and box["y"] >= 0 and box["y"] + box["height"] <= tab.height


def test_idle_the_start_comes_first_playing_the_step_next_and_pause(
        phone: Any, served: RunningPage, page: Page) -> None:
    log_in(phone, served)
    assert phone.get_by_role("heading", level=1).inner_text() == "Now"
    buttons = phone.locator("main button")
    first = buttons.first
    assert first.inner_text() == "Start Cramp rescue"
    assert _on_first_screen(phone, first)
    heights = [b["height"] for b in (x.bounding_box() for x in buttons.all()) if b]
    assert heights[0] == max(heights)
    assert heights.count(heights[0]) == 1
    assert phone.get_by_role("button", name="Pause").count() == 0  # nothing that cannot act
    phone.shot("now-idle")
    first.click()
    assert page.service.commands == [("start", "cramp-rescue")]
    assert phone.get_by_role("status").first.inner_text() == "Done: Started cramp-rescue."
    assert [phone.locator(f'[data-field="{f}"]').inner_text()
            for f in ("state", "step", "next", "left")] == [
        "Playing: cramp-rescue", "Now: step 2 of 4: Calf stretch", "Next: Box breathing",
        "Time left: about 3 min 05 s"]
    phone.shot("now-playing")
    pause = phone.locator("main button").first
    assert pause.inner_text() == "Pause"
    assert _on_first_screen(phone, pause)
    assert not phone.get_by_role("button", name="Yes, stop the session").is_visible()
    # The page follows the service without a tap (its one script), with the right control.
    page.service.state = "paused"
    expect(phone.locator("main button").first).to_have_text("Carry on", timeout=10_000)
    expect(phone.locator('[data-field="state"]')).to_have_text("Paused: cramp-rescue")
    phone.locator("main button").first.click()
    assert page.service.commands[-1] == ("resume", None)
    # Stop asks first.
    phone.get_by_text("Stop the session…").tap()
    phone.shot("now-stop")
    phone.get_by_role("button", name="Yes, stop the session").click()
    assert page.service.commands[-1] == ("stop", None)
    assert phone.locator('[data-field="state"]').inner_text() == "Nothing is playing."
    assert phone.locator("main button").first.inner_text() == "Start Cramp rescue"


def test_the_page_is_dark_in_the_night_hours_and_follows_the_phone_otherwise(
        phone: Any, served: RunningPage, page: Page) -> None:
    def paper() -> str:
        return str(phone.evaluate("() => getComputedStyle(document.body).backgroundColor"))

    log_in(phone, served)
    dark, light = "rgb(17, 17, 17)", "rgb(255, 255, 255)"
    assert paper() == (dark if phone.scheme == "dark" else light)
    page.settings_file.parent.mkdir(parents=True, exist_ok=True)
    page.settings_file.write_text("night:\n  start: '08:30'\n  end: '09:30'\n")  # NOW: 09:00
    phone.reload()
    assert paper() == dark
    phone.shot("now-night")


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


def assert_tap_targets(tab: Any, name: str) -> None:
    """Every link, button, summary, field and choice on the page at least 48 x 48 px (every
    part of it opened first), every field labelled, nothing wider than the phone."""
    # Open every part of the page, so its controls are measured.
    tab.evaluate("() => document.querySelectorAll('details').forEach(d => { d.open = true; })")
    small = tab.evaluate("""() => [...document.querySelectorAll(
          'a, button, summary, main select, main textarea, .scale label, .options label,'
          + ' main input:not([type=hidden]):not([type=radio]):not([type=checkbox])')]
        .filter(e => e.getClientRects().length)  // shown at all
        .map(e => [e.textContent.trim() || e.name || e.id, e.getBoundingClientRect()])
        .filter(([, r]) => r.height < 48 || r.width < 48)
        .map(([name, r]) => name + ' ' + Math.round(r.width) + 'x' + Math.round(r.height))""")
    assert small == [], name
    unlabelled = tab.evaluate("""() => [...document.querySelectorAll(
          'input:not([type=hidden]), select, textarea')]
        .filter(e => !(e.labels && e.labels.length)).map(e => e.name)""")
    assert unlabelled == [], name
    wide = tab.evaluate("() => document.documentElement.scrollWidth")
    assert wide <= tab.width, name


def test_every_link_and_button_is_labelled_and_large_enough_to_tap(
        phone: Any, served: RunningPage, page: Page) -> None:
    for days_ago, value in ((9, 6), (5, 4), (1, 5)):  # a chart with a line to draw
        with Journal.open(locations.journal_path(),
                          clock=lambda d=days_ago: NOW - timedelta(days=d)) as journal:
            journal.add_rating(value)
    page.routines.mkdir(parents=True, exist_ok=True)
    (page.routines / "my-calves.yaml").write_text("name: My calves\nsteps:\n  - rest: 5s\n")
    phone.goto(served.url + "login")
    assert_tap_targets(phone, "login")
    phone.shot("login")
    log_in(phone, served)
    for name, path in {**PAGES, "edit": "routines/my-calves/edit",
                       "missing": "routines/no-such-routine"}.items():
        phone.goto(served.url + path)
        assert_tap_targets(phone, name)
        phone.shot(name)
    page.service.state, page.service.routine = "playing", "Cramp rescue"
    phone.goto(served.url)
    assert_tap_targets(phone, "now while playing")
    phone.goto(served.url + "journal")
    smallest = phone.evaluate("""() => Math.min(...[...document.querySelectorAll('.chart text')]
        .map(t => t.getBoundingClientRect().height))""")
    assert smallest >= 18  # the labels drawn at 15 px or more (a line of text is 1.2 times that)


def test_messages_are_in_the_pages_own_terms(phone: Any, served: RunningPage,
                                              page: Page) -> None:
    log_in(phone, served)
    phone.goto(served.url + "settings")
    phone.get_by_label("Volume, in percent (0 to 100)").fill("150")
    phone.get_by_role("button", name="Save the settings").click()
    assert " ".join(phone.get_by_role("alert").inner_text().split()) == (
        "Not saved: Volume: must be a percent from 0 to 100, not 150")
    phone.shot("settings-error")
    page.routines.mkdir(parents=True, exist_ok=True)
    (page.routines / "my-calves.yaml").write_text("name: My calves\nsteps:\n  - rest: 5s\n")
    phone.goto(served.url + "routines/my-calves/edit")
    # Two problems, and a YAML error past the last line: in line order, at lines shown.
    phone.get_by_label("The routine (YAML)").fill(
        "name: My calves\nsteps:\n  - stretch: Calf stretch\n    hold: banana\n"
        "  - say: Sit up.\n    pause: [\n")
    phone.get_by_role("button", name="Save", exact=True).click()
    alert = phone.get_by_role("alert").inner_text()
    assert alert.startswith("Not saved. 1 problem to fix"), alert
    assert "Line 6: not valid YAML" in alert
    assert "/" not in alert.replace("n/a", "")
    assert phone.locator("#line-6 .at-line").inner_text().startswith("Line 6: not valid YAML")
    phone.get_by_label("The routine (YAML)").fill(
        "name: My calves\nsteps:\n  - stretch: Calf stretch\n    hold: banana\n"
        "  - say: Sit up.\n    bogus: 1\n")
    phone.get_by_role("button", name="Save", exact=True).click()
    items = phone.locator("#problems li").all_inner_texts()
    assert [i.split(":")[0] for i in items] == sorted(
        (i.split(":")[0] for i in items), key=lambda w: int(w.split()[1]))
    assert all(i.startswith("Line ") for i in items), items
    phone.shot("edit-error")
    assert_tap_targets(phone, "edit with problems")
    assert str(Path.home()) not in phone.content()


def test_log_chooses_the_day_and_records_blood_questions_and_the_check_in(
        phone: Any, served: RunningPage) -> None:
    log_in(phone, served)
    phone.get_by_role("link", name="Log", exact=True).click()
    assert phone.get_by_role("heading", name="The weekly check-in is due").is_visible()
    phone.shot("log-checkin-due")
    phone.get_by_role("link", name="Yesterday").click()
    assert "Factors for yesterday, Sunday 29 November" in phone.locator(
        "#factors-heading").inner_text()
    phone.get_by_label("Stress, 0 (none) to 10 (worst)").fill("7")
    phone.get_by_role("button", name="Save the factors for Sun 29 Nov").click()
    assert phone.get_by_role("status").first.inner_text() == (
        "Done: Factors for Sun 29 Nov: stress 7/10.")
    phone.get_by_text("Record a result from the lab report").tap()
    phone.get_by_label("Test, as on the report (vitamin D, magnesium...)").fill("vitamin D")
    phone.get_by_label("Value, as written").fill("48")
    phone.get_by_label("Unit (mmol/L, nmol/L...)").fill("nmol/L")
    phone.get_by_role("button", name="Save the blood result").click()
    assert phone.get_by_role("status").first.inner_text() == (
        "Done: Recorded Mon 30 Nov: vitamin D 48 nmol/L.")
    phone.get_by_label("A question to ask (it goes in the report)").fill(
        "Could the baclofen dose be split?")
    phone.get_by_role("button", name="Note the question").click()
    assert phone.get_by_role("status").first.inner_text() == (
        "Done: Noted. 1 open question for the report.")
    phone.get_by_text("Answer its four questions").tap()
    form = phone.locator("section.due form")
    form.locator('label[for="c-painful-no"]').tap()
    form.locator('label[for="c-more_often-no"]').tap()
    form.locator('label[for="c-weakness-no"]').tap()
    form.locator('label[for="c-daily_life-no"]').tap()
    phone.get_by_role("button", name="Save the check-in").click()
    assert phone.get_by_role("status").first.inner_text().startswith("Done: ")
    assert phone.locator("section.due").count() == 0
    with Journal.open(locations.journal_path(), create=False) as journal:
        assert [(f.day.isoformat(), f.stress) for f in journal.factors()] == [
            ("2026-11-29", 7)]
        assert [(b.test, b.value) for b in journal.blood_results()] == [("vitamin D", "48")]
        assert [q.text for q in journal.questions()] == ["Could the baclofen dose be split?"]
        assert len(journal.checkins()) == 1


def test_the_report_shows_progress_and_says_when_it_fails(phone: Any) -> None:
    release = threading.Event()
    failing: list[bool] = []

    def report(days: int) -> bytes:
        from crampcoach.errors import CrampcoachError

        release.wait(10)
        if failing:
            raise CrampcoachError("the charts extra is not installed")
        return b"%PDF-1.4 a report of " + str(days).encode() + b" days"

    page = make_page(report=report)
    running = serve(create_app(page.parts), "127.0.0.1", 0)
    try:
        log_in(phone, running)
        phone.goto(running.url + "journal")
        button = phone.get_by_role("button", name="Download the report (PDF)")
        with phone.expect_download(timeout=15_000) as download:
            button.click()
            expect(phone.locator("#report-progress")).to_be_visible()
            assert button.is_disabled()  # one at a time
            phone.shot("journal-report", full_page=False)
            release.set()
        assert download.value.suggested_filename == "crampcoach-report-2026-11-30.pdf"
        assert Path(download.value.path()).read_bytes() == b"%PDF-1.4 a report of 90 days"
        expect(phone.locator("#report-progress")).to_be_hidden()
        assert_tap_targets(phone, "journal with the report")
        failing.append(True)
        button.click()
        expect(phone.locator("#report-error")).to_have_text(
            "The report could not be made: the charts extra is not installed")
        assert button.is_enabled()
    finally:
        release.set()
        running.close()
