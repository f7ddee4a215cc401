"""The companion page's pages: Now, Log, Journal, Routines, Settings, and the login.

Each handler reads and checks its form (:mod:`crampcoach.web.app`'s ``field_*``), makes
the library call the command line makes, and redirects to a page that says what happened
(so a reload never sends a form twice). A refusal is one line on the page; the journal
and the files are only ever changed by those library calls.
"""

from __future__ import annotations

import os
import re
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flask import Flask, Response, abort, g, jsonify, redirect, render_template, request, url_for

from crampcoach import locations
from crampcoach.errors import CrampcoachError, RoutineError
from crampcoach.web.app import (
    CONTROLS,
    SESSION_COOKIE,
    Refused,
    WebParts,
    field_choice,
    field_line,
    field_number,
    field_whole,
    problems_of,
)
from crampcoach.web.auth import SESSION_IDLE_S, Session

#: The routines offered first on the Now page when the settings name none.
USUAL_ROUTINES = ("cramp-rescue", "twitch-wind-down", "evening-calf-relief")
#: A routine of the person's own is a file name: letters, digits, - and _ only.
ROUTINE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,63}")
NEW_ROUTINE = """\
name: My routine
description: Gentle stretches for the calves.
steps:
  - say: Sit on the edge of the bed with both feet on the floor.
  - stretch: Calf stretch
    cue: Straighten one leg and gently draw your toes toward you.
    hold: 30s
    sides: [left, right]
"""


def _notice(kind: str, text: str) -> None:
    """Shown once on the next page (``ok`` or ``error``)."""
    if g.session is not None:
        g.session.notices.append((kind, text))


def _notices() -> list[tuple[str, str]]:
    session: Session | None = g.session
    if session is None:
        return []
    taken, session.notices = session.notices, []
    return taken


def _page(template: str, **values: Any) -> str:
    return render_template(template, notices=_notices(), **values)


def register(app: Flask, parts: WebParts) -> None:
    """Add every page to ``app``."""
    _login_pages(app, parts)
    _now_pages(app, parts)
    _journal_pages(app, parts)
    _routine_pages(app, parts)
    _settings_pages(app, parts)


# --- settings, read per request (the file may change under the service) -------------------------


def _settings(parts: WebParts) -> Any:
    from crampcoach.settings import Settings, load_settings

    try:
        return load_settings(parts.settings_file)[0]
    except CrampcoachError:
        return Settings()  # the Settings page shows what is wrong with the file


# --- login ------------------------------------------------------------------------------------


def _client() -> str:
    return request.remote_addr or "unknown"


def _login_pages(app: Flask, parts: WebParts) -> None:
    @app.route("/login", methods=["GET", "POST"])
    def login() -> Any:
        target = request.args.get("next", "")
        # Only a path of this page's own: never an address elsewhere.
        if not target.startswith("/") or target.startswith("//") or "\\" in target:
            target = url_for("now")
        if request.method == "GET":
            return _page("login.html", target=target, has_password=parts.passwords.is_set)
        wait = parts.throttle.wait_s(_client())
        if wait > 0:
            return _page("login.html", target=target, has_password=True,
                         error=f"Too many tries. Please wait {max(1, round(wait / 60))} "
                               "minutes, then try again."), 429
        password = request.form.get("password", "")
        if not parts.passwords.verify(password):
            parts.throttle.failed(_client())
            error = ("That password is not right." if parts.passwords.is_set else
                     "No password is set yet. On the Pi, run: crampcoach bedside password")
            return _page("login.html", target=target, has_password=parts.passwords.is_set,
                         error=error), 401
        parts.throttle.succeeded(_client())
        parts.sessions.close(request.cookies.get(SESSION_COOKIE))
        session = parts.sessions.open()
        response = redirect(target)
        response.set_cookie(SESSION_COOKIE, session.token, max_age=SESSION_IDLE_S,
                            httponly=True, samesite="Strict", path="/",
                            secure=request.scheme == "https")
        return response

    @app.post("/logout")
    def logout() -> Any:
        parts.sessions.close(request.cookies.get(SESSION_COOKIE))
        response = redirect(url_for("login"))
        response.delete_cookie(SESSION_COOKIE, path="/")
        return response


# --- Now: start and steer a session -------------------------------------------------------------


