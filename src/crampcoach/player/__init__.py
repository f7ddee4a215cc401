"""Runs a timeline in real time: deadlines on a monotonic clock, controls, the rating."""
