"""The resident bedside service: sessions started and steered from the GPIO button, a
keypad or presenter remote, and the control socket, one at a time, each control answered
aloud.

It keeps the player warm: its modules imported at start, the routines it may start
loaded and checked, and every phrase they speak (day and night voices) synthesized into
the speech cache on a background thread, so a press at 3 a.m. waits for none of that.
Sessions are the library's own (:func:`crampcoach.session.prepare_session` and
:meth:`PreparedSession.play`), as ``crampcoach play`` makes them; each one opens the
sound device afresh, so a speaker unplugged and plugged back in is found again.

A session that fails is logged and said aloud, and the service carries on.
"""

from __future__ import annotations

import contextlib
import os
import queue
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from crampcoach.bedside.control import Command, CommandName, Reply
from crampcoach.errors import CrampcoachError, Problem
from crampcoach.inputs.commands import COMMAND_KEYS
from crampcoach.inputs.hands_free import hands_free_from
from crampcoach.inputs.keypad import (
    RESCAN_S,
    InputDevice,
    KeypadWatch,
    list_event_devices,
    open_evdev,
)
from crampcoach.inputs.keys import INTERRUPT, controls_for
from crampcoach.inputs.protocol import HandsFree, HandsFreeUnavailable, Speak
from crampcoach.phrases import Phrasebook, phrasebook
from crampcoach.player.clock import Clock
from crampcoach.player.events import (
    Paused,
    Progress,
    RatingAsked,
    Resumed,
    SessionEnded,
    SessionEvent,
    SessionObserver,
    StepChanged,
    WaitEnded,
    Waiting,
)
from crampcoach.session.machine import Machine

if TYPE_CHECKING:
    from crampcoach.inputs.button import BedsideButton
    from crampcoach.player.record import SessionRecord
    from crampcoach.routines.model import Routine
    from crampcoach.session import PreparedSession, SessionJournal
    from crampcoach.settings import Settings

#: Seconds a start from the control socket waits to tell whether the routine could begin.
START_REPLY_WAIT_S = 10.0
#: Seconds the service waits for a session to wind down when it is stopped.
STOP_WAIT_S = 8.0

Phase = Literal["starting", "playing", "ending"]
#: The inputs a person uses without a screen or keyboard: what they start is the routine
#: they chose, or the built-in rescue when that cannot be played.
HANDS_FREE = ("button", "keypad")
#: What plays when the routine the button (or a start without a routine) asks for cannot
#: be played: built in, always there.
RESCUE = "cramp-rescue"
#: Who started a session, as its episode's note says (by the command's origin).
STARTED_BY = {"button": "the button", "socket": "a bedside command",
              "web": "the companion page"}
#: Opens the button on a pin; it counts the rating aloud in the phrasebook's words.
ButtonOpener = Callable[["Speak", int, Phrasebook], "BedsideButton"]


def _open_button(speak: Speak, pin: int, book: Phrasebook) -> BedsideButton:
    from crampcoach.inputs.button import open_button

    return open_button(speak, pin, book=book)


def _one_line(error: BaseException) -> str:
    text = str(error).strip().splitlines()
    return text[0] if text else type(error).__name__


@dataclass
class _Running:
    """The one session: asked for, then playing, then over (its rating and advice)."""

    ref: str
    clock: Clock
    origin: str
    title: str | None = None
    style: str | None = None  # the routine's (the check-in is never asked after some)
    asking: bool = False  # the weekly check-in is being asked: a start cuts it short
    session: PreparedSession | None = None
    phase: Phase = "starting"
    paused: bool = False
    step: str | None = None
    next_title: str | None = None  # what is announced as next (the step's StepSpan)
    left_s: float | None = None  # of the whole session, from the player's progress
    waiting: bool = False  # a step waits until the person is ready ("continue")
    started: datetime | None = None
    rating_asked: bool = False
    #: The session's language (its routine's): the service answers in it while it plays.
    language: str | None = None
    #: Whether the built-in rescue may stand in when the routine cannot be played.
    rescue_instead: bool = False
    #: Why the routine asked for could not be played when the rescue stood in for it.
    fallback_reason: str | None = None
    failure: str | None = None
    journal: Path | None = None
    settings: Settings | None = None  # read again for this session
    ready: threading.Event = field(default_factory=threading.Event)

    @property
    def name(self) -> str:
        return self.title or self.ref

    @property
    def spoken_name(self) -> str:
        """The name said aloud: the routine's, or before it is known its file's stem (a
        file path is never read aloud)."""
        return self.title or Path(self.ref).stem


