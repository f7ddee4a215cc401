"""The companion web page: a phone-first page the bedside service serves, for the person
and their carer (start and steer a session, log, read the journal and its report, edit
routines, change the common settings).

* :mod:`~crampcoach.web.app` - the Flask application and its security (login, CSRF,
  origin checks, headers); :mod:`~crampcoach.web.pages` and
  :mod:`~crampcoach.web.care_pages` - the pages.
* :mod:`~crampcoach.web.auth` - the hashed password, sessions, the login rate limit.
* :mod:`~crampcoach.web.server` - serving it (waitress) on a thread of the service.

Flask and waitress are the ``web`` extra (``pip install 'crampcoach[web]'``).
"""
