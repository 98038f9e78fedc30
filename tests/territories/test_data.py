"""The Hauts-de-France reference data loaded by migration 0002."""

import json
import time
from importlib import import_module
from pathlib import Path

import pytest
from django.apps import apps

from connaissance.territories import services
from connaissance.territories.models import Commune, Departement, Epci

pytestmark = pytest.mark.django_db

FIXTURES = Path(services.__file__).resolve().parent / "fixtures"
migration = import_module("connaissance.territories.migrations.0002_load_hauts_de_france")


def test_counts():
    assert Departement.objects.count() == 5
    assert Epci.objects.count() == 92
    assert Commune.objects.count() == 3782
    assert set(Departement.objects.values_list("code", flat=True)) == {"02", "59", "60", "62",
                                                                     "80"}
    assert not Commune.objects.filter(epci=None).exists()
    assert set(Epci.objects.values_list("kind", flat=True)) == {"CC", "CA", "CU", "METRO"}


def test_known_communes():
    lille = Commune.objects.select_related("departement", "epci").get(code="59350")
    assert lille.name == "Lille"
    assert lille.departement.code == "59" and lille.departement.name == "Nord"
    assert lille.epci.name == "Métropole Européenne de Lille"
    assert lille.epci.kind == "METRO"
    assert "59000" in lille.postcodes
    assert lille.population > 200_000
    amiens = Commune.objects.get(name="Amiens")
    assert amiens.code == "80021" and amiens.departement_id == "80"
    assert str(amiens) == "Amiens (80000)"
    assert Commune.objects.get(code="59009").search_name == "villeneuve d ascq"
    assert Commune.objects.get(name="Marcq-en-Barœul").search_name == "marcq en baroeul"


def test_search_names_are_normalised():
    for name, search_name in Commune.objects.values_list("name", "search_name"):
        assert search_name == services.normalise(name)
        assert search_name.isascii() and search_name == search_name.lower()
        assert "-" not in search_name and "'" not in search_name


def test_migration_copy_of_normalise_is_identical():
    for text in ["Villeneuve-d'Ascq", "ÉTRŒUNGT", "Saint-Léger-lès-Domart", "  Œuilly  ",
                 "Crèvecœur-sur-l’Escaut", "L'Haÿ", "", None]:
        assert migration.normalise(text) == services.normalise(text)


def test_reversible_and_fast():
    migration.unload(apps, None)
    assert not Commune.objects.exists() and not Epci.objects.exists()
    assert not Departement.objects.exists()
    started = time.monotonic()
    migration.load(apps, None)
    assert time.monotonic() - started < 3
    assert Commune.objects.count() == 3782


def test_fixture_is_compact_and_documented():
    raw = (FIXTURES / "hauts-de-france.json").read_text(encoding="utf-8")
    assert "\n" not in raw.rstrip("\n") and ", " not in raw[:500]
    data = json.loads(raw)
    assert data["source"].startswith("@etalab/decoupage-administratif@6.0.0")
    source = (FIXTURES / "SOURCE.md").read_text(encoding="utf-8")
    assert "6.0.0" in source and "Licence Ouverte" in source and "build_fixture.py" in source
