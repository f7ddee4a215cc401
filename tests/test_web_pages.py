"""The companion page's pages on fakes: what each shows and what each change does to the
files, with every refusal leaving them as they were."""

from __future__ import annotations

import re

import pytest

from crampcoach import locations
from crampcoach.journal.store import Journal
from crampcoach.settings import EXAMPLE, load_settings
from support.web import NOW, ORIGIN, logged_in, make_page, notices

GOOD_ROUTINE = """\
name: My calves
steps:
  - say: Sit comfortably.
  - rest: 10s
"""
BAD_ROUTINE = """\
name: My calves
steps:
  - say: Sit comfortably.
  - stretch: Calf stretch
    hold: banana
"""


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()


# --- Now ------------------------------------------------------------------------------------


def test_now_offers_the_usual_routines_and_shows_the_status() -> None:
    page = make_page()
    client, _ = logged_in(page)
    html = client.get("/").get_data(as_text=True)
    assert "Start Cramp rescue" in html
    assert "Nothing is playing." in html
    page.service.state, page.service.routine = "playing", "Cramp rescue"
    text = _text(client.get("/").get_data(as_text=True))
    assert "Playing: Cramp rescue" in text
    assert "Now: step 2 of 4: Calf stretch" in text
    assert "Next: Box breathing" in text
    assert "Time left: about 3 min 05 s" in text


def test_the_controls_reach_the_service_and_its_answer_is_shown() -> None:
    page = make_page()
    client, csrf = logged_in(page)
    for command in ("start", "pause", "resume", "next", "repeat", "stop"):
        data = {"command": command, "csrf": csrf}
        if command == "start":
            data["routine"] = "cramp-rescue"
        assert client.post("/control", data=data, headers=ORIGIN).status_code == 302
    assert page.service.commands == [("start", "cramp-rescue"), ("pause", None),
                                     ("resume", None), ("next", None), ("repeat", None),
                                     ("stop", None)]
    client.post("/control", data={"command": "pause", "csrf": csrf}, headers=ORIGIN)
    assert notices(client.get("/").get_data(as_text=True)) == [
        "Done: Started cramp-rescue.", "Done: Paused.", "Done: Carrying on.", "Done: Next.",
        "Done: Repeating.", "Done: Stopping.", "Not done: Nothing is playing"]


def test_a_control_that_is_not_one_is_refused_before_the_service() -> None:
    page = make_page()
    client, csrf = logged_in(page)
    client.post("/control", data={"command": "reboot", "csrf": csrf}, headers=ORIGIN)
    client.post("/control", data={"command": "start", "routine": "../../etc/passwd",
                                  "csrf": csrf}, headers=ORIGIN)
    assert page.service.commands == []
    assert notices(client.get("/").get_data(as_text=True)) == [
        "Not done: the control is one of start, pause, resume, next, repeat, stop, continue",
        "Not done: start a routine from the lists on these pages"]


def test_a_service_that_cannot_be_reached_is_said_plainly() -> None:
    page = make_page()
    page.service.reachable = False
    client, csrf = logged_in(page)
    text = _text(client.get("/").get_data(as_text=True))
    assert "The bedside service cannot be reached." in text
    client.post("/control", data={"command": "start", "routine": "cramp-rescue",
                                  "csrf": csrf}, headers=ORIGIN)
    assert notices(client.get("/").get_data(as_text=True)) == [
        "Not done: the bedside service is not running (start it with: systemctl --user "
        "start crampcoach-bedside)"]


# --- Log ------------------------------------------------------------------------------------


def test_a_rating_is_recorded_in_the_journal() -> None:
    client, csrf = logged_in(make_page())
    response = client.post("/log/rating", data={"rating": "6", "note": "after a walk",
                                                "csrf": csrf}, headers=ORIGIN)
    assert response.headers["Location"] == "/log"
    assert notices(client.get("/log").get_data(as_text=True)) == [
        "Done: Recorded: 6 out of 10."]
    with Journal.open(locations.journal_path(), create=False) as journal:
        [rating] = journal.ratings()
    assert (rating.value, rating.note) == (6, "after a walk")


