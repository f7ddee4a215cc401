"""The companion page's security: login, sessions, CSRF, origins, headers, the rate limit,
the password file and where the page may listen."""

from __future__ import annotations

import dataclasses
import stat
import threading
from typing import Any

import pytest

from crampcoach import locations
from crampcoach.errors import WebError
from crampcoach.journal.store import Journal
from crampcoach.web.app import CSP, create_app
from crampcoach.web.auth import (
    BACKOFF_MAX_S,
    FAILS_PER_ADDRESS,
    SESSION_IDLE_S,
    SLOW_PACE_S,
    Attempt,
    LoginThrottle,
    PasswordFile,
    verify_password,
)
from crampcoach.web.server import check_listen
from support.web import ORIGIN, PASSWORD, StepClock, csrf_of, logged_in, make_page, notices

PAGES = ["/", "/log", "/journal", "/routines", "/routines/cramp-rescue", "/settings"]


def _ratings(page: object) -> int:
    with Journal.open(locations.journal_path(), create=False) as journal:
        return len(journal.ratings())


@pytest.mark.parametrize("path", PAGES)
def test_every_page_needs_a_login(path: str) -> None:
    client = create_app(make_page().parts).test_client()
    response = client.get(path)
    assert response.status_code == 302
    assert response.headers["Location"] == f"/login?next={path}"


def test_the_status_without_a_login_is_refused() -> None:
    client = create_app(make_page().parts).test_client()
    response = client.get("/status.json")
    assert response.status_code == 401
    assert "Please log in first." in response.get_data(as_text=True)


def test_a_control_without_a_login_is_refused_and_never_reaches_the_service() -> None:
    page = make_page()
    client = create_app(page.parts).test_client()
    response = client.post("/control", data={"command": "start", "routine": "cramp-rescue",
                                             "csrf": "anything"}, headers=ORIGIN)
    assert response.status_code == 401
    assert page.service.commands == []


def test_a_rating_without_the_csrf_token_is_refused_and_nothing_is_recorded() -> None:
    page = make_page()
    client, _ = logged_in(page)
    response = client.post("/log/rating", data={"rating": "5"}, headers=ORIGIN)
    assert response.status_code == 403
    assert ("That request was refused: it did not come from this page."
            in response.get_data(as_text=True))
    response = client.post("/log/rating", data={"rating": "5", "csrf": "forged"},
                           headers=ORIGIN)
    assert response.status_code == 403
    assert not locations.journal_path().exists() or _ratings(page) == 0


def test_a_control_from_another_origin_is_refused() -> None:
    page = make_page()
    client, csrf = logged_in(page)
    for headers in ({"Origin": "http://evil.example"},
                    {"Origin": "null"},
                    {"Referer": "http://evil.example/page"},
                    {}):  # neither header: not sent by a page's form
        response = client.post("/control", data={"command": "stop", "csrf": csrf},
                               headers=headers)
        assert response.status_code == 403, headers
    assert page.service.commands == []
    # The page's own Referer, from a browser that sends no Origin, is its own page.
    response = client.post("/control", data={"command": "start", "routine": "cramp-rescue",
                                             "csrf": csrf},
                           headers={"Referer": "http://localhost/"})
    assert response.status_code == 302
    assert page.service.commands == [("start", "cramp-rescue")]


def test_a_login_from_another_origin_is_refused() -> None:
    client = create_app(make_page().parts).test_client()
    response = client.post("/login", data={"password": PASSWORD},
                           headers={"Origin": "http://evil.example"})
    assert response.status_code == 403
    assert "Set-Cookie" not in response.headers


def test_the_session_cookie_is_httponly_and_samesite_strict() -> None:
    client = create_app(make_page().parts).test_client()
    response = client.post("/login", data={"password": PASSWORD}, headers=ORIGIN)
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith("crampcoach_session=")
    assert "; HttpOnly" in cookie
    assert "; SameSite=Strict" in cookie
    assert "; Path=/" in cookie


