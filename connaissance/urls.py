from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from django.views.i18n import set_language

from calls import views as call_views
from connaissance.accounts.admin_login import through_portal_login
from connaissance.ops.views import sante
from connaissance.ui.views import AccessibilityView, LegalNoticeView

admin.site.site_header = _("Connaissance — Region officers")
admin.site.site_title = _("Connaissance administration")
admin.site.index_title = _("Calls for projects")
admin.site.login = through_portal_login(admin.site.login)

urlpatterns = [
    path("", call_views.home, name="home"),
    path("", include("calls.urls")),
    path("", include("consortia.urls")),
    path("", include("applications.urls")),
    path("compte/", include("allauth.urls")),
    path("fichiers/", include("connaissance.files.urls")),
    path("evaluation/", include("evaluation.urls")),
    path("", include("laureates.urls")),
    path("territoires/", include("connaissance.territories.urls")),
    path("langue/", set_language, name="set_language"),
    path("accessibilite/", AccessibilityView.as_view(), name="accessibility"),
    path("mentions-legales/", LegalNoticeView.as_view(), name="legal"),
    path("sante/", sante, name="health"),
    path("admin/", admin.site.urls),
]
