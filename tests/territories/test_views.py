"""The JSON suggestions endpoint, the widget's media, and the read-only admin."""

from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.urls import reverse

from connaissance.territories.forms import CommuneField, CommuneWidget
from tests.factories import officer

pytestmark = pytest.mark.django_db

URLS = "tests.territories.urls"


@pytest.mark.urls(URLS)
def test_commune_search_endpoint(client, django_assert_max_num_queries):
    url = reverse("territories:commune_search")
    with django_assert_max_num_queries(1):
        response = client.get(url, {"q": "ascq"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    cache_control = {part.strip() for part in response["Cache-Control"].split(",")}
    assert {"public", "max-age=86400"} <= cache_control
    data = response.json()
    assert data[0] == {"code": "59009", "label": "Villeneuve-d'Ascq (59491)",
                       "departement": "Nord", "epci": "Métropole Européenne de Lille"}


@pytest.mark.urls(URLS)
def test_commune_search_endpoint_limits_and_empty(client):
    url = reverse("territories:commune_search")
    assert len(client.get(url, {"q": "saint"}).json()) == 20
    assert client.get(url, {"q": "80000"}).json()[0]["label"] == "Amiens (80000)"
    assert client.get(url).json() == []
    assert client.get(url, {"q": "x" * 5000}).json() == []
    assert client.post(url, {"q": "lille"}).status_code == 405


@pytest.mark.urls(URLS)
def test_widget_points_the_script_at_the_endpoint():
    html = CommuneField().widget.render("commune", None, attrs={"id": "id_commune"})
    assert f'data-commune-search="{reverse("territories:commune_search")}"' in html
    assert "data-msg-many=" in html and "data-commune-status" in html


def test_widget_works_without_the_endpoint_routed(settings):
    settings.ROOT_URLCONF = "connaissance.urls"
    html = CommuneField().widget.render("commune", None, attrs={"id": "id_commune"})
    assert 'type="text" name="commune"' in html


def test_script_exists_and_is_in_the_widget_media():
    assert "js/commune-search.js" in str(CommuneWidget().media)
    path = finders.find("js/commune-search.js")
    assert path and Path(path).is_relative_to(Path(settings.BASE_DIR) / "static")
    script = Path(path).read_text(encoding="utf-8")
    for needle in ['"combobox"', '"aria-autocomplete", "list"', '"aria-expanded"',
                   '"listbox"', '"option"', "aria-activedescendant", "ArrowDown", "ArrowUp",
                   "Enter", "Escape", "data-commune-search"]:
        assert needle in script, needle
    # Strict CSP: no inline code or style attribute is built by the script.
    assert "innerHTML" not in script and "setAttribute(\"style\"" not in script


def test_no_inline_script_or_style_in_the_widget_template():
    html = CommuneField().widget.render("commune", "dury", attrs={"id": "id_commune"})
    assert "<script" not in html and "style=" not in html and " on" not in html.replace(
        " one", "")


@pytest.fixture
def admin_client(client):
    client.force_login(officer(is_superuser=True))
    return client


@pytest.mark.parametrize("model", ["departement", "epci", "commune"])
def test_admin_lists_are_read_only(admin_client, model, django_assert_max_num_queries):
    with django_assert_max_num_queries(20):
        response = admin_client.get(f"/admin/territories/{model}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert f"/admin/territories/{model}/add/" not in html
    assert admin_client.get(f"/admin/territories/{model}/add/").status_code == 403


def test_admin_commune_search_and_filters(admin_client):
    html = admin_client.get("/admin/territories/commune/", {"q": "Bethune"}).content.decode()
    assert "Béthune" in html
    html = admin_client.get("/admin/territories/commune/", {"q": "59000"}).content.decode()
    assert "Lille" in html
    html = admin_client.get("/admin/territories/commune/", {"q": "80021"}).content.decode()
    assert "Amiens" in html
    html = admin_client.get("/admin/territories/commune/",
                            {"departement__code__exact": "80", "epci__kind__exact": "CA",
                             "q": "dury"}).content.decode()
    assert "80261" in html and "62280" not in html
    html = admin_client.get("/admin/territories/epci/", {"departement": "59",
                                                         "kind__exact": "METRO"}).content.decode()
    assert "Métropole Européenne de Lille" in html


def test_admin_commune_page_is_view_only(admin_client):
    response = admin_client.get("/admin/territories/commune/80021/change/")
    assert response.status_code == 200
    assert 'name="_save"' not in response.content.decode()
