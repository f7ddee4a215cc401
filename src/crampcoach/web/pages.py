"""The companion page's pages: Now, Log, Journal, Routines, Settings, and the login.

Each handler reads and checks its form (:mod:`crampcoach.web.app`'s ``field_*``), makes
the library call the command line makes, and redirects to a page that says what happened
(so a reload never sends a form twice). A refusal is one line on the page; the journal
and the files are only ever changed by those library calls.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flask import Flask, Response, abort, jsonify, redirect, request, url_for

from crampcoach import locations
from crampcoach.errors import CrampcoachError, RoutineError
from crampcoach.web.auth import SESSION_IDLE_S, Attempt
from crampcoach.web.forms import (
    Refused,
    field_choice,
    field_line,
    field_number,
    field_whole,
    problems_of,
    safe_target,
    wait_text,
)
from crampcoach.web.parts import (
    CONTROL_BUTTONS,
    KNOWN_BROWSER_COOKIE,
    KNOWN_BROWSER_S,
    SESSION_COOKIE,
    WebParts,
)
from crampcoach.web.render import add_notice, render_page, settings_of, without_paths

#: The routines offered first on the Now page when the settings name none.
USUAL_ROUTINES = ("cramp-rescue", "twitch-wind-down", "evening-calf-relief")
#: A new routine made on the page is named with letters, digits, - and _ only.
NEW_ROUTINE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,63}")
#: A routine's name on the page (its file's name without .yaml): spaces and dots inside
#: too ("my calves"), never a slash, so it stays in the routines folder.
ROUTINE_NAME = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9 ._-]{0,62}[A-Za-z0-9_-])?")
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


#: The web-app manifest: "add to home screen" opens the page like an app (its own window,
#: the project's icons, dark while it loads).
MANIFEST = {
    "name": "crampcoach", "short_name": "crampcoach",
    "description": "Start and steer the bedside routines; keep the care record.",
    "start_url": "/", "scope": "/", "display": "standalone",
    "background_color": "#111111", "theme_color": "#0b4f9c",
    "icons": [
        {"src": "/static/icon-192.png", "sizes": "192x192", "type": "image/png"},
        {"src": "/static/icon-512.png", "sizes": "512x512", "type": "image/png"},
        {"src": "/static/icon-maskable-512.png", "sizes": "512x512", "type": "image/png",
         "purpose": "maskable"},
        {"src": "/static/icon.svg", "sizes": "any", "type": "image/svg+xml"},
    ],
}


def register(app: Flask, parts: WebParts) -> None:
    """Add every page to ``app``."""
    _app_files(app)
    _login_pages(app, parts)
    _now_pages(app, parts)
    _routine_pages(app, parts)
    _settings_pages(app, parts)


def _app_files(app: Flask) -> None:
    @app.get("/manifest.webmanifest")
    def manifest() -> Response:
        response = jsonify(MANIFEST)
        response.mimetype = "application/manifest+json"
        return response

    @app.get("/favicon.ico")
    def favicon() -> Response:
        return app.send_static_file("favicon-32.png")


# --- login ------------------------------------------------------------------------------------


def _client() -> str:
    return request.remote_addr or "unknown"


def _login_pages(app: Flask, parts: WebParts) -> None:
    @app.route("/login", methods=["GET", "POST"])
    def login() -> Any:
        target = safe_target(request.args.get("next", ""), url_for("now"))
        if request.method == "GET":
            return render_page("login.html", target=target,
                               has_password=parts.passwords.is_set)
        browser = request.cookies.get(KNOWN_BROWSER_COOKIE)
        attempt = parts.throttle.begin(_client(), browser)
        if not isinstance(attempt, Attempt):
            return render_page("login.html", target=target, has_password=True,
                               error=f"Too many tries. Please wait {wait_text(attempt)}, "
                                     "then try again."), 429
        parts.throttle.pace(attempt)
        password = request.form.get("password", "")
        ok = parts.passwords.verify(password)
        known = parts.throttle.finish(attempt, ok)
        if not ok:
            error = ("That password is not right." if parts.passwords.is_set else
                     "No password is set yet. On the Pi, run: crampcoach bedside password")
            return render_page("login.html", target=target, has_password=parts.passwords.is_set,
                         error=error), 401
        parts.sessions.close(request.cookies.get(SESSION_COOKIE))
        session = parts.sessions.open(parts.passwords.mark())
        response = redirect(target)
        response.set_cookie(SESSION_COOKIE, session.token, max_age=SESSION_IDLE_S,
                            httponly=True, samesite="Strict", path="/",
                            secure=request.scheme == "https")
        response.set_cookie(KNOWN_BROWSER_COOKIE, known or "", max_age=KNOWN_BROWSER_S,
                            httponly=True, samesite="Strict", path="/login",
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


#: What the page shows of the service's status (not its process id, buttons or keypads).
PAGE_STATUS = ("state", "routine", "step", "next", "left", "waiting", "error")


def _status(parts: WebParts) -> dict[str, Any]:
    """The service's status for the page: always a dict with ``state``."""
    try:
        reply = parts.control("status", None)
    except CrampcoachError as e:
        return {"state": "unreachable", "error": without_paths(str(e))}
    status = reply.get("status")
    if not reply.get("ok") or not isinstance(status, dict):
        return {"state": "unreachable",
                "error": without_paths(str(reply.get("error", "no status")))}
    return {key: status[key] for key in PAGE_STATUS if key in status}


