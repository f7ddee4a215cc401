"""Routines: loading and validating YAML, the built-in library, and the compiler."""
