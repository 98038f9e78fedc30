from django.conf import settings


def portal(request):
    return {"PORTAL_NAME": "Connaissance Hauts-de-France", "SITE_URL": settings.SITE_URL}
