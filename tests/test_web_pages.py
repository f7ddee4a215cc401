"""The companion page's pages on fakes: what each shows and what each change does to the
files, with every refusal leaving them as they were."""

from __future__ import annotations

import re

import pytest

from crampcoach import locations
from crampcoach.journal.store import Journal
from crampcoach.settings import EXAMPLE, load_settings
from crampcoach.web.app import create_app
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
    html = client.get("/").get_data(as_text=True)
    assert "The bedside service cannot be reached." in _text(html)
    assert _buttons(html) == ["Log out"]  # no start that could not act
    assert ">Try again</a>" in html
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
    # In the editor's terms and in line order: the line, never the file's folder.
    assert ("<li>Line 4: step 2 (stretch): &#39;cue&#39; is required</li><li>Line 5: step 2: "
            "hold must be a duration like 30, 7.5, 30s, 2m or 1m30s, not &#39;banana&#39;</li>"
            ) in html
    assert str(path.parent) not in html
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
    # In the form's terms: its labels, the volume in percent as typed; no folder shown.
    assert "<li>Volume: must be a percent from 0 to 100, not 150</li>" in html
    assert ("<li>Night hours, from: must be a time of day like 22:00, not &#39;25:00&#39;</li>"
            ) in html
    assert str(page.settings_file.parent) not in html
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
        "Not done: no episode 0123456789abcdef0123456789abcdef in journal.sqlite3"]
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
        "Done: Factors for Mon 30 Nov: 6 glasses of fluids, caffeine 2, heat, sleep 6.5 h, "
        "tags: travel, new shoes.",
        "Not done: fluids (glasses) is a whole number from 0 to 40; got 99",
        "Not done: fill in at least one of the factors",
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


def test_an_urgent_episode_already_complete_gets_its_follow_up_from_the_log() -> None:
    client, csrf = logged_in(make_page())
    with Journal.open(locations.journal_path(), clock=lambda: NOW) as journal:
        episode = journal.add_episode(kind="cramp", body_part="calf", side="left",
                                      duration_s=1800, eased=False, signs=("swollen",))
        assert journal.pending_episodes() == []
    html = client.get("/log").get_data(as_text=True)
    form = f'<form method="post" action="/log/episode/{episode.id}" class="stack">'
    assert "Get help now: once you have had it, say what happened" in html
    assert ("<p>Mon 30 Nov 09:00: cramp, left calf, 30 min, did not ease, swollen</p>\n"
            + form) in html
    assert 'id="flagged-follow-up" name="follow_up"' in html
    _post(client, f"/log/episode/{episode.id}", csrf, follow_up="GP saw it: no clot")
    html = client.get("/log").get_data(as_text=True)
    assert notices(html) == [
        "Done: Updated: cramp, left calf, 30 min, did not ease, swollen  "
        "(since: &#34;GP saw it: no clot&#34;)."]
    assert form not in html
    with Journal.open(locations.journal_path(), create=False) as journal:
        [kept] = journal.episodes()
    assert kept.follow_up == "GP saw it: no clot"
    assert "Get help now: On" not in _text(client.get("/journal").get_data(as_text=True))


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


# --- what the tired carer sees first ------------------------------------------------------------


def _buttons(html: str) -> list[str]:
    return [re.sub(r"<[^>]+>", "", b).strip()
            for b in re.findall(r"<button[^>]*>(.*?)</button>", html, re.S)]


def test_when_idle_only_the_starts_are_offered_the_buttons_routine_biggest() -> None:
    page = make_page()
    locations.config_path().parent.mkdir(parents=True, exist_ok=True)
    locations.config_path().write_text("bedside:\n  routine: twitch-wind-down\n")
    client, _ = logged_in(page)
    html = client.get("/").get_data(as_text=True)
    assert _buttons(html)[:3] == ["Start Twitch wind-down", "Start Cramp rescue",
                                  "Start Evening calf relief"]
    assert re.search(r'class="big start hero">Start Twitch wind-down<', html)
    assert html.count(" hero") == 1
    assert not {"Pause", "Carry on", "Next step", "Repeat", "I am ready"} & set(_buttons(html))


