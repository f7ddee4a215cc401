"""Who may use the companion page: the password (hashed), logins, sessions and CSRF tokens.

Nothing here knows about HTTP; :mod:`crampcoach.web.app` asks these objects. Every clock
is passed in, so tests step through a rate limit without sleeping.

* The password is kept as ``scrypt$N$r$p$salt$hash`` (hashlib's scrypt, a standard memory-
  hard KDF that needs no extra package), in a file only its user can read.
* A login makes a session: a random token in an HttpOnly, SameSite=Strict cookie, and its
  own CSRF token that every form sends back. Sessions live in the service's memory: a
  restart of the service logs everyone out, and changing the password does too (each
  session remembers which password it logged in with, :meth:`PasswordFile.mark`).
* Failed logins slow an address down and every password check is paced
  (:class:`LoginThrottle`), so guessing is slow even from many addresses, and the person
  who knows the password is never locked out.
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
#: The most a stored password's cost may ask per check: 4 times the memory and work above.
MAX_SCRYPT_BYTES = 4 * 128 * SCRYPT_N * SCRYPT_R * SCRYPT_P
MAX_SCRYPT_WORK = 4 * SCRYPT_N * SCRYPT_R * SCRYPT_P
SALT_BYTES = 16
HASH_BYTES = 32
#: A password or pairing PIN: long enough that the rate limit makes guessing hopeless.
MIN_PASSWORD = 8
MAX_PASSWORD = 256
#: Failed logins from one address (or browser) before it must wait between tries; the wait
#: starts at :data:`BACKOFF_FIRST_S`, doubles with each failure, up to
#: :data:`BACKOFF_MAX_S`, and is forgotten after :data:`FAIL_WINDOW_S` without a failure.
FAILS_PER_ADDRESS = 5
BACKOFF_FIRST_S = 4.0
BACKOFF_MAX_S = 5 * 60
FAIL_WINDOW_S = 15 * 60
#: Password checks are paced for everyone together (never refused): at least this long
#: apart, and :data:`SLOW_PACE_S` apart while :data:`FAILS_IN_ALL` failures are recent.
PACE_S = 0.25
SLOW_PACE_S = 3.0
FAILS_IN_ALL = 20
#: Browsers that logged in before (their "known browser" cookie): an address's failures
#: never make them wait, so a guesser on the same address (everyone behind an SSH tunnel
#: is 127.0.0.1) cannot keep the person who knows the password out.
MAX_KNOWN_BROWSERS = 64
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
                          maxmem=256 * n * r * p + 2**20)


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
    if not cost_fits(n, r, p) or len(expected) != HASH_BYTES:
        return False
    if len(password) > MAX_PASSWORD:
        return False
    try:
        digest = _scrypt(password, salt, n, r, p)
    except (ValueError, MemoryError):  # what OpenSSL refuses
        return False
    return hmac.compare_digest(digest, expected)


def cost_fits(n: int, r: int, p: int) -> bool:
    """Whether one check at this scrypt cost fits a Pi: n a power of two, at most
    :data:`MAX_SCRYPT_BYTES` of memory and :data:`MAX_SCRYPT_WORK` (n*r*p) of work, so a
    tampered file cannot make each login take seconds and most of the memory."""
    return (n >= 2 and n & (n - 1) == 0 and 1 <= r <= 32 and 1 <= p <= 16
            and 128 * n * r * p <= MAX_SCRYPT_BYTES and n * r * p <= MAX_SCRYPT_WORK)


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

    def mark(self) -> str:
        """A short fingerprint of the password set now ("" for none): a session made with
        another password is no longer valid, so a new password logs everyone out, even
        when it is set by the command line outside the service."""
        try:
            stored = self.stored()
        except WebError:
            return ""
        return "" if stored is None else hashlib.sha256(stored.encode()).hexdigest()[:32]

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
    count: int = 0
    last: float = 0.0


@dataclass(frozen=True)
class Attempt:
    """A password check that may go ahead: at ``check_at`` (the global pace), for ``keys``
    (the address, or the known browser). It already counts as a failure until
    :meth:`LoginThrottle.finish` says otherwise, so checks running at once cannot pass
    the limit together."""

    keys: tuple[str, ...]
    check_at: float


class LoginThrottle:
    """Slows password guessing without ever refusing the person who knows the password.

    * Per address (or per known browser, see :data:`MAX_KNOWN_BROWSERS`): after
      :data:`FAILS_PER_ADDRESS` failures each further try waits twice as long as the one
      before, at most :data:`BACKOFF_MAX_S`; a refused try does not count, so the wait
      never renews itself.
    * For everyone: password checks take turns at a pace (:data:`PACE_S`, slower while
      many failures are recent), so many addresses guess no faster than one.
    """

    def __init__(self, clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self._clock = clock
        self._sleep = sleep
        self._fails: dict[str, _Fails] = {}
        self._recent: deque[float] = deque()
        self._next_check = 0.0
        self._known: dict[str, float] = {}
        self._lock = threading.Lock()

    def _wait_of(self, key: str, now: float) -> float:
        fails = self._fails.get(key)
        if fails is None or fails.count < FAILS_PER_ADDRESS:
            return 0.0
        if now - fails.last >= FAIL_WINDOW_S:
            del self._fails[key]
            return 0.0
        backoff = min(BACKOFF_MAX_S,
                      BACKOFF_FIRST_S * 2.0 ** (fails.count - FAILS_PER_ADDRESS))
        return max(0.0, fails.last + backoff - now)

    def _key(self, address: str, browser: str | None) -> str:
        return f"browser:{browser}" if browser in self._known else f"address:{address}"

    def wait_s(self, address: str, browser: str | None = None) -> float:
        """Seconds before ``address`` (or the known ``browser``) may try again (0: now)."""
        with self._lock:
            return self._wait_of(self._key(address, browser), self._clock())

    def begin(self, address: str, browser: str | None = None) -> Attempt | float:
        """An :class:`Attempt` to check a password, or the seconds to wait first."""
        now = self._clock()
        with self._lock:
            key = self._key(address, browser)
            wait = self._wait_of(key, now)
            if wait > 0:
                return wait
            while self._recent and self._recent[0] <= now - FAIL_WINDOW_S:
                self._recent.popleft()
            pace = SLOW_PACE_S if len(self._recent) >= FAILS_IN_ALL else PACE_S
            check_at = max(now, self._next_check)
            self._next_check = check_at + pace
            self._count_failure(key, now)
            return Attempt((key,), check_at)

    def pace(self, attempt: Attempt) -> None:
        """Wait for the attempt's turn."""
        delay = attempt.check_at - self._clock()
        if delay > 0:
            self._sleep(delay)

    def _count_failure(self, key: str, now: float) -> None:
        if len(self._fails) > 1000:  # many addresses: forget the quiet ones
            for old in [k for k, v in self._fails.items() if v.last <= now - FAIL_WINDOW_S]:
                del self._fails[old]
        fails = self._fails.setdefault(key, _Fails())
        fails.count += 1
        fails.last = now
        self._recent.append(now)

    def finish(self, attempt: Attempt, ok: bool) -> str | None:
        """Record how the check went; after a right password, the browser's new "known
        browser" token (for its cookie)."""
        if not ok:
            return None
        token = secrets.token_urlsafe(24)
        with self._lock:
            for key in attempt.keys:
                self._fails.pop(key, None)
            if self._recent:
                self._recent.pop()
            if len(self._known) >= MAX_KNOWN_BROWSERS:
                del self._known[min(self._known, key=self._known.__getitem__)]
            self._known[token] = self._clock()
        return token


