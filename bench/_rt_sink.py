"""A sound card stand-in that plays in real time, for measuring when sounds begin.

The measured program's ALSA ``default`` device is pointed (through a private HOME with
an ``.asoundrc``) at ALSA's ``file`` plugin writing WAV into a FIFO. This tool drains
the FIFO at the stream's own byte rate, so the program's writes block as they would on
a card, and notes the monotonic time at which each sound is *played*: a 5 ms block
louder than the threshold after at least ``gap`` seconds of quiet, and when the first
byte of each stream the program opens is played (every ``play`` opens one). The
program's own account of its timing is never used.

    python bench/_rt_sink.py [--gap 0.1] -- COMMAND [ARG ...]   # prints JSON

Used by bench/player_timing.py through :func:`capture`.
"""

from __future__ import annotations

import argparse
import contextlib
import fcntl
import json
import os
import resource
import select
import shutil
import struct
import subprocess
import sys
import tempfile
import time
from array import array
from collections.abc import Sequence
from dataclasses import dataclass, field

_PIPE_BYTES = 4096  # the smallest pipe: the writer is never more than ~0.1 s ahead
_F_SETPIPE_SZ = 1031
_HEADER = 44
_BLOCK_S = 0.005


@dataclass
class Capture:
    launched: float  # monotonic time the command was started
    onsets: list[float] = field(default_factory=list)  # monotonic times sounds began
    streams: list[float] = field(default_factory=list)  # times each stream's first byte played
    audio_s: float = 0.0  # seconds of sound played (streams, silence included)
    ended: float = 0.0
    returncode: int | None = None
    cpu_s: float = 0.0  # user + system seconds of the command (and its children)
    max_rss_kb: int = 0

    def to_json(self) -> dict[str, object]:
        return {
            "onsets": [round(t - self.launched, 4) for t in self.onsets],
            "streams": [round(t - self.launched, 4) for t in self.streams],
            "audio_s": round(self.audio_s, 3), "wall_s": round(self.ended - self.launched, 3),
            "rc": self.returncode, "cpu_s": round(self.cpu_s, 3), "max_rss_kb": self.max_rss_kb,
        }


class _Player:
    """Consumes WAV streams from the FIFO at their byte rate and finds onsets."""

    def __init__(self, gap_s: float, threshold: int, capture: Capture) -> None:
        self.gap_s = gap_s
        self.threshold = threshold
        self.capture = capture
        self.data = bytearray()
        self.rate_bps = 44100
        self.frame_bytes = 2
        self.block = 220
        self.play_at: float | None = None  # when the next byte in ``data`` plays
        self.loud_until = -1e9  # time the last loud block ended
        self.new_stream = False

    def take(self, chunk: bytes) -> None:
        self.data += chunk
        self._headers()

    def _headers(self) -> None:
        # A WAV header starts each stream the program opens (one per sound played).
        while True:
            at = self.data.find(b"RIFF")
            if at < 0 or len(self.data) < at + _HEADER:
                return
            if self.data[at + 8:at + 16] != b"WAVEfmt ":
                return
            if at > 0:
                return  # earlier bytes play first; the header is handled when it comes up
            channels, rate = struct.unpack("<HI", self.data[22:28])
            bits = struct.unpack("<H", self.data[34:36])[0]
            if bits != 16:
                raise SystemExit(f"rt_sink: {bits}-bit audio is not supported")
            self.frame_bytes = 2 * channels
            self.rate_bps = rate * self.frame_bytes
            self.block = max(1, round(rate * _BLOCK_S)) * self.frame_bytes
            del self.data[:_HEADER]
            self.new_stream = True

    def play(self, now: float) -> None:
        """Play every byte due by ``now``; a queue that ran dry restarts at ``now``."""
        if not self.data:
            self.play_at = None
            return
        if self.play_at is None:
            self.play_at = now
        while self.data:
            if self.data.startswith(b"RIFF"):
                self._headers()
                if self.data.startswith(b"RIFF"):
                    return  # the header is not complete yet
                continue
            header = self.data.find(b"RIFF")
            limit = header if header > 0 else len(self.data)
            due = int((now - self.play_at) * self.rate_bps)
            size = min(self.block, limit, due - due % self.frame_bytes)
            if size <= 0:
                return
            block = bytes(self.data[:size])
            del self.data[:size]
            if self.new_stream:
                self.capture.streams.append(self.play_at)
                self.new_stream = False
            self._analyse(block, self.play_at)
            seconds = size / self.rate_bps
            self.play_at += seconds
            self.capture.audio_s += seconds

    def _analyse(self, block: bytes, at: float) -> None:
        samples = array("h", block[: len(block) - len(block) % 2])
        if not samples:
            return
        loud = max(samples) >= self.threshold or min(samples) <= -self.threshold
        if loud:
            if at - self.loud_until >= self.gap_s:
                self.capture.onsets.append(at)
            self.loud_until = at + len(block) / self.rate_bps