def test_a_wrong_password_is_refused() -> None:
    client = create_app(make_page().parts).test_client()
    response = client.post("/login", data={"password": "not it"}, headers=ORIGIN)
    assert response.status_code == 401
    assert notices(response.get_data(as_text=True)) == [
        "Not done: That password is not right."]
    assert client.get("/").status_code == 302


def _login(client: Any, password: str, address: str = "127.0.0.1") -> Any:
    return client.post("/login", data={"password": password}, headers=ORIGIN,
                       environ_base={"REMOTE_ADDR": address})


def test_an_address_that_keeps_failing_waits_longer_each_time() -> None:
    page = make_page()
    client = create_app(page.parts).test_client()
    for _ in range(FAILS_PER_ADDRESS):
        assert _login(client, "guess").status_code == 401
    response = _login(client, PASSWORD)
    assert response.status_code == 429
    assert notices(response.get_data(as_text=True)) == [
        "Not done: Too many tries. Please wait 4 seconds, then try again."]
    assert "Set-Cookie" not in response.headers
    waits = []
    for seconds in (4, 8, 16, 32):  # each failure doubles the wait; a refused try is free
        refused = _login(client, "guess")
        assert refused.status_code == 429
        waits.append(notices(refused.get_data(as_text=True))[0])
        page.clock.now += seconds
        assert _login(client, "guess").status_code == 401
    assert waits == [f"Not done: Too many tries. Please wait {w}, then try again."
                     for w in ("4 seconds", "8 seconds", "16 seconds", "32 seconds")]
    page.clock.now += 64
    assert _login(client, PASSWORD).status_code == 302


def test_the_wait_is_at_most_five_minutes() -> None:
    clock = StepClock()
    throttle = LoginThrottle(clock, clock.sleep)
    waits = []
    for _ in range(40):
        attempt = throttle.begin("10.0.0.9")
        if not isinstance(attempt, Attempt):
            waits.append(attempt)
            clock.now += attempt
            attempt = throttle.begin("10.0.0.9")
        assert isinstance(attempt, Attempt)
        throttle.finish(attempt, ok=False)
    assert max(waits) == BACKOFF_MAX_S
    assert throttle.wait_s("10.0.0.9") == BACKOFF_MAX_S


def test_a_guesser_on_the_same_address_never_keeps_a_known_browser_out() -> None:
    # Behind the SSH tunnel every browser is 127.0.0.1.
    page = make_page()
    app = create_app(page.parts)
    carer = app.test_client()
    assert _login(carer, PASSWORD).status_code == 302
    assert carer.post("/logout", data={"csrf": csrf_of(carer.get("/").get_data(
        as_text=True))}, headers=ORIGIN).status_code == 302
    guesser = app.test_client()
    for _ in range(30):
        _login(guesser, "guess")
    assert _login(guesser, PASSWORD).status_code == 429
    assert _login(carer, PASSWORD).status_code == 302
    assert carer.get("/").status_code == 200


def test_many_addresses_guessing_slow_every_check_but_refuse_nobody() -> None:
    page = make_page()
    app = create_app(page.parts)
    for n in range(8):
        client = app.test_client()
        for _ in range(FAILS_PER_ADDRESS):
            assert _login(client, "guess", f"192.168.1.{n + 10}").status_code == 401
    carer = app.test_client()
    page.clock.slept.clear()
    assert _login(carer, PASSWORD, "192.168.1.200").status_code == 302
    assert page.clock.slept == [SLOW_PACE_S]  # paced, not refused


