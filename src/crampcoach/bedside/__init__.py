"""The bedside service: a resident process that starts and steers sessions hands-free.

* :mod:`~crampcoach.bedside.service` - the service: warm player, one session at a time,
  every control answered aloud.
* :mod:`~crampcoach.bedside.control` - the control socket and its line-based JSON
  protocol, and the client the ``crampcoach bedside ...`` commands use.
* :mod:`~crampcoach.bedside.keypad` - a USB keypad or presenter remote (python-evdev).
* :mod:`~crampcoach.bedside.unit` - the systemd user unit.

The GPIO button is :mod:`crampcoach.player.button`'s, opened once and lent to each session.
"""