def test_a_rating_out_of_range_is_refused_with_the_journals_words() -> None:
    client, csrf = logged_in(make_page())
    client.post("/log/rating", data={"rating": "7", "csrf": csrf}, headers=ORIGIN)
    for value in ("11", "-1", "seven", ""):
        client.post("/log/rating", data={"rating": value, "csrf": csrf}, headers=ORIGIN)
    assert notices(client.get("/log").get_data(as_text=True)) == [
        "Done: Recorded: 7 out of 10.",
        "Not done: a rating is a whole number from 0 (no cramps) to 10 (worst); got 11",
        "Not done: a rating is a whole number from 0 (no cramps) to 10 (worst); got -1",
        "Not done: how bad the cramps are is a whole number, not &#39;seven&#39;",
        "Not done: choose how bad the cramps are, from 0 to 10"]
    with Journal.open(locations.journal_path(), create=False) as journal:
        assert [r.value for r in journal.ratings()] == [7]


# --- Journal --------------------------------------------------------------------------------


def test_the_journal_shows_the_chart_trend_and_flags() -> None:
    page = make_page()
    client, csrf = logged_in(page)
    client.post("/log/rating", data={"rating": "9", "csrf": csrf}, headers=ORIGIN)
    text = _text(client.get("/journal").get_data(as_text=True))
    assert "Average rating on 1 days from 01 Nov to 30 Nov: lowest 9.0, highest 9.0, " \
           "latest 9.0." in text
    assert "Trend: not enough ratings yet" in text
    assert "A rating of 9 in the last day is high." in text


def test_an_empty_journal_is_shown_without_an_error() -> None:
    client, _ = logged_in(make_page())
    response = client.get("/journal")
    assert response.status_code == 200
    assert "No ratings from 01 Nov to 30 Nov." in _text(response.get_data(as_text=True))
    assert not locations.journal_path().exists()  # reading never makes a journal


# --- Routines -------------------------------------------------------------------------------


def test_routines_lists_the_built_ins_and_shows_a_plan() -> None:
    client, _ = logged_in(make_page())
    text = _text(client.get("/routines").get_data(as_text=True))
    assert "Cramp rescue Built-in" in text
    plan = _text(client.get("/routines/box-breathing").get_data(as_text=True))
    assert "The plan:" in plan
    assert "0:00" in plan
    assert client.get("/routines/no-such-one").status_code == 404
    assert client.get("/routines/..%2F..%2Fetc").status_code == 404


def test_an_invalid_routine_is_shown_at_its_line_and_never_saved_over_a_valid_one() -> None:
    client, csrf = logged_in(make_page())
    path = locations.user_routines_dir() / "mine.yaml"
    path.parent.mkdir(parents=True)
    path.write_text(GOOD_ROUTINE)
    response = client.post("/routines/mine/edit", data={"text": BAD_ROUTINE,
                                                        "action": "save", "csrf": csrf},
                           headers=ORIGIN)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert (f"<li>{path}:4: step 2 (stretch): &#39;cue&#39; is required</li>") in html
    assert ('<li value="5" class="bad" id="line-5"><code>    hold: banana</code>'
            '<p class="at-line"><strong>Line 5:</strong> step 2: hold must be a duration '
            'like 30, 7.5, 30s, 2m or 1m30s, not &#39;banana&#39;</p></li>') in html
    assert path.read_text() == GOOD_ROUTINE
    assert "banana" in html.split("<textarea")[1]  # the edit is kept on the page to fix


def test_a_valid_routine_is_saved_and_its_plan_shown() -> None:
    client, csrf = logged_in(make_page())
    client.post("/routines/new", data={"name": "mine", "csrf": csrf}, headers=ORIGIN)
    response = client.post("/routines/mine/edit", data={"text": GOOD_ROUTINE,
                                                        "action": "save", "csrf": csrf},
                           headers=ORIGIN)
    assert response.status_code == 200
    text = _text(response.get_data(as_text=True))
    assert "Saved. The routine is checked and saved." in text
    assert "“Sit comfortably.”" in text
    assert (locations.user_routines_dir() / "mine.yaml").read_text() == GOOD_ROUTINE