def test_guesses_sent_at_once_get_no_more_checks_than_the_limit() -> None:
    throttle = LoginThrottle(StepClock(), lambda s: None)
    results: list[object] = []
    lock = threading.Lock()

    def guess() -> None:
        attempt = throttle.begin("10.0.0.9")
        with lock:
            results.append(attempt)

    threads = [threading.Thread(target=guess) for _ in range(60)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sum(isinstance(r, Attempt) for r in results) == FAILS_PER_ADDRESS


def test_after_a_login_the_page_goes_only_to_a_path_of_its_own() -> None:
    client = create_app(make_page().parts).test_client()
    for target, expected in (("/journal", "/journal"), ("//evil.example/x", "/"),
                             ("http://evil.example/", "/"), ("/\\evil.example", "/")):
        response = client.post(f"/login?next={target}", data={"password": PASSWORD},
                               headers=ORIGIN)
        assert response.headers["Location"] == expected, target


def test_log_out_ends_the_session() -> None:
    client, csrf = logged_in(make_page())
    assert client.post("/logout", data={"csrf": csrf}, headers=ORIGIN).status_code == 302
    assert client.get("/").status_code == 302


def test_without_a_password_nobody_gets_in_and_the_page_says_how_to_set_one() -> None:
    page = make_page(password=None)
    client = create_app(page.parts).test_client()
    html = client.get("/login").get_data(as_text=True)
    assert "On the Pi, run <code>crampcoach bedside password</code>" in html
    for attempt in ("", "anything at all"):
        response = client.post("/login", data={"password": attempt}, headers=ORIGIN)
        assert response.status_code == 401
    assert client.get("/").status_code == 302


@pytest.mark.parametrize("path", ["/login", *PAGES])
def test_every_answer_carries_the_security_headers(path: str) -> None:
    client, _ = logged_in(make_page())
    response = client.get(path)
    assert response.status_code == 200
    headers = response.headers
    assert headers["Content-Security-Policy"] == CSP
    assert "frame-ancestors 'none'" in CSP
    assert "http" not in CSP
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Referrer-Policy"] == "same-origin"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Cache-Control"] == "no-store"


@pytest.mark.parametrize("path", PAGES)
def test_pages_load_nothing_from_elsewhere(path: str) -> None:
    client, _ = logged_in(make_page())
    html = client.get(path).get_data(as_text=True)
    assert "http://" not in html
    assert "https://" not in html
    assert "//" not in html.replace(
        "://", "")


def test_a_request_too_large_is_refused() -> None:
    client, csrf = logged_in(make_page())
    response = client.post("/routines/x/edit", data={"csrf": csrf, "text": "a" * 1_300_000},
                           headers=ORIGIN)
    assert response.status_code == 413


def test_the_password_is_kept_hashed_in_a_file_only_its_user_reads() -> None:
    store = PasswordFile(locations.web_password_path())
    store.set("a pairing pin 4711")
    text = store.path.read_text()
    assert "4711" not in text
    assert text.startswith("scrypt$16384$8$1$")
    assert stat.S_IMODE(store.path.stat().st_mode) == 0o600
    assert store.verify("a pairing pin 4711")
    assert not store.verify("a pairing pin 4712")
    assert not verify_password("x", "scrypt$99999999$8$1$AAAA$AAAA")  # a tampered file


def test_a_short_password_is_refused_with_what_it_needs() -> None:
    with pytest.raises(WebError) as caught:
        PasswordFile(locations.web_password_path()).set("1234")
    assert str(caught.value) == ("a password or PIN needs at least 8 characters "
                                 "(this one has 4)")
    assert not locations.web_password_path().exists()


def test_the_page_listens_on_the_home_network_only_with_a_password() -> None:
    check_listen("127.0.0.1", 8470, password_set=False)
    check_listen("::1", 8470, password_set=False)
    with pytest.raises(WebError) as caught:
        check_listen("0.0.0.0", 8470, password_set=False)
    assert str(caught.value) == ("the companion page listens on 0.0.0.0 (the home network) "
                                 "only with a password: set one with 'crampcoach bedside "
                                 "password'")
    check_listen("0.0.0.0", 8470, password_set=True)
    with pytest.raises(WebError) as caught:
        check_listen("my-pi.local", 8470, password_set=True)
    assert str(caught.value) == ("the companion page listens on an IP address (like "
                                 "127.0.0.1 or 0.0.0.0), not 'my-pi.local'")


