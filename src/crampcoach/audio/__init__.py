"""Sound: speech synthesis (cached), tones, mixing, playback through ALSA, rendering."""
