"""A visitor opens the portal in Chromium, finds the call, downloads its calendar."""

import pytest
from icalendar import Calendar
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_visitor_finds_the_call_and_downloads_its_calendar(
        page, live_server, artifacts, axe_check):
    from tests.factories import CallFactory

    demo = CallFactory(title="Appel de démonstration ouvert")
    page.goto(live_server.url + "/")
    # French by default, although the browser asks for English
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Appels à projets")
    axe_check(page)
    page.screenshot(path=artifacts / "home.png", full_page=True)

    page.get_by_role("link", name=demo.title).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(demo.title)
    current = page.locator('[aria-current="step"]')
    expect(current).to_have_count(1)
    expect(current).to_contain_text("Présélection")
    expect(page.locator(".deadline-banner")).to_contain_text("heure de Paris")
    axe_check(page)
    page.screenshot(path=artifacts / "call.png", full_page=True)

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Ajouter les dates limites à mon agenda (.ics)").click()
    download = download_info.value
    assert download.suggested_filename == f"{demo.slug}.ics"
    cal = Calendar.from_ical(open(download.path(), "rb").read())
    summaries = [str(e["SUMMARY"]) for e in cal.walk("VEVENT")]
    assert any(s.startswith("Date limite") for s in summaries)

    page.goto(live_server.url + "/appels/connaissance-hauts-de-france-2023/")
    expect(page.get_by_text("juin 2023")).to_be_visible()
    axe_check(page)
    page.screenshot(path=artifacts / "call-2023.png", full_page=True)


def test_language_switch_and_static_pages_are_accessible(page, live_server, axe_check):
    page.goto(live_server.url + "/")
    page.get_by_role("button", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Calls for projects")
    page.get_by_role("button", name="Français").click()
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    for path in ("/accessibilite/", "/mentions-legales/", "/compte/login/", "/compte/signup/"):
        page.goto(live_server.url + path)
        expect(page.locator("html")).to_have_attribute("lang", "fr")
        axe_check(page)
