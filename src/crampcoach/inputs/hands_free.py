"""Which hands-free inputs a session opens, from the settings: the one place that picks
the GPIO button and the spoken rating (the player only sees :mod:`.protocol`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from crampcoach.inputs.protocol import ButtonInput, HandsFree, RatingSource, Speak
from crampcoach.phrases import phrasebook

if TYPE_CHECKING:
    from crampcoach.settings import Settings


def hands_free_from(settings: Settings, language: str = "en") -> HandsFree:
    """Openers for the GPIO button and the spoken rating the settings ask for; the button
    counts in ``language`` (the session's)."""
    pin, microphone = settings.button_pin, settings.microphone

    def button(speak: Speak) -> ButtonInput:
        from crampcoach.inputs.button import open_button

        assert pin is not None
        return open_button(speak, pin, book=phrasebook(language))

    def spoken(speak: Speak) -> RatingSource:
        from crampcoach.inputs.spoken import open_spoken_rating

        return open_spoken_rating(speak, microphone)

    return HandsFree(button=button if pin is not None else None,
                     spoken_rating=spoken if settings.spoken_rating else None)
