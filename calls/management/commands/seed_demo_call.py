from django.core.management.base import BaseCommand

from calls.demo import create_demo_call


class Command(BaseCommand):
    help = "Create (or recreate) the demo call, its phases placed around today."

    def handle(self, *args, **options):
        call = create_demo_call()
        self.stdout.write(f"Appel de démonstration : /appels/{call.slug}/")
