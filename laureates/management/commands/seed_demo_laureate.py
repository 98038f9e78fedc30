from django.core.management.base import BaseCommand, CommandError

from calls.demo import DEMO_SLUG
from connaissance.formatting import money
from laureates.demo import LAUREATE_EMAIL, PARTNER_EMAIL, create_demo_laureate


class Command(BaseCommand):
    help = "Take a second demo collective through to an announced, followed project (demo only)."

    def handle(self, *args, **options):
        from django.conf import settings

        if not settings.DEBUG:
            raise CommandError("Refused: demo data is only created with DEBUG on.")
        project = create_demo_laureate(call_slug=DEMO_SLUG)
        if project is None:
            self.stdout.write("Lauréat de démonstration : déjà présent.")
        else:
            self.stdout.write(f"Lauréat de démonstration : « {project.collective} » "
                              f"({LAUREATE_EMAIL}, partenaire {PARTNER_EMAIL}, même mot de "
                              f"passe), subvention de {money(project.awarded_amount)}.")
