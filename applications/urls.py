from django.urls import path

from .views import canvases, dossier_budget, dossier_filing, dossier_sections, notes

app_name = "applications"
urlpatterns = [
    path("collectifs/<int:pk>/note/", notes.note_page, name="note"),
    path("collectifs/<int:pk>/note/canevas/<str:kind>/", canvases.canvas_page, name="canvas"),
    path("collectifs/<int:pk>/note/deposer/", notes.file_note, name="file"),
    path("collectifs/<int:pk>/note/accuse-de-reception/", notes.receipt, name="receipt"),
    path("collectifs/<int:pk>/dossier/", dossier_filing.overview, name="dossier"),
    path("collectifs/<int:pk>/dossier/depot/", dossier_filing.file_dossier,
         name="dossier_file"),
    path("collectifs/<int:pk>/dossier/accuse-de-reception/", dossier_filing.receipt,
         name="dossier_receipt"),
    path("collectifs/<int:pk>/dossier/retrait/", dossier_filing.withdraw_dossier,
         name="dossier_withdraw"),
    path("collectifs/<int:pk>/dossier/budget/apercu/", dossier_budget.budget_preview,
         name="dossier_budget_preview"),
    path("collectifs/<int:pk>/dossier/<slug:section>/", dossier_sections.section_page,
         name="dossier_section"),
]
