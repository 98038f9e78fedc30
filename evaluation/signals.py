"""A new call starts with the default wording of its decision letters (officers edit it)."""

from django.db.models.signals import post_save
from django.dispatch import receiver

from calls.models import Call

from .letter_defaults import create_defaults


@receiver(post_save, sender=Call, dispatch_uid="evaluation-default-letter-templates")
def give_new_calls_letter_templates(sender, instance, created, raw=False, **kwargs):
    if created and not raw:
        from .models import LetterTemplate

        create_defaults(LetterTemplate, instance)
