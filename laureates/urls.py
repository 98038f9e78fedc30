from django.urls import path

from .views import launch, opendata, project, reports

app_name = "laureates"
urlpatterns = [
    path("appels/<slug:slug>/subventions.csv", opendata.scdl_csv, name="scdl_csv"),
    path("collectifs/<int:pk>/projet/", project.project_page, name="project"),
    path("collectifs/<int:pk>/projet/lancement/", launch.launch_page, name="launch"),
    path("collectifs/<int:pk>/projet/lancement.ics", launch.launch_ics, name="launch_ics"),
    path("collectifs/<int:pk>/projet/rapports/<int:report>/", reports.report_page,
         name="report"),
]
