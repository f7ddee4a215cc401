"""Everything a person steers a session with, each behind what the player knows of it.

* :mod:`.keys` - the one key table: key names, how the terminal and the Linux input
  layer spell them, the default keys and what each action does.
* :mod:`.protocol` - what the player sees: :class:`~.protocol.ButtonInput`,
  :class:`~.protocol.RatingSource`, :class:`~.protocol.HandsFree` and
  :class:`~.protocol.HandsFreeUnavailable`. The player imports only this and the key table.
* :mod:`.hands_free` - opens the hands-free inputs the settings ask for.
* :mod:`.terminal` - keys from a terminal (or a pipe), without Enter.
* :mod:`.button` - one push button on a Raspberry Pi's GPIO.
* :mod:`.keypad` - a USB keypad or presenter remote, read through the Linux input layer.
* :mod:`.spoken` - the rating said aloud, recognized offline.

Imports go one way: every input imports :mod:`.keys` and :mod:`.protocol`, nothing here
imports the player's modules (the clock's key names are this package's).
"""