@dataclass(frozen=True)
class RoutineChoice:
    ref: str
    title: str
    description: str


def _routine_choice(ref: str) -> RoutineChoice | None:
    from crampcoach.routines.loader import load_routine

    try:
        routine = load_routine(ref)
    except CrampcoachError:
        return None
    return RoutineChoice(ref, routine.name, routine.description or "")


def usual_routines(settings: Any) -> list[str]:
    """The routines the Now page offers with one tap: what the button and keypad start,
    then the usual rescue and wind-down ones."""
    bedside = getattr(settings, "bedside", None)
    named = list(bedside.routines()) if bedside is not None else []
    if settings.default_routine:
        named.append(settings.default_routine)
    return list(dict.fromkeys([*named, *USUAL_ROUTINES]))


def _status(parts: WebParts) -> dict[str, Any]:
    """The service's status for the page: always a dict with ``state``."""
    try:
        reply = parts.control("status", None)
    except CrampcoachError as e:
        return {"state": "unreachable", "error": str(e)}
    status = reply.get("status")
    if not reply.get("ok") or not isinstance(status, dict):
        return {"state": "unreachable", "error": str(reply.get("error", "no status"))}
    return status


def status_words(status: dict[str, Any]) -> dict[str, str]:
    """The status as the page says it (the same words with and without the script)."""
    state = str(status.get("state", "unreachable"))
    if state == "unreachable":
        return {"state": "The bedside service cannot be reached.",
                "detail": str(status.get("error", ""))}
    if state == "idle":
        return {"state": "Nothing is playing.", "detail": ""}
    heading = {"paused": "Paused", "starting": "Starting", "playing": "Playing",
               "ending": "Finishing"}.get(state, state.capitalize())
    words = {"state": f"{heading}: {status.get('routine') or 'a routine'}",
             "detail": ""}
    if status.get("step"):
        words["step"] = f"Now: {status['step']}"
    if status.get("next"):
        words["next"] = f"Next: {status['next']}"
    left = status.get("left")
    if isinstance(left, int | float) and left >= 0:
        minutes, seconds = divmod(round(left), 60)
        words["left"] = f"Time left: about {minutes} min {seconds:02d} s"
    return words


def _now_pages(app: Flask, parts: WebParts) -> None:
    @app.get("/")
    def now() -> Any:
        settings = _settings(parts)
        choices = [c for c in map(_routine_choice, usual_routines(settings)) if c is not None]
        status = _status(parts)
        return _page("now.html", choices=choices, status=status, words=status_words(status),
                     active=status.get("state") not in ("idle", "unreachable"))

    @app.get("/status.json")
    def status_json() -> Response:
        status = _status(parts)
        return jsonify({"status": status, "words": status_words(status)})

    @app.post("/control")
    def control() -> Any:
        try:
            command = field_choice("command", "the control", ("start", *CONTROLS))
            if command is None:
                raise Refused("say which control")
            routine = None
            if command == "start":
                routine = field_line("routine", "the routine", limit=255, required=True)
                if routine not in usual_routines(_settings(parts)) and not ROUTINE_NAME.fullmatch(
                        routine or ""):
                    raise Refused("start a routine from the lists on these pages")
            reply = parts.control(command, routine)
        except CrampcoachError as e:
            _notice("error", str(e))
            return redirect(url_for("now"))
        if reply.get("ok"):
            _notice("ok", str(reply.get("message", "Done.")))
        else:
            _notice("error", str(reply.get("error", "The service refused.")).capitalize())
        return redirect(url_for("now"))


# --- the journal -------------------------------------------------------------------------------


def _journal_pages(app: Flask, parts: WebParts) -> None:
    from crampcoach.web import care_pages

    care_pages.register(app, parts)


# --- routines ----------------------------------------------------------------------------------


def _user_dir(parts: WebParts) -> Path:
    return parts.user_routines or locations.user_routines_dir()


