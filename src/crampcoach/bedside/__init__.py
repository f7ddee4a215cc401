"""The bedside service: a resident process that starts and steers sessions hands-free.

* :mod:`~crampcoach.bedside.service` - the service: warm player, one session at a time,
  every control answered aloud.
* :mod:`~crampcoach.bedside.control` - the control socket and its line-based JSON
  protocol, and the client the ``crampcoach bedside ...`` commands use.
* :mod:`~crampcoach.bedside.unit` - the systemd user unit.

Its inputs are :mod:`crampcoach.inputs`' own: the GPIO button (opened once and lent to
each session) and keypads or presenter remotes (:mod:`crampcoach.inputs.keypad`).
"""
