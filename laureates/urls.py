from django.urls import path

from . import views

app_name = "laureates"
urlpatterns = [
    path("appels/<slug:slug>/subventions.csv", views.scdl_csv, name="scdl_csv"),
    path("collectifs/<int:pk>/projet/", views.project_page, name="project"),
]
