"""The default scoring grid of the 2023 « Connaissance Hauts-de-France » call, drawn from its
text (officers may change it in the admin until the first score is given).

Six criteria, each scored from 0 to 5 (0 absent, 1 very weak, 2 weak, 3 fair, 4 good,
5 excellent; two decimals allowed). Weights add up to 100: fit with the axes 20, strength of
the collective 20, territory and publics 15, pedagogical innovation 15, budget and
co-financing 15, durability 15. Only pedagogical innovation may be marked not applicable (a
project on axis 1 alone need not claim it); it is then left out of the mark.
"""

from decimal import Decimal

from django.db import migrations

SLUG = "connaissance-hauts-de-france-2023"
SCALE = "Note de 0 à 5 : 0 absent, 1 très insuffisant, 2 insuffisant, 3 correct, 4 bon, 5 excellent."
CRITERIA = [
    ("Adéquation aux axes d’intervention de l’appel",
     "Le projet répond à l’un des deux axes ou aux deux : rendre accessible et attractive la "
     "formation ; favoriser les échanges et les projets communs entre acteurs de la formation "
     "(développement économique du territoire, repérage des publics, approches pédagogiques "
     "innovantes, liens avec les grands projets régionaux Rev3 et Canal Seine-Nord Europe).",
     Decimal("20"), False),
    ("Solidité du collectif",
     "Un organisme de formation ayant fait ses preuves en matière de digitalisation de tout "
     "ou partie de son offre et un acteur des tiers-lieux ; ancrage du projet dans le "
     "tiers-lieu ; rôle et engagement confirmé de chaque partenaire, gouvernance ; continuum "
     "de services avec les acteurs de l’accueil, de l’orientation, de l’insertion et du monde "
     "économique.",
     Decimal("20"), False),
    ("Territoire et publics touchés",
     "Ancrage territorial et besoins du territoire (notamment une faible offre de formation) ; "
     "publics visés (demandeurs d’emploi, actifs), volumes attendus, repérage et "
     "accessibilité (horaires, mobilité, accompagnement).",
     Decimal("15"), False),
    ("Innovation pédagogique",
     "Approches pédagogiques innovantes, formation hybride ou à distance, usage du numérique "
     "au service des apprenants, lutte contre l’illectronisme. Non applicable pour un projet "
     "qui ne porte que sur l’accessibilité de l’offre existante.",
     Decimal("15"), True),
    ("Solidité du budget et cofinancements",
     "Réalisme et cohérence du budget au regard du plan d’action ; taux d’intervention "
     "demandé (70 à 80 % hors frais de formation, bonification éventuelle) ; part et "
     "sécurisation des cofinancements et des fonds propres.",
     Decimal("15"), False),
    ("Pérennité au-delà des trois ans",
     "Modèle économique après les trois ans d’expérimentation (Business Model Canvas), "
     "maintien de l’offre et des partenariats, essaimage possible sur d’autres territoires.",
     Decimal("15"), False),
]


def load(apps, schema_editor):
    Call = apps.get_model("calls", "Call")
    Criterion = apps.get_model("evaluation", "Criterion")
    call = Call.objects.filter(slug=SLUG).first()
    if call is None or Criterion.objects.filter(call=call).exists():
        return
    for position, (label, description, weight, allows_na) in enumerate(CRITERIA, start=1):
        Criterion.objects.create(
            call=call, position=position, label=label, description=f"{description}\n{SCALE}",
            weight=weight, max_score=Decimal("5"), allows_not_applicable=allows_na)


def unload(apps, schema_editor):
    apps.get_model("evaluation", "Criterion").objects.filter(call__slug=SLUG).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("evaluation", "0001_initial"),
        ("calls", "0005_required_documents_2023"),
    ]
    operations = [migrations.RunPython(load, unload)]