def test_check_previews_without_saving() -> None:
    client, csrf = logged_in(make_page())
    client.post("/routines/new", data={"name": "mine", "csrf": csrf}, headers=ORIGIN)
    before = (locations.user_routines_dir() / "mine.yaml").read_text()
    response = client.post("/routines/mine/edit", data={"text": GOOD_ROUTINE,
                                                        "action": "check", "csrf": csrf},
                           headers=ORIGIN)
    assert "The plan:" in response.get_data(as_text=True)
    assert (locations.user_routines_dir() / "mine.yaml").read_text() == before


def test_a_built_in_is_copied_to_edit_and_names_are_checked() -> None:
    page = make_page()
    client, csrf = logged_in(page)
    response = client.post("/routines/new", data={"name": "my-rescue",
                                                  "source": "cramp-rescue", "csrf": csrf},
                           headers=ORIGIN)
    assert response.headers["Location"] == "/routines/my-rescue/edit"
    copy = locations.user_routines_dir() / "my-rescue.yaml"
    assert "name: Cramp rescue" in copy.read_text()
    for name, source in (("my-rescue", "cramp-rescue"), ("../evil", ""),
                         ("x", "/etc/passwd")):
        client.post("/routines/new", data={"name": name, "source": source, "csrf": csrf},
                    headers=ORIGIN)
    assert notices(client.get("/routines").get_data(as_text=True)) == [
        "Done: Made my-rescue: change it below and save.",
        "Not done: you already have a routine called my-rescue",
        "Not done: a routine&#39;s name is letters, digits, - and _ (like my-calves)",
        "Not done: copy one of the built-in routines"]
    assert sorted(p.name for p in copy.parent.iterdir()) == ["my-rescue.yaml"]


# --- Settings -------------------------------------------------------------------------------


def test_settings_are_changed_in_the_file_keeping_its_comments() -> None:
    page = make_page()
    page.settings_file.parent.mkdir(parents=True, exist_ok=True)
    page.settings_file.write_text(EXAMPLE)
    client, csrf = logged_in(page)
    response = client.post("/settings", data={"volume": "60", "rate": "130",
                                              "night_start": "21:30", "night_end": "06:30",
                                              "button_routine": "twitch-wind-down",
                                              "csrf": csrf}, headers=ORIGIN)
    assert response.status_code == 302
    settings, _ = load_settings(page.settings_file)
    assert settings.volume == 0.6
    assert settings.rate == 130
    assert settings.night is not None
    assert f"{settings.night.start:%H:%M}" == "21:30"
    text = page.settings_file.read_text()
    assert "# Loudness of speech and tones, from 0 (silent) to 1 (full).\nvolume: 0.6\n" in text


def test_settings_out_of_range_are_refused_at_their_line_and_nothing_changes() -> None:
    page = make_page()
    page.settings_file.parent.mkdir(parents=True, exist_ok=True)
    page.settings_file.write_text(EXAMPLE)
    client, csrf = logged_in(page)
    response = client.post("/settings", data={"volume": "150", "night_start": "25:00",
                                              "csrf": csrf}, headers=ORIGIN)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert f"<li>{page.settings_file}:9: volume must be between 0 and 1, not 1.5</li>" in html
    assert (f"<li>{page.settings_file}:22: night.start must be a time of day like 22:00, "
            "not &#39;25:00&#39;</li>") in html
    assert page.settings_file.read_text() == EXAMPLE
    assert 'value="150"' in html  # what was typed stays in the form to correct


# --- Log: the care record -------------------------------------------------------------------


def _post(client: object, url: str, csrf: str, **data: str) -> None:
    response = client.post(url, data={**data, "csrf": csrf}, headers=ORIGIN)  # type: ignore[attr-defined]
    assert response.status_code == 302


