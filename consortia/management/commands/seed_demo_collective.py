from django.core.management.base import BaseCommand, CommandError

from calls.demo import DEMO_SLUG
from consortia.demo import PARTNER_EMAIL, create_demo_collective


class Command(BaseCommand):
    help = "Create demo organisations and a collective for the demo call (demo only)."

    def handle(self, *args, **options):
        from django.conf import settings

        if not settings.DEBUG:
            raise CommandError("Refused: demo data is only created with DEBUG on.")
        collective = create_demo_collective(call_slug=DEMO_SLUG)
        if collective is None:
            self.stdout.write("Collectif de démonstration : déjà présent.")
        else:
            self.stdout.write(f"Collectif de démonstration : « {collective} » ; invitation "
                              f"en attente pour {PARTNER_EMAIL} (même mot de passe).")
