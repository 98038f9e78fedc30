"""The partner directory: organisations that opted in, found by kind and territory; contact
goes through the portal."""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from connaissance.audit.services import record

from ..errors import ConsortiaError
from ..models import DirectoryMessage, Membership, Organisation
from . import notify

# An identical message to the same organisation within this delay is a double submission.
DUPLICATE_WINDOW = timedelta(minutes=10)


def directory(*, kind=None, departement=None, epci=None):
    listed = Organisation.objects.filter(in_directory=True).select_related(
        "commune__departement", "commune__epci")
    if kind:
        listed = listed.filter(kind=kind)
    if departement:
        listed = listed.filter(commune__departement=departement)
    if epci:
        listed = listed.filter(commune__epci=epci)
    return listed.order_by("legal_name")


@transaction.atomic
def send_directory_message(*, user, sender_organisation, recipient, subject, body):
    # The row lock serialises two submissions of the same form and reads `in_directory` as it
    # is now, not as it was when the page was displayed.
    recipient = Organisation.objects.select_for_update().get(pk=recipient.pk)
    if not recipient.in_directory:
        raise ConsortiaError(_("This organisation is no longer in the directory."))
    if not Membership.objects.filter(user=user, organisation=sender_organisation).exists():
        raise ConsortiaError(_("You can only write on behalf of your own organisations."))
    if sender_organisation.pk == recipient.pk:
        raise ConsortiaError(_("You cannot write to your own organisation."))
    if DirectoryMessage.objects.filter(
            sender=user, sender_organisation=sender_organisation, recipient=recipient,
            subject=subject, body=body,
            created_at__gte=timezone.now() - DUPLICATE_WINDOW).exists():
        raise ConsortiaError(_("This message has already been sent to %(org)s; it was not "
                               "sent a second time.") % {"org": recipient})
    message = DirectoryMessage.objects.create(
        sender=user, sender_organisation=sender_organisation, recipient=recipient,
        subject=subject, body=body)
    record(actor=user, obj=recipient, action="directory.message",
           data={"from": sender_organisation.pk, "message": message.pk})
    notify.send(to=notify.admin_emails(recipient), template="directory_message",
                context={"message": message, "sender": user,
                         "sender_organisation": sender_organisation, "recipient": recipient},
                cause="consortia:directory_message")
    return message


@transaction.atomic
def leave_directory(*, user, organisation):
    """Take the organisation out of the directory (at any time; doing it twice changes
    nothing)."""
    locked = Organisation.objects.select_for_update().get(pk=organisation.pk)
    if not locked.in_directory:
        organisation.in_directory = False
        return organisation
    organisation.in_directory = False
    organisation.save(update_fields=["in_directory"])
    record(actor=user, obj=organisation, action="directory.left")
    return organisation