def test_while_playing_pause_comes_first_and_stop_asks_first() -> None:
    page = make_page()
    page.service.state, page.service.routine = "playing", "Cramp rescue"
    client, _ = logged_in(page)
    html = client.get("/").get_data(as_text=True)
    assert _buttons(html)[:4] == ["Pause", "Next step", "Repeat", "Yes, stop the session"]
    assert "<summary>Stop the session…</summary>" in html  # Stop only behind a second tap
    assert not any(b.startswith("Start ") for b in _buttons(html))
    page.service.state = "paused"
    assert _buttons(client.get("/").get_data(as_text=True))[0] == "Carry on"
    page.service.state, page.service.waiting = "playing", True
    assert _buttons(client.get("/").get_data(as_text=True))[:2] == ["I am ready", "Pause"]
    page.service.state = "ending"  # the rating is being asked: no control acts now
    html = client.get("/").get_data(as_text=True)
    assert _buttons(html) == ["Log out"]
    assert "Finishing: Cramp rescue" in html


def test_the_status_shown_has_no_process_id() -> None:
    page = make_page()
    client, _ = logged_in(page)
    for state in ("idle", "playing"):
        page.service.state = state
        body = client.get("/status.json").get_json()
        assert "pid" not in body["status"]
        assert "4242" not in client.get("/status.json").get_data(as_text=True)
        assert body["words"]["mode"] == state


def test_a_notice_never_shows_a_folder() -> None:
    page = make_page()
    client, csrf = logged_in(page)
    client.post("/log/episode/0123456789abcdef0123456789abcdef",
                data={"minutes": "4", "csrf": csrf}, headers=ORIGIN)
    html = client.get("/log").get_data(as_text=True)
    assert "journal.sqlite3" in html
    assert str(locations.journal_path().parent) not in html


def test_the_page_is_dark_in_the_night_hours_whatever_the_phone_says() -> None:
    page = make_page()  # NOW is 09:00 UTC
    client, _ = logged_in(page)
    assert '<html lang="en">' in client.get("/").get_data(as_text=True)
    page.settings_file.parent.mkdir(parents=True, exist_ok=True)
    page.settings_file.write_text("night:\n  start: '08:30'\n  end: '09:30'\n")
    assert '<html lang="en" class="night">' in client.get("/").get_data(as_text=True)
    assert '<html lang="en" class="night">' in client.get("/login").get_data(as_text=True)


def test_the_manifest_icons_and_favicon_are_the_projects_own() -> None:
    import struct

    client = create_app(make_page().parts).test_client()  # no login: a browser asks without
    manifest = client.get("/manifest.webmanifest")
    assert manifest.status_code == 200
    assert manifest.mimetype == "application/manifest+json"
    body = manifest.get_json()
    assert (body["start_url"], body["display"]) == ("/", "standalone")
    for icon in body["icons"]:
        with client.get(icon["src"]) as answer:
            assert answer.status_code == 200, icon
            assert answer.mimetype == icon["type"]
            if icon["type"] == "image/png":
                width, height = struct.unpack(">II", answer.data[16:24])
                assert f"{width}x{height}" == icon["sizes"]
    with client.get("/favicon.ico") as favicon:
        assert (favicon.status_code, favicon.data[:8]) == (200, b"\x89PNG\r\n\x1a\n")
    assert "manifest-src 'self'" in manifest.headers["Content-Security-Policy"]


# --- Log: the day, blood results, questions and the check-in -------------------------------------


