"""crampcoach: a voice-guided routine player for people with MS who live with muscle cramps."""

__version__ = "0.1.0"
