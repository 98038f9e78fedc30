"""E-mails of the consortia use cases, all through the portal's outbox."""

from django.conf import settings
from django.urls import reverse

from connaissance.mail.services import queue_templated_mail

from ..models import MemberRole


def admin_emails(organisation):
    return sorted({m.user.email for m in organisation.memberships.select_related("user")
                   if m.role == MemberRole.ADMIN and m.user.email})


def absolute(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def send(*, to, template, context, cause, dedup_key=None):
    if not to:
        return None
    return queue_templated_mail(to=to, template_prefix=f"consortia/email/{template}",
                                context={**context, "SITE_URL": settings.SITE_URL},
                                cause=cause, dedup_key=dedup_key)


def invitation_link(invitation):
    from ..tokens import make_token

    return absolute(reverse("consortia:invitation", args=[make_token(invitation)]))
