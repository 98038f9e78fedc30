from django.urls import path

from .views import canvases, notes

app_name = "applications"
urlpatterns = [
    path("collectifs/<int:pk>/note/", notes.note_page, name="note"),
    path("collectifs/<int:pk>/note/canevas/<str:kind>/", canvases.canvas_page, name="canvas"),
    path("collectifs/<int:pk>/note/deposer/", notes.file_note, name="file"),
    path("collectifs/<int:pk>/note/accuse-de-reception/", notes.receipt, name="receipt"),
]
