"""The 2023 « Connaissance Hauts-de-France » call, loaded exactly as its text publishes it.

The incubation start of 14/02/2022 is a typo of the call text; it is kept as published so that
the calendar check flags it to the officers (nothing is silently fixed).
"""

from datetime import date, datetime, time
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.db import migrations

PARIS = ZoneInfo("Europe/Paris")
SLUG = "connaissance-hauts-de-france-2023"


def start(d):
    return datetime.combine(d, time(0, 0), tzinfo=PARIS)


def end(d):
    return datetime.combine(d, time(23, 59, 59, 999999), tzinfo=PARIS)


DESCRIPTION = """
<p><strong>Deffinov</strong> est le quatrième volet du plan de transformation et de la digitalisation de la formation. Il a pour objectif de faciliter l’accès à la formation et de soutenir l’activité de formation dans des tiers-lieux.</p>
<p>Le Conseil régional des Hauts-de-France s’inscrit dans la démarche par l’appel à projets « Connaissance Hauts-de-France ». Cet appel à projets permet de financer des projets portés par des collectifs : acteurs de la formation (organismes de formation), acteurs des tiers-lieux, tous autres acteurs pertinents pour contribuer au projet.</p>
<h3>Une stratégie globale pour répondre aux nouveaux besoins en formation</h3>
<p>« Connaissance Hauts-de-France » s’inscrit dans une stratégie régionale pour répondre aux défis en matière de développement des compétences et de retour à l’emploi, notamment en lien avec le nouveau CPRDFOP, le Programme Régional de Formation (PRF). Il s’articule aussi avec la stratégie d’inclusion numérique et de lutte contre l’illectronisme et/ou de construction de « smart territoires » de la Région.</p>
<p>Financé dans le cadre du Pacte (plan régional d’investissement dans les compétences), il vient par ailleurs renforcer la dynamique de transformation et de modernisation de l’appareil de formation initiée à travers les précédents appels à projets « Modernisons avec les OF » et « Formation innovation ».</p>
<p>Il traduit ainsi une volonté de reconfigurer la formation aussi bien dans son accès sur les territoires que du point de vue de sa production et de sa distribution.</p>
<p>Centré sur les usagers (actifs, demandeurs d’emploi) et leurs usages de la formation, « Connaissance Hauts-de-France » a pour ambition de favoriser l’organisation d’une nouvelle offre de service plus accessible, décloisonnée, comprenant un ensemble de services nécessaires à la construction d’un parcours de formation et d’accompagnement vers l’emploi sur un même territoire.</p>
<h3>Les spécificités de l’appel à projets</h3>
<ul>
<li>Une expérimentation sur 3 ans, portée territorialement.</li>
<li>Un collectif regroupant des acteurs du champ de la formation et de l’emploi comprenant au moins un acteur de la formation ayant déjà fait ses preuves en termes de digitalisation de tout ou partie de son offre, et un acteur des tiers-lieux.</li>
<li>Les acteurs de l’accueil, de l’orientation et de l’insertion mais aussi les acteurs du monde économique peuvent intégrer le collectif afin d’apporter un continuum de service au sein du tiers-lieu et ainsi répondre aux besoins des demandeurs d’emploi et des actifs du territoire.</li>
</ul>
<h3>La Compagnie des tiers-lieux et l’appel à projets</h3>
<p>La Compagnie des tiers-lieux anime le réseau des tiers-lieux en Hauts-de-France. Cette association a pour objectif de promouvoir le développement de lieux partagés, ouverts, accueillants, accessibles qui répondent aux besoins d’un territoire. En partenariat avec la Direction de la formation professionnelle de la Région, elle contribue au déploiement de cet appel à projets sur l’ensemble du territoire régional.</p>
""".strip()