def page_mode(status: dict[str, Any]) -> str:
    """Which controls the Now page shows: ``idle`` (the starts), ``unreachable`` and
    ``ending`` (none: the session is over and its rating is being asked), ``playing``,
    ``paused`` or ``waiting`` (that session's controls)."""
    state = str(status.get("state", "unreachable"))
    if state in ("idle", "unreachable", "paused", "ending"):
        return state
    return "waiting" if status.get("waiting") else "playing"


def status_words(status: dict[str, Any]) -> dict[str, str]:
    """The status as the page says it (the same words with and without the script)."""
    state = str(status.get("state", "unreachable"))
    if state == "unreachable":
        return {"state": "The bedside service cannot be reached.",
                "detail": str(status.get("error", "")), "mode": "unreachable"}
    if state == "idle":
        return {"state": "Nothing is playing.", "detail": "", "mode": "idle"}
    heading = {"paused": "Paused", "starting": "Starting", "playing": "Playing",
               "ending": "Finishing"}.get(state, state.capitalize())
    words = {"state": f"{heading}: {status.get('routine') or 'a routine'}",
             "detail": "", "mode": page_mode(status)}
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
        settings = settings_of(parts)
        choices = [c for c in map(_routine_choice, usual_routines(settings)) if c is not None]
        status = _status(parts)
        words = status_words(status)
        return render_page("now.html", choices=choices, status=status, words=words,
                           mode=words["mode"])

    @app.get("/status.json")
    def status_json() -> Response:
        status = _status(parts)
        return jsonify({"status": status, "words": status_words(status)})

    @app.post("/control")
    def control() -> Any:
        try:
            command = field_choice("command", "the control", ("start", *CONTROL_BUTTONS))
            if command is None:
                raise Refused("say which control")
            routine = None
            if command == "start":
                routine = field_line("routine", "the routine", limit=255, required=True)
                if routine not in usual_routines(settings_of(parts)) and not ROUTINE_NAME.fullmatch(
                        routine or ""):
                    raise Refused("start a routine from the lists on these pages")
            reply = parts.control(command, routine)
        except CrampcoachError as e:
            add_notice("error", str(e))
            return redirect(url_for("now"))
        if reply.get("ok"):
            add_notice("ok", str(reply.get("message", "Done.")))
        else:
            add_notice("error", str(reply.get("error", "The service refused.")).capitalize())
        return redirect(url_for("now"))


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
    settings = settings_of(parts)
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
                                 user_dirs=[_user_dir(parts)], confined=True)
    timeline, note = _timeline(parts, routine, night_too=True)
    return routine, timeline, note


