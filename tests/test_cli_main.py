"""The command as a process: what reaches the terminal when things go wrong outside a command."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest


# Slow: real espeak-ng speaks every built-in into a fresh speech cache.
@pytest.mark.slow
@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
def test_output_to_a_full_disk_is_one_line_not_a_traceback() -> None:
    with open("/dev/full", "w") as full:
        done = subprocess.run([sys.executable, "-m", "crampcoach", "list"], stdout=full,
                              stderr=subprocess.PIPE, text=True, check=False, timeout=60)
    assert done.returncode == 1
    assert done.stderr == "Error: could not write the output: No space left on device\n"
