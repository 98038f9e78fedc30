"""The portal's URLconf plus the territories endpoint, until connaissance/urls.py routes it."""

from django.urls import include, path

from connaissance.urls import urlpatterns as portal

urlpatterns = [
    *[p for p in portal if getattr(p, "namespace", None) != "territories"],
    path("territoires/", include("connaissance.territories.urls")),
]
