"""Who may use the companion page: the password (hashed), logins, sessions and CSRF tokens.

Nothing here knows about HTTP; :mod:`crampcoach.web.app` asks these objects. Every clock
is passed in, so tests step through a rate limit without sleeping.

* The password is kept as ``scrypt$N$r$p$salt$hash`` (hashlib's scrypt, a standard memory-
  hard KDF that needs no extra package), in a file only its user can read.
* A login makes a session: a random token in an HttpOnly, SameSite=Strict cookie, and its
  own CSRF token that every form sends back. Sessions live in the service's memory: a
  restart of the service logs everyone out, and changing the password does too.
* Failed logins are limited per address and in all (:class:`LoginThrottle`), so guessing
  is slow even from many addresses.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import secrets
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from crampcoach.errors import WebError
from crampcoach.files import write_atomically

#: scrypt's cost: 16 MiB of memory and about 0.05 s on a PC, 0.3 s on a Pi 3, per guess.
SCRYPT_N = 2**14
SCRYPT_R = 8
SCRYPT_P = 1
SALT_BYTES = 16
HASH_BYTES = 32
#: A password or pairing PIN: long enough that the rate limit makes guessing hopeless.
MIN_PASSWORD = 8
MAX_PASSWORD = 256
#: Failed logins allowed from one address, and from all addresses together, per window.
FAILS_PER_ADDRESS = 5
FAILS_IN_ALL = 20
FAIL_WINDOW_S = 15 * 60
#: A session lasts a month of use: the carer is not asked to log in every visit.
SESSION_IDLE_S = 30 * 24 * 3600
#: Sessions kept at once (a few phones and browsers); the oldest goes first.
MAX_SESSIONS = 32


def check_new_password(password: str) -> str:
    """The password to keep, or WebError saying in one line what a password needs."""
    if len(password) < MIN_PASSWORD:
        raise WebError(f"a password or PIN needs at least {MIN_PASSWORD} characters "
                       f"(this one has {len(password)})")
    if len(password) > MAX_PASSWORD:
        raise WebError(f"a password has at most {MAX_PASSWORD} characters")
    if not password.isprintable():
        raise WebError("a password cannot contain control characters")
    return password


def _scrypt(password: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    return hashlib.scrypt(password.encode(), salt=salt, n=n, r=r, p=p, dklen=HASH_BYTES,
                          maxmem=256 * n * r)


def hash_password(password: str) -> str:
    salt = secrets.token_bytes(SALT_BYTES)
    digest = _scrypt(password, salt, SCRYPT_N, SCRYPT_R, SCRYPT_P)
    b64 = base64.b64encode
    return (f"scrypt${SCRYPT_N}${SCRYPT_R}${SCRYPT_P}${b64(salt).decode()}$"
            f"{b64(digest).decode()}")


def verify_password(password: str, stored: str) -> bool:
    """Whether ``password`` is the one ``stored`` was made from (False for a stored value
    that is not ours: a damaged file lets nobody in rather than everybody)."""
    parts = stored.strip().split("$")
    if len(parts) != 6 or parts[0] != "scrypt":
        return False
    try:
        n, r, p = (int(x) for x in parts[1:4])
        salt = base64.b64decode(parts[4], validate=True)
        expected = base64.b64decode(parts[5], validate=True)
    except ValueError:
        return False
    # Bounds keep a tampered file from making every login take minutes or all memory.
    if not (2 <= n <= 2**20 and 1 <= r <= 32 and 1 <= p <= 16) or len(expected) != HASH_BYTES:
        return False
    if len(password) > MAX_PASSWORD:
        return False
    return hmac.compare_digest(_scrypt(password, salt, n, r, p), expected)


class PasswordFile:
    """The hashed password at ``path`` (mode 0600, written whole or not at all)."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def stored(self) -> str | None:
        try:
            text = self.path.read_text(encoding="ascii")
        except FileNotFoundError:
            return None
        except (OSError, UnicodeDecodeError) as e:
            raise WebError(f"cannot read the companion page's password file {self.path}: "
                           f"{getattr(e, 'strerror', None) or e}") from None
        return text.strip() or None

    @property
    def is_set(self) -> bool:
        return self.stored() is not None

    def verify(self, password: str) -> bool:
        stored = self.stored()
        return stored is not None and verify_password(password, stored)

    def set(self, password: str) -> None:
        line = hash_password(check_new_password(password)) + "\n"
        self._write(line)

    def clear(self) -> bool:
        """Remove the password (the page then refuses every login); True if there was one."""
        try:
            self.path.unlink()
        except FileNotFoundError:
            return False
        except OSError as e:
            raise WebError(f"cannot remove {self.path}: {e.strerror}") from None
        return True

    def _write(self, line: str) -> None:
        try:
            write_atomically(self.path, line.encode("ascii"), mode=0o600)
            os.chmod(self.path, 0o600)  # only its user, even if it was made readable
        except OSError as e:
            raise WebError(f"cannot write the companion page's password file {self.path}: "
                           f"{e.strerror}") from None