def test_a_session_survives_reloads_and_its_token_is_on_every_form() -> None:
    client, csrf = logged_in(make_page())
    for path in ("/", "/log", "/settings"):
        assert csrf_of(client.get(path).get_data(as_text=True)) == csrf


@pytest.mark.parametrize("target", ["/%09/evil.example/phish", "/%0d%0aSet-Cookie:%20x=1",
                                    "/\\evil.example", "/%0a/evil.example", "/%20/evil.example",
                                    "/%5cevil.example"])
def test_a_next_that_a_browser_would_read_as_elsewhere_goes_home(target: str) -> None:
    client = create_app(make_page().parts).test_client()
    response = client.post(f"/login?next={target}", data={"password": PASSWORD},
                           headers=ORIGIN)
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


def test_a_new_password_logs_every_browser_out() -> None:
    page = make_page()
    client, _ = logged_in(page)
    assert client.get("/journal").status_code == 200
    page.parts.passwords.set("a-new-password-now")  # as 'crampcoach bedside password' does
    assert client.get("/journal").status_code == 302
    assert client.get("/status.json").status_code == 401


def test_each_use_slides_the_session() -> None:
    page = make_page()
    client, _ = logged_in(page)
    for _ in range(3):  # 3 times 20 days: past the month, but never a month unused
        page.clock.now += 20 * 24 * 3600
        response = client.get("/journal")
        assert response.status_code == 200
        cookie = response.headers["Set-Cookie"]
        assert cookie.startswith("crampcoach_session=")
        assert f"Max-Age={SESSION_IDLE_S}" in cookie
    page.clock.now += SESSION_IDLE_S + 1
    assert client.get("/journal").status_code == 302


@pytest.mark.parametrize("host", ["evil.example", "evil.example:80", "localhost.evil.example",
                                  "[::1", "localhost:x", "evil.example@127.0.0.1",
                                  "127.0.0.1/x"])
def test_a_host_the_page_does_not_serve_on_is_refused(host: str) -> None:
    page = make_page()
    client, _ = logged_in(page)
    for response in (client.get("/journal", headers={"Host": host}),
                     client.post("/login", data={"password": PASSWORD},
                                 headers={**ORIGIN, "Host": host})):
        assert response.status_code == 400
    assert client.get("/journal", headers={"Host": "localhost"}).status_code == 200
    assert client.get("/login", headers={"Host": "127.0.0.1"}).status_code == 200


def test_a_name_the_person_configured_is_served() -> None:
    page = make_page()
    page = dataclasses.replace(page, parts=dataclasses.replace(page.parts,
                                                               hosts=("bedside.home",)))
    client = create_app(page.parts).test_client()
    home = {"Host": "bedside.home", "Origin": "http://bedside.home"}
    assert client.post("/login", data={"password": PASSWORD}, headers=home).status_code == 302
    assert client.get("/login", headers={"Host": "other.home"}).status_code == 400


@pytest.mark.parametrize("cost", ["3$8$1", "1024$8$1$", "1048576$7$1", "131072$8$1",
                                  "16384$8$16", "16384$0$1", "0$8$1"])
def test_a_password_file_with_a_cost_that_does_not_fit_a_pi_lets_nobody_in(cost: str) -> None:
    good = PasswordFile(locations.web_password_path())
    good.set(PASSWORD)
    parts = (good.stored() or "").split("$")
    tampered = "$".join(["scrypt", *cost.split("$")[:3], parts[4], parts[5]])
    assert verify_password(PASSWORD, tampered) is False
    locations.web_password_path().write_text(tampered + "\n")
    client = create_app(make_page(password=None).parts).test_client()
    assert client.post("/login", data={"password": PASSWORD}, headers=ORIGIN).status_code == 401
