from django.urls import path

from . import views

app_name = "evaluation"
urlpatterns = [
    path("", views.assignment_list, name="assignments"),
    path("dossiers/<int:pk>/", views.assignment_page, name="assignment"),
    path("dossiers/<int:pk>/conflit-d-interets/", views.declare_conflict,
         name="declare_conflict"),
]