def _timeline(parts: WebParts, routine: Any, *, night_too: bool = False,
              ) -> tuple[Any, str | None]:
    """The routine's plan as ``crampcoach plan`` gives it (``night_too``: checked at the
    night rate as well, as ``crampcoach check`` does), and a note when its lengths are
    estimates or another voice speaks."""
    from crampcoach.phrases import ENGLISH
    from crampcoach.session.timing import checked_timeline, day_timeline

    measure = checked_timeline if night_too else day_timeline
    settings = _settings(parts)
    if parts.machine is None:
        measured = measure(routine, settings, None)
    else:
        with parts.machine.speech() as speech:
            measured = measure(routine, settings, speech)
    said = [f"Speech lengths are estimates ({n.text})" if n.kind == "estimate" and n.text
            else "Speech lengths are estimates." if n.kind == "estimate"
            else f"{ENGLISH.voice_fallback} ({n.text})" for n in measured.notes]
    return measured.timeline, " ".join(said) or None


def _routine_file(parts: WebParts, name: str) -> Path:
    if not ROUTINE_NAME.fullmatch(name):
        abort(404)
    return _user_dir(parts) / f"{name}.yaml"


def _check(parts: WebParts, text: str, path: Path) -> tuple[Any, Any, str | None]:
    """Validate an edit as ``crampcoach check`` would: load, then compile the plan."""
    from crampcoach.audio.voices import known_language
    from crampcoach.routines.loader import check_routine_text

    routine = check_routine_text(text, path, language_check=known_language,
                                 user_dirs=[_user_dir(parts)])
    timeline, note = _timeline(parts, routine, night_too=True)
    return routine, timeline, note


