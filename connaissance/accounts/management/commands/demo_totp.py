from allauth.mfa.models import Authenticator
from allauth.mfa.utils import decrypt
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from connaissance.accounts.demo import current_code


class Command(BaseCommand):
    help = "Print the current TOTP code of an account (demo and development only)."

    def add_arguments(self, parser):
        parser.add_argument("email")

    def handle(self, *args, email, **options):
        from django.conf import settings

        if not settings.DEBUG:
            raise CommandError("Refused: this command only runs with DEBUG on (demo).")
        user = get_user_model().objects.filter(email__iexact=email).first()
        authenticator = user and Authenticator.objects.filter(
            user=user, type=Authenticator.Type.TOTP).first()
        if authenticator is None:
            raise CommandError(f"No TOTP authenticator for {email}.")
        self.stdout.write(current_code(decrypt(authenticator.data["secret"])))
