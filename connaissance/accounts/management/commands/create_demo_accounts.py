from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from connaissance.accounts.demo import DEMO_PASSWORD, create_demo_accounts


class Command(BaseCommand):
    help = "Create (or reset) one demo account per role, with known passwords and TOTP secrets."

    def handle(self, *args, **options):
        # The password and the staff TOTP secrets are public (README): on a production
        # database these accounts would open the admin to anyone.
        if not settings.DEBUG:
            raise CommandError("Refused: this command only runs with DEBUG on (demo).")
        translation.activate("fr")
        self.stdout.write(f"Comptes de démonstration (mot de passe commun : {DEMO_PASSWORD})")
        for account, _user in create_demo_accounts():
            line = f"  {account.role.label:<40} {account.email}"
            if account.totp_secret:
                line += f"  (TOTP : make totp EMAIL={account.email})"
            self.stdout.write(line)