def test_an_episode_is_recorded_as_the_episode_command_records_it() -> None:
    client, csrf = logged_in(make_page())
    _post(client, "/log/episode", csrf, kind="cramp", where="calf", side="left",
          minutes="5", severity="7", helped="stretching", when="03:10")
    _post(client, "/log/episode", csrf, kind="banana")
    _post(client, "/log/episode", csrf, minutes="1e400")
    _post(client, "/log/episode", csrf, when="23:99")
    assert notices(client.get("/log").get_data(as_text=True)) == [
        "Done: Recorded: cramp, left calf, 5 min, 7 of 10; helped: stretching.",
        "Not done: what it was is one of cramp, spasm, twitching, stiffness",
        "Not done: how long it lasted (minutes) is a number, not &#39;1e400&#39;",
        "Not done: &#39;23:99&#39; is not a time: use HH:MM (today, or last night) or "
        "YYYY-MM-DD HH:MM"]
    with Journal.open(locations.journal_path(), create=False) as journal:
        [episode] = journal.episodes()
    assert (episode.kind, episode.body_part, episode.side, episode.duration_s,
            episode.severity, episode.helped) == ("cramp", "calf", "left", 300, 7, "stretching")
    assert f"{episode.at:%Y-%m-%d %H:%M}" == "2026-11-30 03:10"


def test_the_nights_episodes_are_listed_and_completed() -> None:
    client, csrf = logged_in(make_page())
    with Journal.open(locations.journal_path(), clock=lambda: NOW) as journal:
        night = journal.add_episode(severity=6, routine="Cramp rescue")
    html = client.get("/log").get_data(as_text=True)
    assert ("<summary>Mon 30 Nov 09:00: episode, 6 of 10, routine Cramp rescue (to complete: "
            "what, where, how long)</summary>") in html
    _post(client, f"/log/episode/{night.id}", csrf, kind="cramp", where="calf",
          side="right", minutes="4")
    _post(client, f"/log/episode/{night.id}", csrf)
    _post(client, "/log/episode/0123456789abcdef0123456789abcdef", csrf, where="foot")
    assert notices(client.get("/log").get_data(as_text=True)) == [
        "Done: Updated: cramp, right calf, 4 min, 6 of 10, routine Cramp rescue.",
        "Not done: say what to add to the episode",
        f"Not done: no episode 0123456789abcdef0123456789abcdef in {locations.journal_path()}"]
    with Journal.open(locations.journal_path(), create=False) as journal:
        assert journal.pending_episodes() == []
        assert len(journal.episodes()) == 1


def test_todays_factors_and_a_medicine_change_are_recorded() -> None:
    client, csrf = logged_in(make_page())
    _post(client, "/log/factors", csrf, fluids="6", caffeine="2", heat="yes", sleep="6.5",
          tags="travel, new shoes")
    _post(client, "/log/factors", csrf, fluids="99")
    _post(client, "/log/factors", csrf)
    _post(client, "/log/medicine", csrf, name="baclofen", change="start", dose="10 mg",
          day="2026-11-01")
    _post(client, "/log/medicine", csrf, name="magnesium", change="stop")
    _post(client, "/log/medicine", csrf, name="baclofen", change="start", day="2026-13-01")
    html = client.get("/log").get_data(as_text=True)
    assert notices(html) == [
        "Done: Today&#39;s factors: 6 glasses of fluids, caffeine 2, heat, sleep 6.5 h, "
        "tags: travel, new shoes.",
        "Not done: fluids (glasses) is a whole number from 0 to 40; got 99",
        "Not done: fill in at least one of today&#39;s factors",
        "Done: Sun 01 Nov: baclofen: started 10 mg.",
        "Not done: magnesium is not recorded as taken on 2026-11-30; record its start first "
        "(with the day it began)",
        "Not done: &#39;2026-13-01&#39; is not a day: use YYYY-MM-DD, today or yesterday"]
    assert "Taking now: baclofen 10 mg (since 2026-11-01)" in html
    with Journal.open(locations.journal_path(), create=False) as journal:
        [factors] = journal.factors()
        assert (factors.fluids_glasses, factors.heat, factors.tags) == (
            6, True, ("travel", "new shoes"))
        assert [m.name for m in journal.medicines()] == ["baclofen"]