def _write_whole(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` in one rename: the old file stays whole until then."""
    path.parent.mkdir(parents=True, exist_ok=True)
    draft = path.parent / f".{path.name}.{secrets.token_hex(4)}.draft"
    try:
        fd = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        try:
            os.write(fd, text.encode())
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(draft, path)
    except OSError as e:
        raise Refused(f"cannot save {path}: {e.strerror}") from None
    finally:
        draft.unlink(missing_ok=True)


@dataclass(frozen=True)
class ShownLine:
    number: int
    text: str
    problems: tuple[str, ...]


def _lines_with_problems(text: str, problems: list[Any], path: Path) -> list[ShownLine]:
    at: dict[int, list[str]] = {}
    for p in problems:
        if p.file == str(path) and p.line:
            at.setdefault(p.line, []).append(p.message)
    return [ShownLine(n, line, tuple(at.get(n, ())))
            for n, line in enumerate(text.splitlines() or [""], 1)]


def _routine_pages(app: Flask, parts: WebParts) -> None:
    from crampcoach.routines import library

    @app.get("/routines")
    def routines() -> Any:
        users = set(library.user_names([_user_dir(parts)]))
        rows = []
        for name in library.routine_names(user_dirs=[_user_dir(parts)]):
            choice = _routine_choice(name)
            rows.append({"name": name, "yours": name in users,
                         "title": choice.title if choice else name,
                         "description": choice.description if choice else "",
                         "valid": choice is not None})
        return _page("routines.html", rows=rows)

    @app.get("/routines/<name>")
    def routine_plan(name: str) -> Any:
        from crampcoach.routines.durations import format_clock
        from crampcoach.routines.loader import load_routine

        if not ROUTINE_NAME.fullmatch(name):
            abort(404)
        users = set(library.user_names([_user_dir(parts)]))
        if name not in users and name not in library.builtin_names():
            abort(404)
        try:
            routine = load_routine(name, user_dirs=[_user_dir(parts)])
            timeline, note = _timeline(parts, routine)
        except RoutineError as e:
            return _page("plan.html", name=name, yours=name in users, problems=problems_of(e),
                         timeline=None, note=None, clock=format_clock)
        return _page("plan.html", name=name, yours=name in users, problems=[],
                     timeline=timeline, note=note, clock=format_clock, routine=routine)

    @app.post("/routines/new")
    def routine_new() -> Any:
        from crampcoach.routines.loader import routine_text

        try:
            name = field_line("name", "the new routine's name", limit=64, required=True)
            if name is None or not ROUTINE_NAME.fullmatch(name):
                raise Refused("a routine's name is letters, digits, - and _ (like my-calves)")
            source = field_line("source", "the routine to copy", limit=64)
            path = _routine_file(parts, name)
            if path.exists():
                raise Refused(f"you already have a routine called {name}")
            if source is not None:
                if source not in library.builtin_names():
                    raise Refused("copy one of the built-in routines")
                text = routine_text(source, user_dirs=[])
            else:
                text = NEW_ROUTINE
            _write_whole(path, text)
        except CrampcoachError as e:
            _notice("error", str(e))
            return redirect(url_for("routines"))
        _notice("ok", f"Made {name}: change it below and save.")
        return redirect(url_for("routine_edit", name=name))

    @app.route("/routines/<name>/edit", methods=["GET", "POST"])
    def routine_edit(name: str) -> Any:
        from crampcoach.routines.durations import format_clock
        from crampcoach.routines.loader import read_routine_text

        path = _routine_file(parts, name)
        if request.method == "GET":
            if not path.exists():
                abort(404)
            try:
                text = read_routine_text(path, str(path))
            except RoutineError as e:
                return _page("edit.html", name=name, text="", lines=[],
                             problems=problems_of(e), timeline=None, note=None,
                             clock=format_clock, saved=False)
            return _page("edit.html", name=name, text=text, lines=[], problems=[],
                         timeline=None, note=None, clock=format_clock, saved=False)
        action = request.form.get("action", "check")
        text = (request.form.get("text") or "").replace("\r\n", "\n")
        try:
            _, timeline, note = _check(parts, text, path)
        except RoutineError as e:
            # Nothing is written: the saved routine (valid or not) stays as it was.
            return _page("edit.html", name=name, text=text,
                         lines=_lines_with_problems(text, e.problems, path),
                         problems=problems_of(e), timeline=None, note=None,
                         clock=format_clock, saved=False), 422
        except CrampcoachError as e:
            return _page("edit.html", name=name, text=text, lines=[], problems=[str(e)],
                         timeline=None, note=None, clock=format_clock, saved=False), 422
        saved = False
        if action == "save":
            try:
                _write_whole(path, text)
            except Refused as e:
                return _page("edit.html", name=name, text=text, lines=[],
                             problems=[str(e)], timeline=timeline, note=note,
                             clock=format_clock, saved=False), 500
            saved = True
        return _page("edit.html", name=name, text=text, lines=[], problems=[],
                     timeline=timeline, note=note, clock=format_clock, saved=saved)


# --- settings ----------------------------------------------------------------------------------


def _settings_pages(app: Flask, parts: WebParts) -> None:
    @app.route("/settings", methods=["GET", "POST"])
    def settings_page() -> Any:
        from crampcoach.settings import load_settings
        from crampcoach.settings_edit import change_settings

        problems: list[str] = []
        if request.method == "POST":
            try:
                values = _settings_form(parts)
                change_settings(parts.settings_file, values)
            except CrampcoachError as e:
                problems = problems_of(e)
            else:
                _notice("ok", "Saved. The bedside service uses them from its next session.")
                return redirect(url_for("settings_page"))
        try:
            current, _ = load_settings(parts.settings_file)
        except CrampcoachError as e:
            problems = problems or problems_of(e)
            current = _settings(parts)
        from crampcoach.routines import library

        routines = library.routine_names(user_dirs=[_user_dir(parts)])
        form = request.form if request.method == "POST" else None
        return _page("settings.html", settings=current, problems=problems, form=form,
                     routines=routines, button_routine=_button_routine(current),
                     has_bedside=hasattr(current, "bedside"),
                     file=parts.settings_file), (422 if problems and form else 200)


def _button_routine(settings: Any) -> str:
    bedside = getattr(settings, "bedside", None)
    if bedside is not None:
        return str(bedside.routine)
    return str(settings.default_routine or "")


def _settings_form(parts: WebParts) -> dict[str, str]:
    """The form's values as the settings file's text; the file's own rules check them."""
    values: dict[str, str] = {}
    volume = field_number("volume", "the volume")
    if volume is not None:
        # The form shows percent: easier to read and to tap than 0.75.
        values["volume"] = f"{volume / 100:g}"
    # Night hours with the same start and end are no night hours (the settings' own rule).
    for key, what in (("night_start", "the night's start"), ("night_end", "its end")):
        text = field_line(key, what, limit=5)
        if text is not None:
            values[key.replace("_", ".")] = text
    routine = field_line("button_routine", "the button's routine", limit=255)
    if routine is not None:
        key = "bedside.routine" if hasattr(_settings(parts), "bedside") else "default_routine"
        values[key] = routine
    rate = field_whole("rate", "the speaking rate")
    if rate is not None:
        values["rate"] = str(rate)
    if not values:
        raise Refused("nothing to change")
    return values