def capture(argv: Sequence[str], *, gap_s: float = 0.1, level: float = 0.02,
            env: dict[str, str] | None = None, timeout_s: float = 3600.0,
            stop_after_streams: int | None = None, quiet: bool = False) -> Capture:
    """Run ``argv`` with its sound captured in real time; return what was heard and when.

    ``stop_after_streams``: SIGTERM the command once that many streams have begun.
    ``quiet``: discard what the command prints (stdout and stderr).
    """
    home = tempfile.mkdtemp(prefix="crampcoach-rtsink-")
    try:
        fifo = os.path.join(home, "pcm.wav")
        os.mkfifo(fifo)
        with open(os.path.join(home, ".asoundrc"), "w") as f:
            f.write(f'pcm.!default {{ type file slave.pcm "null" file "{fifo}" '
                    'format "wav" }\n')
        fd = os.open(fifo, os.O_RDWR | os.O_NONBLOCK)
        fcntl.fcntl(fd, _F_SETPIPE_SZ, _PIPE_BYTES)
        child_env = dict(env or os.environ)
        child_env["HOME"] = home
        result = Capture(launched=time.monotonic())
        proc = subprocess.Popen(list(argv), env=child_env, stdin=subprocess.DEVNULL,
                                stdout=subprocess.DEVNULL if quiet else None,
                                stderr=subprocess.DEVNULL if quiet else None)
        player = _Player(gap_s, round(level * 32767), result)
        status: tuple[int, int, resource.struct_rusage] | None = None
        stopping = False
        while True:
            now = time.monotonic()
            if now - result.launched > timeout_s and not stopping:
                proc.kill()
                stopping = True
            # Hold back little: what the program has written but not yet "played" is
            # only the pipe and about two blocks, as on a card with a short buffer.
            want = [fd] if len(player.data) < 2 * player.block else []
            ready, _, _ = select.select(want, [], [], 0.002)
            if ready:
                with contextlib.suppress(BlockingIOError):
                    player.take(os.read(fd, 2 * player.block))
            player.play(time.monotonic())
            if (stop_after_streams is not None and not stopping
                    and len(result.streams) >= stop_after_streams):
                proc.terminate()
                stopping = True
            if status is None:
                pid, code, usage = os.wait4(proc.pid, os.WNOHANG)
                if pid:
                    status = (pid, code, usage)
                    result.ended = time.monotonic()
            if status is not None and not player.data:
                break
        os.close(fd)
        _, code, usage = status
        proc.returncode = os.waitstatus_to_exitcode(code)
        result.returncode = proc.returncode
        result.cpu_s = usage.ru_utime + usage.ru_stime
        result.max_rss_kb = usage.ru_maxrss
        return result
    finally:
        shutil.rmtree(home, ignore_errors=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--gap", type=float, default=0.1, help="quiet seconds before a sound")
    parser.add_argument("--level", type=float, default=0.02, help="peak level (0..1) of sound")
    parser.add_argument("command", nargs=argparse.REMAINDER)
    args = parser.parse_args()
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not command:
        parser.error("no command given")
    print(json.dumps(capture(command, gap_s=args.gap, level=args.level).to_json()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
