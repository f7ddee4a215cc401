"""The package stands on its own: a wheel built from the source distribution, installed in a
clean virtual environment outside the checkout, runs the everyday commands; the source
distribution carries what its tests need."""

from __future__ import annotations

import os
import subprocess
import sys
import tarfile
import venv
from pathlib import Path

import pytest

ROOT = Path(__file__).parent.parent

pytestmark = pytest.mark.slow

TINY = """\
name: Tiny
steps:
  - say: Breathe out slowly.
  - rest: 1s
"""


def _hook(name: str, source: Path, out: Path) -> Path:
    """Call the project's PEP 517 build hook in ``source``; the file it wrote."""
    code = (
        "import sys\nfrom setuptools import build_meta as b\n"
        f"print(b.{name}(sys.argv[1]))"
    )
    done = subprocess.run([sys.executable, "-c", code, str(out)], cwd=source, check=True,
                          capture_output=True, text=True, timeout=300)
    return out / done.stdout.strip().splitlines()[-1]


@pytest.fixture(scope="module")
def sdist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    archive = _hook("build_sdist", ROOT, out)
    with tarfile.open(archive) as tar:
        tar.extractall(out, filter="data")
    return out / archive.name.removesuffix(".tar.gz")


def test_the_sdist_carries_the_tests_and_their_data(sdist: Path) -> None:
    for needed in ("tests/conftest.py", "tests/data/routines", "requirements-run.txt",
                   "docs/routine-format.md", "Makefile", "MANIFEST.in"):
        assert (sdist / needed).exists(), needed
    # Its own tests run from it against its own source, not the checkout's.
    env = {**os.environ, "PYTHONPATH": str(sdist / "src")}
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
         "tests/test_routines_bad_input.py", "tests/test_cli_show_and_help.py"],
        cwd=sdist, env=env, capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stdout[-2000:]
    assert " passed" in done.stdout.splitlines()[-1]


def test_a_wheel_from_the_sdist_runs_outside_the_checkout(sdist: Path, tmp_path: Path) -> None:
    wheel = _hook("build_wheel", sdist, tmp_path)
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=True)
    python = env_dir / "bin" / "python"
    pip = [str(python), "-m", "pip", "install", "-q", "--require-hashes", "--no-deps"]
    subprocess.run([*pip, "-r", str(ROOT / "requirements-build.txt")], check=True,
                   timeout=600)
    subprocess.run([*pip, "--no-build-isolation", "-r", str(ROOT / "requirements-run.txt")],
                   check=True, timeout=600)
    subprocess.run([str(python), "-m", "pip", "install", "-q", "--no-deps", str(wheel)],
                   check=True, timeout=300)

    work = tmp_path / "elsewhere"
    work.mkdir()
    (work / "tiny.yaml").write_text(TINY)
    home = tmp_path / "home"
    env = {"PATH": os.environ["PATH"], "HOME": str(home), "LANG": "C.UTF-8",
           "CRAMPCOACH_JOURNAL": str(work / "journal.sqlite3")}
    command = str(env_dir / "bin" / "crampcoach")

    def run(*args: str) -> str:
        done = subprocess.run([command, *args], cwd=work, env=env, capture_output=True,
                              text=True, timeout=300, stdin=subprocess.DEVNULL, check=False)
        assert done.returncode == 0, (args, done.stdout, done.stderr)
        return done.stdout

    assert "evening-calf-relief" in run("list")
    assert "Calf stretch" in run("plan", "evening-calf-relief")
    run("render", "tiny.yaml", "-o", "tiny.wav")
    assert (work / "tiny.wav").read_bytes()[:4] == b"RIFF"
    assert "Breathe out slowly." in run("play", "tiny.yaml", "--text-only", "--rating", "3")
    assert "Tiny: finished all 2 steps, rating 3 after" in run("history")
    assert "\nname: Box breathing" in run("show", "box-breathing")
    assert "sqlite3 recovered.sqlite3" in run("help", "damaged-journal")
    installed = subprocess.run(
        [str(python), "-c", "import crampcoach; print(crampcoach.__file__)"], cwd=work,
        capture_output=True, text=True, check=True, timeout=60).stdout
    assert str(env_dir) in installed
