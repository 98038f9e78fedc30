"""The documents a full dossier of the 2023 call attaches (officers may change the list)."""

from django.db import migrations

SLUG = "connaissance-hauts-de-france-2023"
DOCUMENTS = [
    ("Statuts de la structure chef de file", "Statuts à jour, datés et signés.", True),
    ("Relevé d’identité bancaire (RIB) du chef de file", "", True),
    ("Derniers comptes approuvés du chef de file", "Bilan et compte de résultat.", True),
    ("Lettres d’engagement des partenaires", "Une par partenaire, signée (aussi déposées "
     "dans la section « Collectif »).", False),
    ("Attestation Qualiopi de l’organisme de formation", "", False),
]


def load(apps, schema_editor):
    Call = apps.get_model("calls", "Call")
    RequiredDocument = apps.get_model("calls", "RequiredDocument")
    call = Call.objects.filter(slug=SLUG).first()
    if call is None or RequiredDocument.objects.filter(call=call).exists():
        return
    for position, (label, description, mandatory) in enumerate(DOCUMENTS):
        RequiredDocument.objects.create(call=call, position=position, label=label,
                                        description=description, mandatory=mandatory)


def unload(apps, schema_editor):
    apps.get_model("calls", "RequiredDocument").objects.filter(call__slug=SLUG).delete()


class Migration(migrations.Migration):
    dependencies = [("calls", "0004_requireddocument")]
    operations = [migrations.RunPython(load, unload)]