CALL = dict(
    title="Connaissance Hauts-de-France",
    slug=SLUG,
    reference_prefix="CHDF-2023",
    summary=(
        "Appel à projets 2023 de la Région Hauts-de-France (Deffinov, 4e volet du plan de "
        "transformation et de digitalisation de la formation) : financer des collectifs "
        "d’organismes de formation, de tiers-lieux et de partenaires pour rendre la formation "
        "accessible sur les territoires."
    ),
    description=DESCRIPTION,
    region="Hauts-de-France",
    budget_envelope=Decimal("3900000.00"),
    min_projects=10,
    max_projects=12,
    min_award=Decimal("100000.00"),
    max_award=Decimal("400000.00"),
    min_rate=Decimal("70.00"),
    max_rate=Decimal("80.00"),
    excludes_training_costs=True,
    bonus_points=Decimal("10.00"),
    bonus_reading=(
        "Bonification de 10 % pour les projets initiés sur des territoires ayant une faible offre "
        "de formation : lecture retenue, +10 points de pourcentage sur le plafond du taux "
        "(jusqu’à 90 %). Les territoires concernés sont désignés par la Région."
    ),
    project_duration_months=36,
    eligibility_end=date(2026, 6, 30),
    contact_role=(
        "Chargé·e de l’appel à projets, Direction de la formation professionnelle, "
        "Conseil régional des Hauts-de-France"
    ),
    contact_email="Benoit.LEWYLLIE@hautsdefrance.fr",
    status="published",
)

PHASES = [
    dict(kind="publication", starts_at=start(date(2023, 2, 13))),
    dict(kind="preselection", starts_at=start(date(2023, 2, 14)), ends_at=end(date(2023, 3, 15)),
         note="En continu : note d’opportunité, Team Canvas et Business Model Canvas."),
    # As published: "En continu du 14/02/2022 au 14/05/2023" (sic).
    dict(kind="incubation", starts_at=start(date(2022, 2, 14)), ends_at=end(date(2023, 5, 14)),
         note="Selon les besoins, avec la Compagnie des tiers-lieux."),
    dict(kind="dossier_opening", starts_at=start(date(2023, 3, 15)),
         note="Le dossier de candidature est accessible à partir du 15 mars."),
    dict(kind="filing", starts_at=start(date(2023, 2, 14)), ends_at=end(date(2023, 5, 15)),
         note="Dépôt des demandes en continu."),
    dict(kind="selection", starts_at=start(date(2023, 4, 1)), ends_at=end(date(2023, 5, 30)),
         note="Sélection en continu."),
    dict(kind="launch_event", starts_at=start(date(2023, 6, 1)), ends_at=end(date(2023, 6, 30)),
         date_label="juin 2023", note="1 évènement de lancement."),
    dict(kind="launch_followup", starts_at=start(date(2023, 9, 1)),
         ends_at=end(date(2023, 9, 30)), date_label="septembre 2023"),
    dict(kind="eligibility_end", ends_at=end(date(2026, 6, 30)),
         note="Les projets devront être achevés au plus tard à cette date."),
]

AXES = [
    ("Rendre accessible et attractive la formation", ""),
    ("Favoriser les échanges et les projets communs entre acteurs de la formation",
     "Autour de problématiques telles que les enjeux de formation pour le développement "
     "économique du territoire, le repérage des publics, l’émergence de solutions ou d’approches "
     "pédagogiques innovantes, mais aussi en lien avec les grands projets régionaux "
     "(Rev3, Canal Seine-Nord Europe)."),
]

PROGRAMMES = [
    ("Rev3", "La troisième révolution industrielle en Hauts-de-France."),
    ("Canal Seine-Nord Europe", "Grand chantier régional du canal à grand gabarit."),
]


def load(apps, schema_editor):
    Call = apps.get_model("calls", "Call")
    Phase = apps.get_model("calls", "Phase")
    Axis = apps.get_model("calls", "Axis")
    Programme = apps.get_model("calls", "Programme")
    if Call.objects.filter(slug=SLUG).exists():
        return
    call = Call.objects.create(**CALL)
    for fields in PHASES:
        Phase.objects.create(call=call, **fields)
    for number, (title, description) in enumerate(AXES, start=1):
        Axis.objects.create(call=call, number=number, title=title, description=description)
    for name, description in PROGRAMMES:
        Programme.objects.create(call=call, name=name, description=description)


def unload(apps, schema_editor):
    apps.get_model("calls", "Call").objects.filter(slug=SLUG).delete()


class Migration(migrations.Migration):
    dependencies = [("calls", "0001_initial")]
    operations = [migrations.RunPython(load, unload)]