@dataclass
class Session:
    """One logged-in browser. ``notices``: what the next page shows once (after a form is
    sent, the page it redirects to says what happened)."""

    token: str
    csrf: str
    last_seen: float
    notices: list[tuple[str, str]] = field(default_factory=list)
    #: Which password it logged in with (:meth:`PasswordFile.mark`).
    password_mark: str = ""


class Sessions:
    """Logged-in browsers: the cookie's token -> its CSRF token."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._by_token: dict[str, Session] = {}
        self._lock = threading.Lock()

    def open(self, password_mark: str = "") -> Session:
        session = Session(secrets.token_urlsafe(32), secrets.token_urlsafe(32), self._clock(),
                          password_mark=password_mark)
        with self._lock:
            if len(self._by_token) >= MAX_SESSIONS:
                oldest = min(self._by_token.values(), key=lambda s: s.last_seen)
                del self._by_token[oldest.token]
            self._by_token[session.token] = session
        return session

    def find(self, token: str | None, password_mark: str = "") -> Session | None:
        """The session of ``token``, if it is still open: used within
        :data:`SESSION_IDLE_S` of its last use (each use slides it) and logged in with
        the password that is set now (``password_mark``)."""
        if not token:
            return None
        now = self._clock()
        with self._lock:
            session = self._by_token.get(token)
            if session is None:
                return None
            if (now - session.last_seen > SESSION_IDLE_S
                    or not hmac.compare_digest(session.password_mark, password_mark)):
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