def test_the_journal_shows_what_seems_to_help_pending_episodes_and_the_urgent_advice() -> None:
    client, csrf = logged_in(make_page())
    with Journal.open(locations.journal_path(), clock=lambda: NOW) as journal:
        journal.add_episode(severity=8)
    _post(client, "/log/rating", csrf, rating="9")
    text = _text(client.get("/journal").get_data(as_text=True))
    assert ("Nothing stands out yet. (5 rated days with and without a factor, routine or "
            "medicine are needed to compare.)") in text
    assert "Episodes to complete Mon 30 Nov 09:00: episode, 8 of 10 (to complete:" in text
    assert "Urgent: Get help now, without waiting," in text


def test_an_episode_with_urgent_signs_says_get_help_now_and_stays_flagged() -> None:
    client, csrf = logged_in(make_page())
    _post(client, "/log/episode", csrf, kind="cramp", where="calf", side="left",
          minutes="30", eased="no", sign_swollen="yes", sign_warm="yes")
    [notice] = notices(client.get("/log").get_data(as_text=True))
    assert notice.startswith("Get help now: Recorded: cramp, left calf, 30 min, did not "
                             "ease, swollen and warm. Get help now, without waiting,")
    with Journal.open(locations.journal_path(), create=False) as journal:
        [episode] = journal.episodes()
    assert (episode.eased, episode.signs) == (False, ("swollen", "warm"))
    text = _text(client.get("/journal").get_data(as_text=True))
    assert "Get help now: On Mon 30 Nov at " in text
    assert "a cramp in the left calf that lasted 30 min and did not ease, with the limb " \
        "swollen and warm." in text


def test_a_routine_is_started_from_its_plan() -> None:
    page = make_page()
    client, csrf = logged_in(page)
    html = client.get("/routines/box-breathing").get_data(as_text=True)
    assert '<input type="hidden" name="routine" value="box-breathing">' in html
    client.post("/control", data={"command": "start", "routine": "box-breathing",
                                  "csrf": csrf}, headers=ORIGIN)
    assert page.service.commands == [("start", "box-breathing")]


def test_a_routine_file_named_with_a_space_opens() -> None:
    page = make_page()
    page.routines.mkdir(parents=True, exist_ok=True)
    (page.routines / "my calves.yaml").write_text(
        "name: My calves\nsteps:\n  - say: Sit on the edge of the bed.\n")
    client, _ = logged_in(page)
    listing = client.get("/routines").get_data(as_text=True)
    assert "my%20calves" in listing or "my calves" in listing
    assert client.get("/routines/my%20calves").status_code == 200
    assert client.get("/routines/my%20calves/edit").status_code == 200
    assert client.get("/routines/..%2Fx").status_code == 404


def test_a_new_routine_cannot_take_a_builtins_name() -> None:
    page = make_page()
    client, csrf = logged_in(page)
    client.post("/routines/new", data={"csrf": csrf, "name": "cramp-rescue"}, headers=ORIGIN)
    assert notices(client.get("/routines").get_data(as_text=True)) == [
        "Not done: cramp-rescue is the name of a built-in routine; give yours a name of its "
        "own, like my-cramp-rescue"]
    assert not (page.routines / "cramp-rescue.yaml").exists()


@pytest.mark.parametrize("target", ["/etc/shadow", "/etc/no-such-file-at-all.yaml",
                                    "../../../../etc/passwd"])
def test_an_include_outside_the_routines_folders_tells_nothing_about_the_file(
        target: str) -> None:
    page = make_page()
    page.routines.mkdir(parents=True, exist_ok=True)
    (page.routines / "mine.yaml").write_text("name: Mine\nsteps:\n  - say: Hello.\n")
    client, csrf = logged_in(page)
    response = client.post("/routines/mine/edit", headers=ORIGIN, data={
        "csrf": csrf, "action": "check",
        "text": f"name: Mine\nsteps:\n  - include: {target}\n"})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert (f"step 1: cannot include &#39;{target}&#39;: only routines in your routines "
            "folder or built-in ones can be included here") in html
    assert "permission" not in html
    assert "no such file" not in html
