"""Serving the companion page as the bedside service does: where it may listen, a real
HTTP answer, and the report made by the report command in a child process."""

from __future__ import annotations

import subprocess
import urllib.request
from datetime import UTC, datetime

import pytest

from crampcoach import locations
from crampcoach.errors import WebError
from crampcoach.journal.store import Journal
from crampcoach.web.auth import PasswordFile
from crampcoach.web.server import report_maker, start_page
from support.web import logged_in, make_page, notices


def _idle(command: str, routine: str | None) -> dict[str, object]:
    return {"ok": True, "message": "", "status": {"state": "idle"}}


def test_the_home_network_is_refused_without_a_password() -> None:
    with pytest.raises(WebError) as caught:
        start_page(_idle, host="0.0.0.0", port=0)
    assert str(caught.value) == ("the companion page listens on 0.0.0.0 (the home network) "
                                 "only with a password: set one with 'crampcoach bedside "
                                 "password'")


def test_the_page_is_served_over_http_on_the_loopback_address() -> None:
    PasswordFile(locations.web_password_path()).set("calm-blue-sea")
    page = start_page(_idle, port=0)
    try:
        assert page.url.startswith("http://127.0.0.1:")
        with urllib.request.urlopen(page.url + "login", timeout=10) as response:
            html = response.read().decode()
            assert response.headers["X-Frame-Options"] == "DENY"
        assert "<h1>Log in</h1>" in html
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(page.url + "status.json", timeout=10)
        assert refused.value.code == 401
        refused.value.close()
    finally:
        page.close()


@pytest.mark.slow
def test_the_report_pdf_is_made_by_the_report_command() -> None:
    with Journal.open(locations.journal_path(),
                      clock=lambda: datetime.now(UTC)) as journal:
        journal.add_rating(6)
        journal.add_episode(kind="cramp", body_part="calf", duration_s=120, severity=6)
    page = make_page(report=report_maker(None))
    client, _ = logged_in(page)
    response = client.get("/journal/report.pdf?days=30")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"].startswith(
        'attachment; filename="crampcoach-report-')
    text = subprocess.run(["pdftotext", "-", "-"], input=response.data, capture_output=True,
                          check=True).stdout.decode()
    assert "cramp" in text.lower()
    client.get("/journal/report.pdf?days=7000")
    assert notices(client.get("/journal").get_data(as_text=True)) == [
        "Not done: choose one of 30, 90, 180, 365 days"]
