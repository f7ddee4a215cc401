"""One phrase said on its own, outside any session: what a command must say aloud as well
as show (the urgent tier when an episode that needs help now is recorded)."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from typing import TYPE_CHECKING

from crampcoach.errors import CrampcoachError

if TYPE_CHECKING:
    from crampcoach.phrases.book import Phrasebook
    from crampcoach.session.machine import Machine
    from crampcoach.settings import Settings

#: However long a phrase is, the command waits no longer than this for it to be said.
LONGEST_S = 90.0


def say_phrase(machine: Machine, settings: Settings,
               pick: Callable[[Phrasebook], str]) -> str | None:
    """Say one phrase of the person's phrasebook in their voice (night mode's, softer and
    slower, at night), on the machine's sound, and wait until it has been said.

    ``pick`` chooses the phrase from the phrasebook of the voice's language. Returns None
    once said, else one line saying why it could not be: a missing audio device, a voice
    that cannot be made, anything the sound raises. Never raises for want of sound; an
    interrupt (Ctrl-C) while it speaks stops the sound and is given back as a reason too.
    """
    from crampcoach.phrases import phrasebook
    from crampcoach.player.feed import speech_cue
    from crampcoach.session.voice import voice_at

    try:
        effective, _ = voice_at(settings, machine.now())
        text = pick(phrasebook(effective.voice.language))
        sound = machine.sound(effective.volume, effective.tone_gain)
    except (CrampcoachError, OSError) as e:
        return _one_line(e)
    try:
        clip = sound.sounds.clip_for(speech_cue(text), effective.voice)
        sink = sound.sink_factory()
        try:
            clock = machine.clock()
            sink.play(clip)
            clock.wait_until(clock.now() + min(clip.seconds, LONGEST_S))
        except KeyboardInterrupt:
            return "stopped"
        finally:
            with contextlib.suppress(CrampcoachError, OSError):
                sink.stop()
                sink.close()
    except (CrampcoachError, OSError) as e:
        return _one_line(e)
    finally:
        with contextlib.suppress(CrampcoachError, OSError):
            sound.close()
    return None


def _one_line(error: BaseException) -> str:
    return " ".join(str(error).split()) or type(error).__name__
