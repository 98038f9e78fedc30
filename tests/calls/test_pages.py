"""Public pages of calls: French by default, English on request, bounded queries, 404s."""

import io
import re
from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from icalendar import Calendar
from pypdf import PdfReader

from calls.models import CallStatus
from tests.factories import CallFactory, UserFactory, officer

pytestmark = pytest.mark.django_db
NNBSP, NBSP = "\u202f", "\u00a0"


def test_home_is_french_by_default_even_for_an_english_browser(client, call_2023):
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    html = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="fr">' in html
    assert "Appels à projets" in html
    assert call_2023.title in html


def test_language_switch_to_english_and_back(client, call_2023):
    response = client.post("/langue/", {"language": "en", "next": "/"}, follow=True)
    html = response.content.decode()
    assert '<html lang="en">' in html
    assert "Calls for projects" in html
    response = client.post("/langue/", {"language": "fr", "next": "/"}, follow=True)
    assert '<html lang="fr">' in response.content.decode()


def test_home_groups_calls_by_stage(client, call_2023):
    open_call = CallFactory(title="Appel ouvert maintenant")
    draft = CallFactory(title="Appel en brouillon", status=CallStatus.DRAFT)
    html = client.get("/").content.decode()
    open_section = html.split('id="ouverts"')[1].split('id="a-venir"')[0]
    closed_section = html.split('id="clos"')[1]
    assert open_call.title in open_section
    assert call_2023.title in closed_section
    assert draft.title not in html


def test_call_page_shows_the_key_figures_and_rules(client, call_2023):
    html = client.get(f"/appels/{call_2023.slug}/").content.decode()
    assert f"3{NNBSP}900{NNBSP}000{NBSP}€" in html
    assert "10 à 12 projets" in html
    assert f"100{NNBSP}000{NBSP}€" in html and f"400{NNBSP}000{NBSP}€" in html
    assert f"70{NBSP}%" in html and f"80{NBSP}%" in html
    assert "hors frais de formation" in html
    assert f"90{NBSP}%" in html  # the ceiling with the bonus reading
    assert "+10 points de pourcentage" in html  # the reading adopted, from the call's data
    assert "tiers-lieu" in html and "organisme de formation" in html
    assert call_2023.contact_email in html
    assert "juin 2023" in html
    assert "calendrier.ics" in html
    # the call is closed: no phase is highlighted as current
    assert 'aria-current="step"' not in html


def test_call_page_highlights_the_current_phase_and_time_left(client):
    call = CallFactory()
    html = client.get(f"/appels/{call.slug}/").content.decode()
    current = re.findall(r'<li class="timeline-step timeline-current" aria-current="step">', html)
    assert len(current) == 1
    assert "restant" in html or "reste" in html or "jours" in html


def test_rich_description_is_sanitised(client):
    call = CallFactory(
        description='<p>Texte</p><script>alert(1)</script><a href="javascript:x">l</a>')
    html = client.get(f"/appels/{call.slug}/").content.decode()
    assert "<p>Texte</p>" in html
    assert "alert(1)" not in html and "javascript:" not in html


def test_draft_call_is_a_404_for_the_public_and_visible_to_officers(client):
    draft = CallFactory(status=CallStatus.DRAFT)
    url = f"/appels/{draft.slug}/"
    assert client.get(url).status_code == 404
    client.force_login(UserFactory())
    assert client.get(url).status_code == 404
    assert client.get(url + "calendrier.ics").status_code == 404
    client.force_login(officer())
    assert client.get(url).status_code == 200


def test_officers_see_calendar_warnings_on_the_page_and_the_public_does_not(client, call_2023):
    url = f"/appels/{call_2023.slug}/"
    assert 'id="avertissements"' not in client.get(url).content.decode()
    client.force_login(officer())
    html = client.get(url).content.decode()
    warnings = html.split('id="avertissements"')[1].split("</section>")[0]
    assert "14 février 2022" in warnings


def test_ics_calendar_in_paris_time(client, call_2023):
    response = client.get(f"/appels/{call_2023.slug}/calendrier.ics")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    assert "attachment" in response["Content-Disposition"]
    cal = Calendar.from_ical(response.content)
    assert any(c.name == "VTIMEZONE" and str(c["TZID"]) == "Europe/Paris" for c in cal.walk())
    events = {str(e["UID"]): e for e in cal.walk("VEVENT")}
    deadline = events[f"{call_2023.slug}-filing-deadline@127.0.0.1:8000"]
    end = deadline.decoded("DTEND")
    assert end.tzinfo.key == "Europe/Paris"
    assert (end.date(), end.hour, end.minute) == (date(2023, 5, 15), 23, 59)
    assert "VALARM" in [c.name for c in deadline.subcomponents]
    assert len(cal.walk("VEVENT")) == 9 + 2  # one per phase + the two deadlines
    assert b"TZID=Europe/Paris" in response.content


def test_calendar_pdf_is_one_page_in_french(client, call_2023):
    response = client.get(f"/appels/{call_2023.slug}/calendrier.pdf")
    assert response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    assert len(reader.pages) == 1
    text = reader.pages[0].extract_text()
    assert "Connaissance Hauts-de-France" in text
    assert "février" in text and "juin 2023" in text
    assert "3 900 000,00 €" in text.replace(NNBSP, " ").replace(NBSP, " ")


def _count(client, url):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_home_query_count_does_not_grow_with_calls(client, call_2023):
    one = _count(client, "/")
    CallFactory.create_batch(6)
    assert _count(client, "/") == one


def test_call_page_query_count_is_bounded(client, call_2023):
    assert _count(client, f"/appels/{call_2023.slug}/") <= 6


def test_accessibility_and_legal_pages(client):
    a11y = client.get("/accessibilite/").content.decode()
    legal = client.get("/mentions-legales/").content.decode()
    assert "Déclaration d’accessibilité" in a11y and "partiellement conforme" in a11y
    assert "Mentions légales" in legal


def test_time_left_is_shown_in_french(client):
    call = CallFactory()
    html = client.get(f"/appels/{call.slug}/").content.decode()
    banner = html.split('class="deadline-banner')[1].split("</p>")[0]
    assert "Présélection" in banner
    assert "à 23 h 59, heure de Paris" in banner
    assert re.search(r"\d+ jours et \d+ heures?", banner) or re.search(r"\d+ jours", banner)
