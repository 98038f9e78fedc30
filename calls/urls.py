from django.urls import path

from . import views

app_name = "calls"
urlpatterns = [
    path("appels/<slug:slug>/", views.call_detail, name="detail"),
    path("appels/<slug:slug>/calendrier.ics", views.call_ics, name="ics"),
    path("appels/<slug:slug>/calendrier.pdf", views.call_calendar_pdf, name="calendar_pdf"),
]
