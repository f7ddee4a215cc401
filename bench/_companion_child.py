"""The companion page as the bedside service runs it, for bench/companion_pages.py: the
player's modules imported (the service keeps them warm), the page served by waitress on
a thread, real speech measuring the plans (cached after the warm-up fetch), a control
that answers as an idle service. Prints its URL, then serves until
its standard input closes."""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from crampcoach import locations
from crampcoach.session.machine import Machine
from crampcoach.web.app import WebParts, create_app
from crampcoach.web.auth import PasswordFile
from crampcoach.web.server import serve


def _idle(command: str, routine: str | None) -> dict[str, Any]:
    return {"ok": True, "message": "Idle.", "status": {"state": "idle"}}


def main() -> None:
    # What the service imports at start to keep the player warm.
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

    now = datetime.fromisoformat(sys.argv[1]).astimezone(UTC)
    parts = WebParts(settings_file=Path(sys.argv[2]), control=_idle,
                     passwords=PasswordFile(locations.web_password_path()),
                     machine=Machine(), now=lambda: now, tz=UTC)
    page = serve(create_app(parts), "127.0.0.1", 0)
    print(page.url, flush=True)
    sys.stdin.read()
    page.close()


if __name__ == "__main__":
    main()
