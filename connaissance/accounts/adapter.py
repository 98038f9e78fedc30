from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings

from connaissance.mail.services import queue_mail


class PortalAccountAdapter(DefaultAccountAdapter):
    """allauth's mails (verification, password reset...) go through the portal's outbox."""

    def send_mail(self, template_prefix, email, context):
        from allauth.core import context as allauth_context
        from django.contrib.sites.shortcuts import get_current_site

        request = allauth_context.request
        ctx = {"request": request, "email": email, "current_site": get_current_site(request),
               "SITE_URL": settings.SITE_URL}  # the portal's layout links to it
        ctx.update(context)
        message = self.render_mail(template_prefix, email, ctx)
        html = next((body for body, mime in getattr(message, "alternatives", [])
                     if mime == "text/html"), "")
        queue_mail(to=message.to, subject=message.subject, body_text=message.body,
                   body_html=html, cause=f"account:{template_prefix.rsplit('/', 1)[-1]}")


def user_display(user):
    return user.email or user.get_username()