class _Keys:
    """The session's keys: a keypad can answer (the rating) while one is plugged in."""

    is_terminal = False

    def __init__(self, watch: KeypadWatch | None) -> None:
        self._watch = watch

    @property
    def live(self) -> bool:
        return self._watch is not None and self._watch.live


class _LentButton:
    """The service's button, lent to one session as its :class:`ButtonInput`: a long
    press stops the session, and closing it hands the button back (it stays open)."""

    def __init__(self, button: BedsideButton, stop: Callable[[], None],
                 give_back: Callable[[], None]) -> None:
        self._button = button
        self._stop = stop
        self._give_back = give_back

    def start_session(self, on_press: Callable[[], None]) -> None:
        self._button.start_session(on_press, on_hold=self._stop)

    def begin_rating(self, *, hint: bool = True,
                     on_rating: Callable[[int], None] | None = None) -> None:
        self._button.begin_rating(hint=hint, on_rating=on_rating)

    def end_rating(self) -> int | None:
        return self._button.end_rating()

    def close(self) -> None:
        self._button.idle()
        self._give_back()


class _Routines:
    """The routines the service may start, loaded once and again only when their file
    changed; a file changed into something that cannot be played leaves the last good
    version playing (nothing on the night path may refuse to run)."""

    def __init__(self, log: Callable[[str], None]) -> None:
        self._log = log
        self._loaded: dict[tuple[str, str], tuple[Routine, tuple[str, int, int] | None]] = {}
        self._lock = threading.Lock()

    @staticmethod
    def _signature(ref: str) -> tuple[str, int, int] | None:
        from crampcoach.routines.loader import resolve

        try:
            path, _ = resolve(ref)
            info = path.stat()
        except (CrampcoachError, OSError):
            return None
        return str(path), info.st_mtime_ns, info.st_size

    def get(self, ref: str, language: str) -> Routine:
        """The routine ``ref`` names, a built-in's text in ``language`` (the settings')."""
        from crampcoach.audio.voices import known_language
        from crampcoach.routines.loader import load_routine

        signature = self._signature(ref)
        with self._lock:
            known = self._loaded.get((ref, language))
        if known is not None and signature is not None and known[1] == signature:
            return known[0]
        try:
            routine = load_routine(ref, language_check=known_language, language=language)
        except CrampcoachError as e:
            if known is None:
                raise
            self._log(f"{ref} changed and cannot be used ({_one_line(e)}); playing the "
                      "version loaded before.")
            return known[0]
        with self._lock:
            self._loaded[(ref, language)] = (routine, signature)
        return routine


def last_good_settings_path() -> Path:
    """Where the service keeps a copy of the last settings file it read without a problem."""
    from crampcoach import locations

    return locations.data_dir() / "bedside-settings.last-good.yaml"


def service_settings(config: Path | None, last_good: Path,
                     ) -> tuple[Settings, Mapping[str, str], str | None]:
    """The settings the service starts with, and why they are not the file's (None when
    they are). The service always starts: settings with a mistake give way to the last
    good ones (a copy kept each time they were read without a problem), else to the
    file's with each value that has a mistake at its default."""
    from crampcoach.settings import load_settings, load_settings_forgiving, settings_path

    try:
        settings, sources = load_settings(config)
    except CrampcoachError as e:
        problems = getattr(e, "problems", None) or [_one_line(e)]
        why = f"the settings file has a mistake ({problems[0]}" + (
            f", and {len(problems) - 1} more)" if len(problems) > 1 else ")")
        if last_good.is_file():
            kept, sources, _ = load_settings_forgiving(config, read_from=last_good)
            return kept, sources, f"{why}; using the last good settings until it is mended"
        kept, sources, _ = load_settings_forgiving(config)
        return kept, sources, f"{why}; what has a mistake is at its default until it is mended"
    try:
        target = settings_path(config)
        if target.is_file():
            _keep_copy(last_good, target.read_bytes())
    except (CrampcoachError, OSError):
        pass  # no copy this time: the settings themselves are good
    return settings, sources, None


