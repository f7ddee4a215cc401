"""The bedside service's memory with the companion page open in a phone's browser.

Runs the real `crampcoach bedside --web` (as its systemd unit does) in a scratch home with
ten years of records (bench/care_history_report.py's journal), then opens the page in
Debian's chromium at 390x844: logs in, visits every page once, starts the cramp rescue
from the Now page and leaves the page open (its status script asks every 2 s) while the
session plays. The service's resident memory (VmRSS) is read from /proc before the page is
opened, with it open, and at its highest (VmHWM).

Target (docs/BRIEF): the bedside service idle under 60 MB resident, 80 MB with the page.
Run: python bench/companion_memory.py [--open-s SECONDS]
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from care_history_report import build

PASSWORD = "bench-password"
RSS_BUDGET_MB = 80.0
PAGES = ["log", "journal", "routines", "routines/cramp-rescue", "settings", ""]


def _rss_mb(pid: int) -> tuple[float, float]:
    fields = dict(line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text()
                  .splitlines() if ":" in line)
    return (int(fields["VmRSS"].split()[0]) / 1024, int(fields["VmHWM"].split()[0]) / 1024)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _wait_for(url: str, timeout_s: float = 60.0) -> None:
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            urllib.request.urlopen(url + "login", timeout=2).read()
            return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--open-s", type=float, default=60.0,
                        help="how long the page stays open while a session plays")
    options = parser.parse_args()
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory(prefix="crampcoach-bench-") as scratch:
        home = Path(scratch)
        env = dict(os.environ, HOME=str(home), XDG_CONFIG_HOME=str(home / "config"),
                   XDG_DATA_HOME=str(home / "data"), XDG_CACHE_HOME=str(home / "cache"),
                   XDG_RUNTIME_DIR=str(home / "run"))
        (home / "run").mkdir(mode=0o700)
        journal = home / "journal.sqlite3"
        records = build(journal)
        settings = home / "config" / "crampcoach" / "config.yaml"
        settings.parent.mkdir(parents=True)
        settings.write_text(f"journal: {journal}\n")
        subprocess.run([sys.executable, "-m", "crampcoach", "bedside", "password"],
                       input=f"{PASSWORD}\n{PASSWORD}\n", text=True, env=env, check=True,
                       capture_output=True)
        port = _free_port()
        url = f"http://127.0.0.1:{port}/"
        errors = (home / "service.err").open("w")
        service = subprocess.Popen(
            [sys.executable, "-m", "crampcoach", "bedside", "--web", "--web-port", str(port)],
            stdout=subprocess.DEVNULL, stderr=errors, env=env)
        try:
            try:
                _wait_for(url)
            except OSError:
                service.kill()
                service.wait(10)
                raise SystemExit("the service did not start: "
                                 + (home / "service.err").read_text()) from None
            time.sleep(5)  # the warm-up: routines loaded, their speech made ahead
            idle, _ = _rss_mb(service.pid)
            args = ["--headless", "--no-sandbox", "--disable-gpu",
                    "--disable-background-networking", "--disable-component-update",
                    "--disable-sync", "--no-first-run"]
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path="/usr/bin/chromium",
                                                     args=args)
                tab = browser.new_context(viewport={"width": 390, "height": 844}).new_page()
                tab.goto(url)
                tab.get_by_label("Password or PIN").fill(PASSWORD)
                tab.get_by_role("button", name="Log in").click()
                for page in PAGES:
                    tab.goto(url + page)
                tab.get_by_role("button", name="Start Cramp rescue").click()
                time.sleep(options.open_s)
                state = tab.locator('[data-field="state"]').inner_text()
                left = tab.locator('[data-field="left"]').inner_text()
                open_now, peak = _rss_mb(service.pid)
                browser.close()
        finally:
            service.terminate()
            service.wait(30)
            errors.close()
    print(f"The bedside service with the companion page, ten years of records "
          f"({records:,} rows):")
    print(f"  before the page is opened: {idle:.1f} MB resident")
    print(f"  after every page and {options.open_s:.0f} s open on Now while a session plays "
          f"(it showed '{state}', '{left}'): {open_now:.1f} MB resident, {peak:.1f} MB at "
          f"most (target under {RSS_BUDGET_MB:.0f} MB): "
          + ("ok" if peak < RSS_BUDGET_MB else "OVER"))


if __name__ == "__main__":
    main()