def test_in_the_small_hours_the_factors_go_to_the_day_the_night_started() -> None:
    from datetime import datetime, timedelta

    from crampcoach.web.care_pages import log_day

    page = make_page()
    small_hours = datetime(2026, 12, 1, 3, 15, tzinfo=NOW.tzinfo)
    parts = page.parts.__class__(**{**page.parts.__dict__, "now": lambda: small_hours})
    client, csrf = logged_in(page.__class__(parts, page.service, page.clock))
    assert log_day(parts) == small_hours.date() - timedelta(days=1)
    html = client.get("/log").get_data(as_text=True)
    assert "Factors for yesterday, Monday 30 November" in _text(html)
    client.post("/log/factors", data={"day": "2026-11-30", "stress": "6", "csrf": csrf},
                headers=ORIGIN)
    client.post("/log/factors", data={"day": "2026-12-01", "fluids": "3", "csrf": csrf},
                headers=ORIGIN)
    assert notices(client.get("/log").get_data(as_text=True)) == [
        "Done: Factors for Mon 30 Nov: stress 6/10.", "Done: Factors for Tue 01 Dec: 3 glasses "
        "of fluids."]
    with Journal.open(locations.journal_path(), create=False) as journal:
        assert [(f.day.isoformat(), f.stress, f.fluids_glasses) for f in journal.factors()] == [
            ("2026-11-30", 6, None), ("2026-12-01", None, 3)]


def test_a_blood_result_with_a_name_of_several_words_is_recorded() -> None:
    client, csrf = logged_in(make_page())
    client.post("/log/blood", data={"test": "vitamin D", "value": "48", "unit": "nmol/L",
                                    "day": "2026-11-20", "csrf": csrf}, headers=ORIGIN)
    client.post("/log/blood", data={"test": "potassium", "csrf": csrf}, headers=ORIGIN)
    html = client.get("/log").get_data(as_text=True)
    assert notices(html) == ["Done: Recorded Fri 20 Nov: vitamin D 48 nmol/L.",
                             "Not done: the value is needed"]
    assert "20 Nov 2026: vitamin D 48 nmol/L" in html
    with Journal.open(locations.journal_path(), create=False) as journal:
        [result] = journal.blood_results()
    assert (result.day.isoformat(), result.test, result.value, result.unit) == (
        "2026-11-20", "vitamin D", "48", "nmol/L")


def test_questions_for_the_neurologist_are_noted_and_taken_off_when_asked() -> None:
    client, csrf = logged_in(make_page())
    for text in ("Could the baclofen dose be split?", "Is magnesium worth a try?"):
        client.post("/log/question", data={"question": text, "csrf": csrf}, headers=ORIGIN)
    with Journal.open(locations.journal_path(), create=False) as journal:
        first = journal.questions()[0]
    client.post(f"/log/question/{first.id}/asked", data={"csrf": csrf}, headers=ORIGIN)
    html = client.get("/log").get_data(as_text=True)
    assert notices(html) == ["Done: Noted. 1 open question for the report.",
                             "Done: Noted. 2 open questions for the report.",
                             "Done: Marked as asked: Could the baclofen dose be split?"]
    with Journal.open(locations.journal_path(), create=False) as journal:
        assert [q.text for q in journal.questions()] == ["Is magnesium worth a try?"]


def test_the_weekly_check_in_is_offered_when_due_and_recorded() -> None:
    from crampcoach.journal.wording import URGENT
    from crampcoach.phrases import ENGLISH

    page = make_page()
    client, csrf = logged_in(page)
    assert "The weekly check-in is due" in client.get("/log").get_data(as_text=True)
    # In the night hours (NOW is 09:00) it waits at the foot of the page.
    page.settings_file.parent.mkdir(parents=True, exist_ok=True)
    page.settings_file.write_text("night:\n  start: '08:30'\n  end: '09:30'\n")
    html = client.get("/log").get_data(as_text=True)
    assert "The weekly check-in is due" not in html
    assert "<summary>Due: four questions, when you are ready</summary>" in html
    page.settings_file.unlink()
    client.post("/log/checkin", data={"painful": "yes", "more_often": "no", "csrf": csrf},
                headers=ORIGIN)
    html = client.get("/log").get_data(as_text=True)
    assert "The weekly check-in is due" not in html
    advice = ENGLISH.checkin_raise.format(signs=ENGLISH.checkin_signs["painful"])
    assert _text(notices(html)[0]).replace("&#39;", "'") == f"Done: {advice} {URGENT}"
    with Journal.open(locations.journal_path(), create=False) as journal:
        [checkin] = journal.checkins()
    assert [checkin.answer(k) for k in ("painful", "more_often", "weakness", "daily_life")] == [
        True, False, None, None]