@dataclass
class _Fails:
    by_address: dict[str, deque[float]] = field(default_factory=dict)
    in_all: deque[float] = field(default_factory=deque)


class LoginThrottle:
    """At most :data:`FAILS_PER_ADDRESS` failed logins from one address and
    :data:`FAILS_IN_ALL` from all together in any :data:`FAIL_WINDOW_S`; then logins wait
    until the oldest failure leaves the window (a right password included, so a guesser
    learns nothing while refused)."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._fails = _Fails()
        self._lock = threading.Lock()

    def _trim(self, times: deque[float], now: float) -> None:
        while times and times[0] <= now - FAIL_WINDOW_S:
            times.popleft()

    def wait_s(self, address: str) -> float:
        """Seconds before ``address`` may try again (0: now)."""
        now = self._clock()
        with self._lock:
            waits = [0.0]
            mine = self._fails.by_address.get(address)
            for times, limit in ((mine, FAILS_PER_ADDRESS), (self._fails.in_all, FAILS_IN_ALL)):
                if times is None:
                    continue
                self._trim(times, now)
                if len(times) >= limit:
                    waits.append(times[0] + FAIL_WINDOW_S - now)
            return max(waits)

    def failed(self, address: str) -> None:
        now = self._clock()
        with self._lock:
            if len(self._fails.by_address) > 1000:  # many addresses: forget the quiet ones
                for key in [k for k, v in self._fails.by_address.items()
                            if not v or v[-1] <= now - FAIL_WINDOW_S]:
                    del self._fails.by_address[key]
            self._fails.by_address.setdefault(address, deque()).append(now)
            self._fails.in_all.append(now)

    def succeeded(self, address: str) -> None:
        with self._lock:
            self._fails.by_address.pop(address, None)


@dataclass
class Session:
    """One logged-in browser. ``notices``: what the next page shows once (after a form is
    sent, the page it redirects to says what happened)."""

    token: str
    csrf: str
    last_seen: float
    notices: list[tuple[str, str]] = field(default_factory=list)


class Sessions:
    """Logged-in browsers: the cookie's token -> its CSRF token."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._by_token: dict[str, Session] = {}
        self._lock = threading.Lock()

    def open(self) -> Session:
        session = Session(secrets.token_urlsafe(32), secrets.token_urlsafe(32), self._clock())
        with self._lock:
            if len(self._by_token) >= MAX_SESSIONS:
                oldest = min(self._by_token.values(), key=lambda s: s.last_seen)
                del self._by_token[oldest.token]
            self._by_token[session.token] = session
        return session

    def find(self, token: str | None) -> Session | None:
        if not token:
            return None
        now = self._clock()
        with self._lock:
            session = self._by_token.get(token)
            if session is None:
                return None
            if now - session.last_seen > SESSION_IDLE_S:
                del self._by_token[token]
                return None
            session.last_seen = now
            return session

    def close(self, token: str | None) -> None:
        with self._lock:
            self._by_token.pop(token or "", None)

    def close_all(self) -> None:
        with self._lock:
            self._by_token.clear()


def same_token(given: str | None, expected: str) -> bool:
    return given is not None and hmac.compare_digest(given.encode(), expected.encode())