def _write_whole(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` in one rename: the old file stays whole until then."""
    from crampcoach.files import write_atomically

    try:
        write_atomically(path, text.encode(), mode=0o644)
    except OSError as e:
        raise Refused(f"cannot save {path.name}: {e.strerror}") from None


@dataclass(frozen=True)
class ShownLine:
    number: int
    text: str
    problems: tuple[str, ...]


def editor_problems(text: str, problems: list[Any], path: Path
                    ) -> tuple[list[str], list[ShownLine]]:
    """A routine's problems in the editor's terms, in line order: "Line N: ..." for a line
    of the text (one past its end, as a YAML error at the end of the text is, is its last
    line), the file's name for an included file, never a folder; and the text's lines with
    the problems under each."""
    lines = text.splitlines() or [""]
    own: list[tuple[int, str]] = []
    elsewhere: list[str] = []
    for p in problems:
        if p.file == str(path):
            own.append((min(p.line, len(lines)), p.message))
        else:
            where = f", line {p.line}" if p.line else ""
            elsewhere.append(f"In {Path(p.file).name}{where}: {p.message}")
    own.sort(key=lambda item: item[0])
    at: dict[int, list[str]] = {}
    for number, message in own:
        if number:
            at.setdefault(number, []).append(message)
    listed = [f"Line {n}: {m}" if n else m for n, m in own] + elsewhere
    shown = [ShownLine(n, line, tuple(at.get(n, ()))) for n, line in enumerate(lines, 1)]
    return listed, shown


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
        return render_page("routines.html", rows=rows)

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
            routine = load_routine(name, user_dirs=[_user_dir(parts)], confined=True,
                                   language=settings_of(parts).language)
            timeline, note = _timeline(parts, routine)
        except RoutineError as e:
            return render_page("plan.html", name=name, yours=name in users, problems=problems_of(e),
                         timeline=None, note=None, clock=format_clock)
        return render_page("plan.html", name=name, yours=name in users, problems=[],
                     timeline=timeline, note=note, clock=format_clock, routine=routine)

    @app.post("/routines/new")
    def routine_new() -> Any:
        from crampcoach.routines.loader import routine_text

        try:
            name = field_line("name", "the new routine's name", limit=64, required=True)
            if name is None or not NEW_ROUTINE_NAME.fullmatch(name):
                raise Refused("a routine's name is letters, digits, - and _ (like my-calves)")
            source = field_line("source", "the routine to copy", limit=64)
            path = _routine_file(parts, name)
            if path.exists():
                raise Refused(f"you already have a routine called {name}")
            if name in library.builtin_names():
                # Yours would take the built-in's place wherever it is named.
                raise Refused(f"{name} is the name of a built-in routine; give yours a name "
                              f"of its own, like my-{name}")
            if source is not None:
                if source not in library.builtin_names():
                    raise Refused("copy one of the built-in routines")
                text = routine_text(source, user_dirs=[])
            else:
                text = NEW_ROUTINE
            _write_whole(path, text)
        except CrampcoachError as e:
            add_notice("error", str(e))
            return redirect(url_for("routines"))
        add_notice("ok", f"Made {name}: change it below and save.")
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
                return render_page("edit.html", name=name, text="", lines=[],
                             problems=problems_of(e), timeline=None, note=None,
                             clock=format_clock, saved=False)
            return render_page("edit.html", name=name, text=text, lines=[], problems=[],
                         timeline=None, note=None, clock=format_clock, saved=False)
        action = request.form.get("action", "check")
        text = (request.form.get("text") or "").replace("\r\n", "\n")
        try:
            _, timeline, note = _check(parts, text, path)
        except RoutineError as e:
            # Nothing is written: the saved routine (valid or not) stays as it was.
            listed, lines = editor_problems(text, list(e.problems), path)
            return render_page("edit.html", name=name, text=text, lines=lines,
                               problems=listed, timeline=None, note=None,
                               clock=format_clock, saved=False), 422
        except CrampcoachError as e:
            return render_page("edit.html", name=name, text=text, lines=[], problems=[str(e)],
                         timeline=None, note=None, clock=format_clock, saved=False), 422
        saved = False
        if action == "save":
            try:
                _write_whole(path, text)
            except Refused as e:
                return render_page("edit.html", name=name, text=text, lines=[],
                             problems=[str(e)], timeline=timeline, note=note,
                             clock=format_clock, saved=False), 500
            saved = True
        return render_page("edit.html", name=name, text=text, lines=[], problems=[],
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
                from crampcoach.routines import library

                values = _settings_form(parts)
                change_settings(parts.settings_file, values, routines=library.routine_names(
                    user_dirs=[_user_dir(parts)]))
            except CrampcoachError as e:
                problems = settings_problems(e)
            else:
                add_notice("ok", "Saved. The bedside service uses them from its next session.")
                return redirect(url_for("settings_page"))
        try:
            current, _ = load_settings(parts.settings_file)
        except CrampcoachError as e:
            problems = problems or problems_of(e)
            current = settings_of(parts)
        from crampcoach.routines import library

        routines = library.routine_names(user_dirs=[_user_dir(parts)])
        form = request.form if request.method == "POST" else None
        return render_page("settings.html", settings=current, problems=problems, form=form,
                     routines=routines, button_routine=_button_routine(current),
                     has_bedside=hasattr(current, "bedside"),
                     file=parts.settings_file.name), (422 if problems and form else 200)


#: The settings the form changes, each with the words its field is labelled with.
SETTINGS_LABELS = {"volume": "Volume", "rate": "Speaking rate",
                   "night.start": "Night hours, from", "night.end": "Night hours, until",
                   "bedside.routine": "The button's routine",
                   "default_routine": "The routine started when none is named"}


def settings_problems(error: CrampcoachError) -> list[str]:
    """The settings file's problems in the form's terms: the field's label, the volume in
    percent as typed; a problem elsewhere in the file by its line, never its folder."""
    from crampcoach.errors import Problem

    problems = getattr(error, "problems", None)
    if not problems or not all(isinstance(p, Problem) for p in problems):
        return [str(error)]
    shown = []
    for problem in sorted(problems, key=lambda p: p.line):
        key = next((k for k in SETTINGS_LABELS if problem.message.startswith(f"{k} ")), None)
        if key == "volume":
            # The file keeps 0 to 1; the form asks for percent, so its refusal does too.
            typed = (request.form.get("volume") or "").strip()
            shown.append(f"Volume: must be a percent from 0 to 100, not {typed}")
        elif key is not None:
            shown.append(f"{SETTINGS_LABELS[key]}: {problem.message[len(key) + 1:]}")
        else:
            where = f", line {problem.line}" if problem.line else ""
            shown.append(f"The settings file ({Path(problem.file).name}{where}): "
                         f"{problem.message}")
    return shown


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
        key = "bedside.routine" if hasattr(settings_of(parts), "bedside") else "default_routine"
        values[key] = routine
    rate = field_whole("rate", "the speaking rate")
    if rate is not None:
        values["rate"] = str(rate)
    if not values:
        raise Refused("nothing to change")
    return values
