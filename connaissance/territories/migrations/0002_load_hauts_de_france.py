"""Load the Hauts-de-France reference data (fixtures/hauts-de-france.json, see SOURCE.md)."""

import json
import re
import unicodedata
from pathlib import Path

from django.db import migrations

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "hauts-de-france.json"

# A copy of territories.services.normalise (migrations never import app code): keep them equal.
_LIGATURES = str.maketrans({"œ": "oe", "Œ": "oe", "æ": "ae", "Æ": "ae", "ß": "ss"})
_NOT_ALNUM = re.compile(r"[^a-z0-9]+")


def normalise(text):
    text = unicodedata.normalize("NFKD", str(text or "").translate(_LIGATURES))
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).lower()
    return _NOT_ALNUM.sub(" ", text).strip()


def load(apps, schema_editor):
    Departement = apps.get_model("territories", "Departement")
    Epci = apps.get_model("territories", "Epci")
    Commune = apps.get_model("territories", "Commune")
    data = json.loads(FIXTURE.read_text(encoding="utf-8"))

    Departement.objects.bulk_create(
        [Departement(code=code, name=name) for code, name in data["departements"]]
    )
    epcis, communes = [], []

    def add_communes(rows, epci_code):
        for code, name, postcodes, population in rows:
            communes.append(Commune(code=code, name=name, search_name=normalise(name),
                                    postcodes=postcodes, departement_id=code[:2],
                                    epci_id=epci_code, population=population))

    for code, name, kind, members in data["epci"]:
        epcis.append(Epci(code=code, name=name, kind=kind))
        add_communes(members, code)
    add_communes(data["communes_without_epci"], None)
    Epci.objects.bulk_create(epcis)
    Commune.objects.bulk_create(communes, batch_size=1000)


def unload(apps, schema_editor):
    for model in ("Commune", "Epci", "Departement"):
        apps.get_model("territories", model).objects.all().delete()


class Migration(migrations.Migration):

    dependencies = [
        ("territories", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(load, unload, elidable=False),
    ]