# --- the report ------------------------------------------------------------------------------


def test_a_report_is_made_one_at_a_time_per_person_and_a_failure_is_said() -> None:
    import threading

    from crampcoach.errors import CrampcoachError

    started, release = threading.Event(), threading.Event()
    failing = False

    def report(days: int) -> bytes:
        if failing:
            raise CrampcoachError("the charts extra is not installed")
        started.set()
        release.wait(10)
        return b"%PDF-1.4 " + str(days).encode()

    client, _ = logged_in(make_page(report=report))
    first: list[object] = []
    worker = threading.Thread(target=lambda: first.append(
        client.get("/journal/report.pdf?days=30", headers={"X-Report": "fetch"})))
    worker.start()
    assert started.wait(10)
    second = client.get("/journal/report.pdf?days=30", headers={"X-Report": "fetch"})
    release.set()
    worker.join(10)
    assert (second.status_code, second.get_data(as_text=True)) == (
        503, "The report could not be made: a report is already being made for you; it "
             "downloads when it is ready")
    [done] = first
    assert (done.status_code, done.data) == (200, b"%PDF-1.4 30")  # type: ignore[attr-defined]
    failing = True
    failed = client.get("/journal/report.pdf?days=90", headers={"X-Report": "fetch"})
    assert (failed.status_code, failed.get_data(as_text=True)) == (
        503, "The report could not be made: the charts extra is not installed")
    client.get("/journal/report.pdf?days=90")  # without the script: said on the page
    assert notices(client.get("/journal").get_data(as_text=True)) == [
        "Not done: The report could not be made: the charts extra is not installed"]


def test_the_page_modules_import_one_way() -> None:
    """No import cycle in web/: app imports the pages, the pages import the shared modules,
    and nothing imports back (lazy imports inside functions count too)."""
    import ast
    from pathlib import Path

    import crampcoach.web

    folder = Path(crampcoach.web.__file__).parent
    imports: dict[str, set[str]] = {}
    for source in folder.glob("*.py"):
        tree = ast.parse(source.read_text())
        found: set[str] = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module:
                if node.module == "crampcoach.web":
                    found.update(alias.name for alias in node.names)
                elif node.module.startswith("crampcoach.web."):
                    found.add(node.module.split(".")[2])
            elif isinstance(node, ast.Import):
                found.update(a.name.split(".")[2] for a in node.names
                             if a.name.startswith("crampcoach.web."))
        imports[source.stem] = found - {source.stem}

    def reaches(start: str, target: str, seen: frozenset[str] = frozenset()) -> bool:
        return any(name == target or (name not in seen and
                                      reaches(name, target, seen | {name}))
                   for name in imports.get(start, ()))

    assert [name for name in imports if reaches(name, name)] == []
    assert imports["app"] >= {"pages", "care_pages"}


def test_an_error_page_says_what_happened_in_words() -> None:
    client, _ = logged_in(make_page())
    response = client.get("/routines/no-such-routine")
    assert response.status_code == 404
    html = response.get_data(as_text=True)
    assert "<h1>Not found</h1>" in html
    assert "There is no such page." in html


def test_only_absolute_paths_are_cut_to_their_file_names() -> None:
    from crampcoach.web.render import without_paths

    assert without_paths("cannot open /home/ann/.local/share/crampcoach/journal.sqlite3: "
                         "locked") == "cannot open journal.sqlite3: locked"
    assert without_paths("'/tmp/x/my.yaml':3: bad") == "'my.yaml':3: bad"
    for kept in ("vitamin D 48 nmol/L", "take 1/2 a tablet", "and/or", "see http://pi.local/x",
                 "a / b", "/etc"):
        assert without_paths(kept) == kept