def _keep_copy(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` whole or not at all (a power cut leaves the old copy)."""
    from crampcoach.files import write_atomically

    write_atomically(path, data, mode=0o600)


def check_routines(settings: Settings, sources: Mapping[str, str]) -> list[Problem]:
    """Every routine the bedside settings name that cannot be loaded, as a problem at the
    setting's FILE:LINE (the carer sees them when installing, not at night)."""
    from crampcoach.audio.voices import known_language
    from crampcoach.routines.loader import load_routine

    named = [("bedside.routine", settings.bedside.routine),
             *((f"bedside.start_keys.{key}", ref) for key, ref in settings.bedside.start_keys)]
    problems: list[Problem] = []
    for key, ref in named:
        try:
            load_routine(ref, language_check=known_language)
        except CrampcoachError as e:
            where = sources.get(key, "default")
            file, _, line = where.rpartition(":")
            if where == "default" or not line.isdigit():
                file, line = where, "0"
            problems.append(Problem(file, int(line), f"{key}: {_one_line(e)}"))
    return problems


class BedsideService:
    """Starts and steers sessions from its inputs; see the module's doc.

    ``machine``: where sound, speech, clocks, the journal and the time of day come from.
    ``observer_for(language)``: shows a session's events (the service's log).
    ``log``: a line for the service's log. ``open_button``/``keypad_devices``: how the
    GPIO button and the keypads are opened (tests give mock pins and fake devices).
    """

    def __init__(self, settings: Settings, *, machine: Machine | None = None,
                 observer_for: Callable[[str], SessionObserver] | None = None,
                 log: Callable[[str], None] = lambda line: None,
                 open_button: ButtonOpener = _open_button,
                 keypad_devices: tuple[Callable[[str], InputDevice],
                                       Callable[[], list[str]]] | None = None,
                 keypad_rescan_s: float = RESCAN_S,
                 warm_sounds: bool = True,
                 reload_settings: Callable[[], Settings] | None = None,
                 settings_note: str | None = None) -> None:
        self._settings = settings
        # Why the settings in use are not (all) the file's: said at start, in the status.
        self._settings_note = settings_note
        # Why the button's routine cannot be played, found as the service warms up.
        self._routine_note: str | None = None
        self._reload_settings = reload_settings
        self._machine = machine or Machine()
        self._observer_for = observer_for or (lambda language: lambda event: None)
        self._log = log
        self._open_button = open_button
        self._warm_sounds = warm_sounds
        self._routines = _Routines(log)
        self._controls = controls_for(settings.keys.controls())
        self._lock = threading.Lock()
        self._current: _Running | None = None
        self._jobs: queue.Queue[Callable[[], None] | None] = queue.Queue()
        self._cut_idle_speech = threading.Event()
        self._stopping = False
        self._worker: threading.Thread | None = None
        self._warmer: threading.Thread | None = None
        self.warm = threading.Event()
        self._button: BedsideButton | None = None
        self._button_state = "none (button_pin is not set)"
        self._session_speak: Speak | None = None
        opener, lister = keypad_devices or (open_evdev, list_event_devices)
        self._keypads = (None if settings.bedside.keypad == "off" else
                         KeypadWatch(settings.bedside.keypad, self.key, log, opener, lister,
                                     keypad_rescan_s))
        self._keys = _Keys(self._keypads)

    # --- life ----------------------------------------------------------------------------

    def start(self) -> None:
        """Warm the player, open the button and keypads, and start taking commands."""
        _import_the_player()
        self._worker = threading.Thread(target=self._work, name="crampcoach-sessions",
                                        daemon=True)
        self._worker.start()
        self._open_the_button()
        if self._keypads is not None:
            self._keypads.start()
        self._warmer = threading.Thread(target=self._warm, name="crampcoach-warm",
                                        daemon=True)
        self._warmer.start()
        if self._settings_note is not None:
            self._log(f"Settings: {self._settings_note}")
            self._say(self._book().bedside_settings_fallback)

    def stop(self) -> None:
        """Stop any session (recorded as interrupted) and close every input."""
        self._stopping = True
        with self._lock:
            running = self._current
        if running is not None:
            running.clock.push(INTERRUPT)
        self._cut_idle_speech.set()
        self._jobs.put(None)
        if self._worker is not None:
            self._worker.join(STOP_WAIT_S)
        if self._keypads is not None:
            self._keypads.close()
        if self._button is not None:
            with contextlib.suppress(Exception):
                self._button.close()

    def wait_idle(self, timeout_s: float) -> bool:
        """True once no session is running (for tests and benchmarks)."""
        done = threading.Event()
        self._jobs.put(done.set)
        if not done.wait(timeout_s):
            return False
        with self._lock:
            return self._current is None

    # --- the inputs ----------------------------------------------------------------------

    def _open_the_button(self) -> None:
        pin = self._settings.button_pin
        if pin is None:
            return
        try:
            button = self._open_button(self._button_speak, pin, self._book())
        except HandsFreeUnavailable as e:
            self._button_state = f"unavailable ({e})"
            self._log(f"No GPIO button: {e}")
            return
        def pressed() -> None:
            self.handle(Command("start", None, "button"))

        button.when_idle(pressed)
        self._button = button
        self._button_state = f"GPIO{pin}"
        self._log(f"Button: GPIO{pin}.")

    def _button_speak(self, text: str) -> None:
        speak = self._session_speak
        if speak is not None:
            speak(text)
        else:
            self._say(text)

    def key(self, name: str) -> None:
        """A keypad key: starts a routine when idle; steers (or rates) a session."""
        bedside = self._settings.bedside
        with self._lock:
            running = self._current
        if running is None:
            routine = bedside.routine_for_key(name)
            if routine is not None:
                self.handle(Command("start", routine, f"keypad key {name}"))
            elif name in self._controls:
                self._say(self._book().bedside_nothing_playing)
            return
        routine = bedside.routine_for_key(name)
        if running.phase != "ending" and name not in self._controls and routine is not None:
            if running.paused:
                # A paused session gives way (see _start).
                self.handle(Command("start", routine, f"keypad key {name}"))
            else:
                self._say(self._book().bedside_busy.format(routine=running.spoken_name))
            return
        running.clock.push(name)

    # --- commands ------------------------------------------------------------------------

    def handle(self, command: Command) -> Reply:
        """Answer one command (from any thread), aloud and as a reply."""
        if command.name == "status":
            return Reply(True, self.status_line(), self.status())
        if command.name == "start":
            return self._start(command)
        with self._lock:
            running = self._current
        book = self._book()
        if running is None or (running.phase == "ending" and command.name != "stop"):
            self._say(book.bedside_nothing_playing)
            return Reply(False, "nothing is playing")
        return self._steer(running, command.name, book)

    def _steer(self, running: _Running, name: CommandName, book: Phrasebook) -> Reply:
        # Each command is one token of the key table (inputs/commands.py): "pause" only
        # pauses and "resume" only carries on, also during a wait step.
        if name == "pause":
            if running.paused:
                self._say(book.bedside_already_paused)
                return Reply(True, "Already paused.")
            running.paused = True
        elif name == "resume":
            if not running.paused:
                self._say(book.bedside_not_paused)
                return Reply(True, "Not paused.")
            running.paused = False
        elif name == "continue" and not running.waiting:
            self._say(book.bedside_not_waiting)
            return Reply(False, "nothing is waiting for the person to be ready")
        running.clock.push(COMMAND_KEYS[name])
        return Reply(True, {"pause": "Paused.", "resume": "Carrying on.", "next": "Next.",
                            "repeat": "Repeating.", "stop": "Stopping.",
                            "continue": "Carrying on."}[name])

    def _start(self, command: Command) -> Reply:
        """Start a routine when nothing plays. A paused session gives way to it: it ends
        (recorded as interrupted, with no rating, the compress asked off if it was on) and
        the routine asked for starts, so a pause forgotten in the evening never holds back
        the rescue at night. The weekly check-in after a session gives way the same way.
        One that plays is left alone (said to be busy)."""
        with self._lock:
            current = self._current
            busy = ((current is not None and not (current.paused or current.asking))
                    or self._stopping)
        settings = self._settings if busy else self._session_settings()
        ref = command.routine or settings.bedside.routine
        with self._lock:
            running = self._current
            replaced = (running is not None and not self._stopping
                        and ((running.paused and running.phase != "ending")
                             or running.asking))
            starting = (running is None or replaced) and not self._stopping
            if starting:
                if replaced and running is not None:
                    running.clock.push(INTERRUPT)
                    self._log(f"The check-in after {running.name} ends, and {ref} starts."
                              if running.asking else
                              f"{running.name} was paused: it ends, and {ref} starts.")
                running = self._current = _Running(ref, self._machine.clock(), command.origin,
                                                   settings=settings)
                # A start from the button or a keypad, or the button's routine, always gives
                # help: the built-in rescue plays when the routine cannot.
                running.rescue_instead = (command.origin.startswith(HANDS_FREE)
                                          or command.routine is None) and ref != RESCUE
                self._cut_idle_speech.set()
                self._jobs.put(lambda: self._run(running))
        assert running is not None
        if not starting:
            if self._stopping:
                return Reply(False, "the service is stopping")
            self._say(self._book().bedside_busy.format(routine=running.spoken_name))
            return Reply(False, f"{running.name} is already playing", self.status())
        self._log(f"Start {ref} ({command.origin}).")
        if command.origin != "socket":
            return Reply(True, f"Starting {ref}.")
        if not running.ready.wait(START_REPLY_WAIT_S):
            return Reply(True, f"Starting {ref}.", self.status())
        if running.failure is not None:
            return Reply(False, f"{ref} cannot be played: {running.failure}")
        if running.ref != ref:
            return Reply(True, f"{ref} cannot be played ({running.fallback_reason}); "
                               f"started {running.name} instead.", self.status())
        return Reply(True, f"Started {running.name}.", self.status())

    # --- what it says --------------------------------------------------------------------

    def _book(self) -> Phrasebook:
        """The words the service answers in: the playing session's language (its
        routine's), else the settings'."""
        with self._lock:
            running = self._current
        language = running.language if running is not None else None
        return phrasebook(language or self._settings.language)

    def _say(self, text: str) -> None:
        """Say ``text``: through the playing session's output, else on its own."""
        self._log(f'Said: "{text}"')
        with self._lock:
            running = self._current
        if running is None:
            self._jobs.put(lambda: self._say_idle(text))
        elif running.session is not None:
            running.session.say(text)
        # A session about to start answers with its own opening.

    def _say_idle(self, text: str, *, before_session: bool = False) -> None:
        """Say ``text`` on a sound of its own; ``before_session``: on the session's thread,
        just before it starts (what it must know first), else only while nothing plays."""
        from crampcoach.player.feed import speech_cue
        from crampcoach.session import voice_at

        if self._stopping:
            return
        self._cut_idle_speech.clear()
        with self._lock:
            if self._current is not None and not before_session:
                return  # a session was asked for meanwhile: its opening is the answer
        effective = voice_at(self._settings, self._machine.now())[0]
        try:
            sound = self._machine.sound(effective.volume, effective.tone_gain)
        except CrampcoachError as e:
            self._log(f"Could not say it: {_one_line(e)}")
            return
        try:
            clip = sound.sounds.clip_for(speech_cue(text), effective.voice)
            sink = sound.sink_factory()
            try:
                sink.play(clip)
                # A start cuts it short: the session needs the one output.
                self._cut_idle_speech.wait(clip.seconds)
            finally:
                with contextlib.suppress(CrampcoachError):
                    sink.stop()
                    sink.close()
        except CrampcoachError as e:
            self._log(f"Could not say it: {_one_line(e)}")
        finally:
            sound.close()

    # --- sessions ------------------------------------------------------------------------

    def _work(self) -> None:
        while (job := self._jobs.get()) is not None:
            try:
                job()
            except Exception as e:  # nothing a job does may end the service
                self._log(f"Error: {_one_line(e)}")

    def _session_settings(self) -> Settings:
        """The settings a session starts with: read again from their file (the companion
        page and a carer may have changed the voice, volume, night hours or the button's
        routine); the ones in use when the new file cannot be read. The button's pin, the
        keypad and the keys are the service's own, fixed when it starts."""
        if self._reload_settings is None:
            return self._settings
        try:
            fresh = self._reload_settings()
        except CrampcoachError as e:
            self._log(f"The settings cannot be read again ({_one_line(e)}); "
                      "using the ones in use.")
            self._settings_note = (f"the file cannot be read ({_one_line(e)}); the settings "
                                   "in use carry on")
            return self._settings
        self._settings_note = None
        return replace(fresh, button_pin=self._settings.button_pin, keys=self._settings.keys,
                       bedside=replace(fresh.bedside, keypad=self._settings.bedside.keypad))

    def _hands_free(self, running: _Running, settings: Settings) -> HandsFree:
        spoken = hands_free_from(settings).spoken_rating
        button = self._button
        if button is None:
            return HandsFree(spoken_rating=spoken)
        quit_key = COMMAND_KEYS["stop"]

        def lend(speak: Speak) -> _LentButton:
            self._session_speak = speak

            def give_back() -> None:
                self._session_speak = None

            return _LentButton(button, lambda: running.clock.push(quit_key), give_back)

        return HandsFree(button=lend, spoken_rating=spoken)

    def _run(self, running: _Running) -> None:
        from crampcoach.session import SessionInputs, SessionRequest, prepare_session

        try:
            try:
                settings = running.settings or self._session_settings()
                running.journal = settings.journal
                routine = self._routine_or_rescue(running, settings.language)
                running.title, running.style = routine.name, routine.style
                journal = self._machine.journal(settings.journal, routine)
                request = SessionRequest(
                    routine=routine, settings=settings, clock=running.clock,
                    starts_at=self._machine.now(), sound=self._machine.sound,
                    inputs=SessionInputs(keys=self._keys,
                                         hands_free=self._hands_free(running, settings)),
                    journal=journal)
                session = prepare_session(request)
            except Exception as e:  # a routine or a fault: said, logged, and the service goes on
                running.failure = _one_line(e)
                self._log(f"{running.ref} cannot be played: {running.failure}")
                self._finish(running)
                running.ready.set()
                self._say(self._cannot_start(running))
                return
            running.language = session.voice.language
            running.session, running.phase = session, "playing"
            running.started = self._machine.now()
            running.ready.set()
            self._play(running, session, journal)
        finally:
            self._finish(running)

    def _play(self, running: _Running, session: PreparedSession,
              journal: SessionJournal) -> None:
        record: SessionRecord | None = None
        try:
            record = session.play(self._watching(running, session.voice.language))
        except Exception as e:  # a session that fails never takes the service down
            self._log(f"The session of {running.name} failed: {_one_line(e)}")
        finally:
            session.close()
        if journal.error is not None:
            self._log(f"Note: this session could not be recorded in the journal: "
                      f"{journal.error}")
        if record is None:
            self._finish(running)
            self._say(self._cannot_start(running))
            return
        self._log(f"{running.name}: {record.outcome}"
                  + (f", rated {record.rating_after}" if record.rating_after is not None
                     else "") + ".")
        # Every session the service starts is an episode to complete in the morning,
        # whoever started it (the button, a keypad, a command, the page).
        self._record_episode(journal, running.journal, running.origin)
        if record.outcome == "finished" and not self._stopping:
            self._checkin_after(running, session)
        self._finish(running)
        if (record.outcome == "stopped" and not running.rating_asked
                and not self._stopping):
            self._say(self._book().bedside_stopped)

    def _checkin_after(self, running: _Running, session: PreparedSession) -> None:
        """The weekly check-in when it is due (bedside/checkin.py), asked before the
        service takes the next start; whatever goes wrong only means no check-in now."""
        from crampcoach.bedside.checkin import ask_checkin

        if running.journal is None:
            return

        def say(text: str) -> None:
            with self._lock:
                if self._current is not running:
                    return  # a start cut the check-in short: its session speaks now
            self._log(f'Said: "{text}"')
            self._say_idle(text, before_session=True)

        running.asking = True
        try:
            ask_checkin(running.journal, now=self._machine.utc_now, style=running.style,
                        night=session.night, book=phrasebook(session.voice.language),
                        say=say, clock=running.clock, button=self._button,
                        keypad=self._keys.live, log=self._log)
        except Exception as e:  # nothing here may end the service
            self._log(f"The check-in failed: {_one_line(e)}")
        finally:
            running.asking = False

    def _cannot_start(self, running: _Running) -> str:
        """What is said when a session cannot start: its routine's name when known (never
        a file path)."""
        book = self._book()
        if running.title is None:
            return book.bedside_cannot_start_unnamed
        return book.bedside_cannot_start.format(routine=running.title)

    def _routine_or_rescue(self, running: _Running, language: str) -> Routine:
        """The routine asked for (a built-in's text in ``language``); the built-in rescue
        instead (said first) when that cannot be played and the start may fall back (the
        button's starts)."""
        try:
            return self._routines.get(running.ref, language)
        except CrampcoachError as e:
            if not running.rescue_instead:
                raise
            running.fallback_reason = _one_line(e)
        self._log(f"{running.ref} cannot be played ({running.fallback_reason}); "
                  f"playing the built-in {RESCUE} instead.")
        running.ref = RESCUE
        routine = self._routines.get(RESCUE, language)
        self._say_idle(phrasebook(self._settings.language).bedside_routine_fallback,
                       before_session=True)
        return routine

    def _record_episode(self, journal: SessionJournal, path: Path | None,
                        origin: str) -> None:
        """Keep a session the service started as an episode of the care record (its
        time, routine and rating, and who started it), to be completed later: where, how
        long, what helped."""
        from crampcoach.journal import Journal

        session_id = getattr(journal.recorder, "session_id", None)
        if not isinstance(session_id, str) or path is None:
            return  # not recorded (a journal fault, already logged)
        who = STARTED_BY.get(origin.split(" ")[0], origin)
        if origin.startswith("keypad"):
            who = f"a keypad ({origin.removeprefix('keypad ')})"
        try:
            with Journal.open(path) as opened:
                episode = opened.episode_for_session(session_id)
                if episode.note is None:
                    opened.update_episode(episode.id, note=f"Started by {who}.")
        except CrampcoachError as e:
            self._log(f"Note: the episode could not be recorded in the journal: "
                      f"{_one_line(e)}")
            return
        self._log("Recorded as an episode to complete later "
                  "(crampcoach episode --last --where ... --minutes ... --helped ...).")

    def _finish(self, running: _Running) -> None:
        with self._lock:
            if self._current is running:
                self._current = None

    def _watching(self, running: _Running, language: str) -> SessionObserver:
        shown = self._observer_for(language)

        def observe(event: SessionEvent) -> None:
            if isinstance(event, Paused):
                running.paused = True
            elif isinstance(event, Resumed):
                running.paused = False
            elif isinstance(event, StepChanged):
                running.step = (event.title if event.index is None else
                                f"step {event.index + 1} of {event.count}: {event.title}")
                running.next_title = event.next_title
            elif isinstance(event, Progress):
                running.left_s = event.session_left
            elif isinstance(event, Waiting | WaitEnded):
                running.waiting = isinstance(event, Waiting)
            elif isinstance(event, SessionEnded):
                running.phase, running.paused, running.waiting = "ending", False, False
            elif isinstance(event, RatingAsked):
                running.rating_asked = True
            shown(event)

        return observe

    # --- warming -------------------------------------------------------------------------

    def _warm(self) -> None:
        """Load every routine the inputs may start and synthesize what they say, at the
        day and the night voice, the button's routine first; then the service's phrases."""
        from crampcoach.routines.compiler import spoken_texts
        from crampcoach.session import voice_at

        settings = self._settings
        try:
            refs = list(settings.bedside.routines())
            for ref in refs:
                try:
                    routine = self._routines.get(ref, settings.language)
                except CrampcoachError as e:
                    self._log(f"{ref} cannot be played: {_one_line(e)}")
                    if ref == settings.bedside.routine:
                        # The button plays the built-in rescue instead: shown in the status,
                        # and made ahead so that press is as quick.
                        self._routine_note = (f"{ref} cannot be played ({_one_line(e)}); "
                                              f"the button plays the built-in {RESCUE}")
                        if RESCUE not in refs:
                            refs.append(RESCUE)
                    continue
                for moment in _day_and_night(settings):
                    # As its sessions speak it: the engine in the settings too.
                    voice = voice_at(settings, moment, routine)[0].voice
                    # What the session says, and what the service says about it.
                    book = phrasebook(voice.language)
                    said = [*spoken_texts(routine, voice),
                            book.bedside_busy.format(routine=routine.name)]
                    if self._warm_sounds and not self._stopping:
                        self._prepare(said, voice)
            for moment in _day_and_night(settings):
                voice = voice_at(settings, moment)[0].voice
                if self._warm_sounds and not self._stopping:
                    self._prepare(_service_phrases(phrasebook(voice.language)), voice)
        finally:
            self.warm.set()
            self._log("Ready.")

    def _prepare(self, texts: list[str], voice: object) -> None:
        from crampcoach.routines.timeline import Voice

        assert isinstance(voice, Voice)
        try:
            with self._machine.speech() as speech:
                failed = speech.prepare(texts, voice)
        except CrampcoachError as e:
            self._log(f"Speech could not be made ahead: {_one_line(e)}")
            return
        if failed:
            self._log(f"Speech could not be made ahead for {len(failed)} phrases: "
                      f"{_one_line(next(iter(failed.values())))}")

    # --- status --------------------------------------------------------------------------

    def status(self) -> dict[str, object]:
        with self._lock:
            running = self._current
        state: str = "idle"
        if running is not None:
            state = "paused" if running.paused else running.phase
        return {
            "state": state,
            "routine": None if running is None else running.name,
            "step": None if running is None else running.step,
            "next": None if running is None else running.next_title,
            "left": (None if running is None or running.left_s is None
                     else round(running.left_s)),
            "waiting": running is not None and running.waiting,
            "started": (None if running is None or running.started is None
                        else f"{running.started:%H:%M:%S}"),
            "by": None if running is None else running.origin,
            "button": self._button_state,
            "keypads": [] if self._keypads is None else self._keypads.connected,
            "keypad_setting": self._settings.bedside.keypad,
            "settings": self._settings_note or "as in the file",
            "button_routine": self._routine_note or "ready",
            "warm": self.warm.is_set(),
            "pid": os.getpid(),
        }

    def status_line(self) -> str:
        status = self.status()
        if status["state"] == "idle":
            return "Idle: waiting for the button, a keypad key or a command."
        where = f", {status['step']}" if status["step"] else ""
        since = f", started {status['started']}" if status["started"] else ""
        return f"{str(status['state']).capitalize()}: {status['routine']}{where}{since} " \
               f"(by {status['by']})."


def _day_and_night(settings: Settings) -> list[datetime]:
    """A moment in the day and one in the night hours (when night mode is on)."""
    noon = datetime(2000, 1, 1, 12, 0)
    night = settings.night
    if night is None or night.contains(noon.time()):
        return [noon]
    return [noon, datetime.combine(noon.date(), night.start)]


def _service_phrases(book: Phrasebook) -> list[str]:
    return [book.bedside_nothing_playing, book.bedside_already_paused,
            book.bedside_not_paused, book.bedside_stopped]


def _import_the_player() -> None:
    """Import now what a session needs, so the first press does not wait for it."""
    import crampcoach.audio.playback
    import crampcoach.audio.sounds
    import crampcoach.audio.speech
    import crampcoach.journal
    import crampcoach.player.deadlines
    import crampcoach.player.feed
    import crampcoach.player.journal_writer
    import crampcoach.player.rating
    import crampcoach.player.session
    import crampcoach.routines.compiler
    import crampcoach.routines.loader  # noqa: F401

    with contextlib.suppress(ImportError):
        import simpleaudio  # noqa: F401
